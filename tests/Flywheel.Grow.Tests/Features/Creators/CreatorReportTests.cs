using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Grow.Features.Creators;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features.Creators;

/// <summary>
/// The creator report and the payout on a small store whose every figure is worked out by hand (Asia/Shanghai):
/// <code>
/// creators  kol_a head, kol_b koc, kol_c amateur
/// collabs   ca  kol_a fee 1000.00 10%  posted 11-02, code CODEA
///           cb0 kol_b fee   50.00  5%  posted 10-20, settled
///           cb  kol_b fee  200.00 15%  posted 11-03, code CODEB
///           cx  kol_c fee   99.99 20%  posted 11-04, code CODEX, cancelled
/// o1 c1  11-05 123.45  impression + click kol_a before it, no code      → model (last click) kol_a → ca, new buyer
/// o2 c2  11-06 300.01  click kol_b before it, codes NEW20|CODEA          → code → ca (not kol_b), c2 bought in September: not new
/// o3 c3  11-07 500.10  impression kol_b, code CODEB, 200.03 refunded     → code → cb, new buyer
/// o4 c4  10-25  77.77  click kol_b                                       → model kol_b → cb0 (cb posts later)
/// o5 c5  11-08  40.00  click kol_c, code CODEX of the cancelled collab   → model kol_c, no live collaboration
/// o6 c6  11-09  50.00  click on tmall without a kol                       → nobody's
/// </code>
/// </summary>
public sealed class CreatorReportTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static long At(int month, int day, int hour, int minute = 0) => new DateTimeOffset(2026, month, day, hour, minute, 0, Shanghai).ToUnixTimeMilliseconds();

    private static async Task<(FlywheelStore Store, CreatorsHandler Handler, EventIndex Index)> BuildAsync(string engine)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 12, 5, 12, 0, 0, Shanghai));
        var store = await TestStores.OpenAsync(engine, clock);
        var handler = CreatorsStoreTests.Handler(store, clock);
        Assert.True((await handler.ImportCreatorsAsync("""
            creator_id,name,platform,followers,tier,category
            kol_a,小美,xiaohongshu,1200000,head,美妆
            kol_b,阿花,douyin,35000,koc,母婴
            kol_c,路人甲,weibo,800,amateur,
            """, CancellationToken.None)).IsSuccess);
        foreach (var c in new[]
        {
            new CollaborationInput("ca", "kol_a", "双11 笔记", 100_000, 1_000, null, "2026-11-02T10:00:00+08:00", null, "CODEA", null, "posted"),
            new CollaborationInput("cb0", "kol_b", "十月 视频", 5_000, 500, null, "2026-10-20T10:00:00+08:00", null, null, null, "settled"),
            new CollaborationInput("cb", "kol_b", "双11 视频", 20_000, 1_500, null, "2026-11-03T10:00:00+08:00", null, "CODEB", null, "posted"),
            new CollaborationInput("cx", "kol_c", "取消了", 9_999, 2_000, null, "2026-11-04T10:00:00+08:00", null, "CODEX", null, "cancelled"),
        })
        {
            var added = await handler.AddCollaborationAsync(c, CancellationToken.None);
            Assert.True(added.IsSuccess, added.Error?.ToString());
        }

        await using (var session = await IngestSession.BeginAsync(store, "test", "creators", CancellationToken.None))
        {
            var n = 0;
            void Touch(string customer, string type, long at, string channel, string? kol) =>
                session.WriteEvent(new EventRow { EventId = $"e{++n}", Type = type, Time = at, CustomerId = customer, Channel = channel, KolId = kol, Medium = kol is null ? "cpc" : "kol" });
            void Order(string id, string customer, long paid, long fen, string? codes = null, long refund = 0)
            {
                var order = new OrderRow
                {
                    OrderId = id, CustomerId = customer, Status = refund > 0 ? "partially_refunded" : "paid", PlacedAt = paid - 60_000, PaidAt = paid,
                    RefundedAt = refund > 0 ? paid + 86_400_000 : null, CouponCodes = codes,
                };
                order.Lines.Add(new OrderLineRow { Sku = "k1", Quantity = 1, UnitPrice = fen, RefundedQuantity = refund > 0 ? 1 : 0, RefundAmount = refund > 0 ? refund : null });
                Assert.True(session.WriteOrder(order, createMissingProducts: true).IsSuccess);
            }
            Touch("c1", "impression", At(11, 5, 10), "xiaohongshu", "kol_a");
            Touch("c1", "click", At(11, 5, 10, 1), "xiaohongshu", "kol_a");
            Order("o1", "c1", At(11, 5, 12), 12_345);
            Order("o2pre", "c2", At(9, 1, 12), 1_000);
            Touch("c2", "click", At(11, 6, 9), "douyin", "kol_b");
            Order("o2", "c2", At(11, 6, 10), 30_001, "NEW20|codea");
            Touch("c3", "impression", At(11, 7, 9), "douyin", "kol_b");
            Order("o3", "c3", At(11, 7, 13), 50_010, "CODEB", refund: 20_003);
            Touch("c4", "click", At(10, 25, 10), "douyin", "kol_b");
            Order("o4", "c4", At(10, 25, 11), 7_777);
            Touch("c5", "click", At(11, 8, 9), "weibo", "kol_c");
            Order("o5", "c5", At(11, 8, 10), 4_000, "CODEX");
            Touch("c6", "click", At(11, 9, 9), "tmall", null);
            Order("o6", "c6", At(11, 9, 10), 5_000);
            await session.CommitAsync(n + 7, 0, CancellationToken.None);
        }
        var index = await EventIndexes.BuildAsync(store, null, CancellationToken.None);
        return (store, handler, index);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Report_November_MatchesTheHandWorkedFigures(string engine)
    {
        var (store, handler, index) = await BuildAsync(engine);
        using var _ = store;
        var report = (await handler.ReportAsync(index, "2026-11-01", "2026-11-30", null, CancellationToken.None)).Value;
        Assert.Equal("last_click", report.Model);

        var ca = report.Collaborations.Single(c => c.CollabId == "ca").Metrics;
        // o1 by the model (123.45) + o2 by its code (300.01); commission 10% × 423.46 = 42.346 → 42.35 (half up).
        Assert.Equal((1L, 1L, 2.0, 42_346L, 1.0, 1L, 100_000L, 4_235L), (ca.Reach, ca.Clicks, ca.Orders, ca.Gmv, ca.NewBuyers, ca.CodeOrders, ca.Fee, ca.Commission));
        Assert.Equal(104_235, ca.Cost);
        Assert.Equal(42_346.0 / 104_235, ca.Roi!.Value, 12);
        Assert.Equal(52_118, ca.Cpa); // 104,235 / 2 = 52,117.5 → half up
        Assert.Equal(1.0, ca.Ctr);

        var cb = report.Collaborations.Single(c => c.CollabId == "cb").Metrics;
        // o3 by its code: 15% × 500.10 = 75.015 → 75.02 (a half fen rounds up).
        Assert.Equal((1L, 1L, 1.0, 50_010L, 1.0, 20_000L, 7_502L), (cb.Reach, cb.Clicks, cb.Orders, cb.Gmv, cb.NewBuyers, cb.Fee, cb.Commission));
        var cb0 = report.Collaborations.Single(c => c.CollabId == "cb0").Metrics;
        Assert.Equal((0.0, 0L, 0L), (cb0.Orders, cb0.Fee, cb0.Commission)); // posted and sold in October
        var cx = report.Collaborations.Single(c => c.CollabId == "cx").Metrics;
        Assert.Equal((0.0, 0L, 0L), (cx.Orders, cx.Gmv, cx.Fee));

        var kolB = report.Creators.Single(c => c.CreatorId == "kol_b");
        Assert.Equal((2, 1L, 1L, 1.0, 50_010L, 27_502L), (kolB.Collaborations, kolB.Metrics.Reach, kolB.Metrics.Clicks, kolB.Metrics.Orders, kolB.Metrics.Gmv, kolB.Metrics.Cost));
        var kolC = report.Creators.Single(c => c.CreatorId == "kol_c").Metrics;
        // The cancelled collaboration's code does not count; the model gives o5 to kol_c, with no deal to pay for.
        Assert.Equal((0L, 1L, null, 1.0, 4_000L, 1.0, 0L, 0L), (kolC.Reach, kolC.Clicks, kolC.Ctr, kolC.Orders, kolC.Gmv, kolC.NewBuyers, kolC.CodeOrders, kolC.Cost));
        Assert.Null(kolC.Roi);

        Assert.Equal((4.0, 96_356L, 120_000L, 11_737L), (report.Total.Orders, report.Total.Gmv, report.Total.Fee, report.Total.Commission));
        var tiers = report.Tiers.ToDictionary(t => t.Tier);
        Assert.Equal(["head", "mid", "tail", "koc", "amateur"], report.Tiers.Select(t => t.Tier));
        Assert.Equal((1, 42_346L), (tiers["head"].Creators, tiers["head"].Metrics.Gmv));
        Assert.Equal((0, 0L), (tiers["mid"].Creators, tiers["mid"].Metrics.Gmv));
        Assert.Equal((1, 50_010L), (tiers["koc"].Creators, tiers["koc"].Metrics.Gmv));
        Assert.Equal((1, 4_000L), (tiers["amateur"].Creators, tiers["amateur"].Metrics.Gmv));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Payouts_LinesSumToTheTotal_WithCommissionReversedOnRefunds(string engine)
    {
        var (store, handler, index) = await BuildAsync(engine);
        using var _ = store;
        var november = (await handler.PayoutsAsync(index, "2026-11", null, CancellationToken.None)).Value;
        Assert.Equal("2026-11", november.Month);
        Assert.Equal(["ca", "cb"], november.Lines.Select(l => l.CollabId));
        var ca = november.Lines[0];
        Assert.Equal((100_000L, 42_346L, 4_235L, 0L, 0L, 104_235L), (ca.FeeDue, ca.AttributedGmv, ca.Commission, ca.RefundedGmv, ca.CommissionReversed, ca.Total));
        var cb = november.Lines[1];
        // 15% of the 200.03 refunded = 30.0045 → 30.00 reversed; 200.00 + 75.02 − 30.00 = 245.02.
        Assert.Equal((20_000L, 50_010L, 7_502L, 20_003L, 3_000L, 24_502L), (cb.FeeDue, cb.AttributedGmv, cb.Commission, cb.RefundedGmv, cb.CommissionReversed, cb.Total));
        Assert.Equal(128_737, november.Total);
        Assert.Equal(november.Total, november.Lines.Sum(l => l.Total));
        Assert.Equal((120_000L, 11_737L, 3_000L), (november.FeeDue, november.Commission, november.CommissionReversed));

        var october = (await handler.PayoutsAsync(index, "2026-10", null, CancellationToken.None)).Value;
        var cb0 = Assert.Single(october.Lines);
        // o4 (77.77) went to cb0, the collaboration live when it was paid: 5% = 3.8885 → 3.89.
        Assert.Equal(("cb0", 5_000L, 7_777L, 389L, 5_389L), (cb0.CollabId, cb0.FeeDue, cb0.AttributedGmv, cb0.Commission, cb0.Total));

        var csv = PayoutCsv.Write(november).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, csv.Length);
        Assert.EndsWith(",24502", csv[2], StringComparison.Ordinal);
        Assert.Equal("2026-11,TOTAL,,,,,,120000,,11737,,3000,128737", csv[3]);
    }

    [Fact]
    public async Task Report_BadInput_NamesTheField()
    {
        var (store, handler, index) = await BuildAsync(TestStores.Sqlite);
        using var _ = store;
        Assert.Equal("model", (await handler.ReportAsync(index, null, null, "magic", CancellationToken.None)).Error!.Path);
        Assert.Equal("from", (await handler.ReportAsync(index, "2026-13-01", null, null, CancellationToken.None)).Error!.Path);
        Assert.Equal("to", (await handler.ReportAsync(index, "2026-11-30", "2026-11-01", null, CancellationToken.None)).Error!.Path);
        Assert.Equal("month", (await handler.PayoutsAsync(index, "2026-13", null, CancellationToken.None)).Error!.Path);
        Assert.Equal("month", (await handler.PayoutsAsync(index, "November", null, CancellationToken.None)).Error!.Path);
    }

    [Fact]
    public async Task Report_Default_RunsToTheLastDayWithData()
    {
        var (store, handler, index) = await BuildAsync(TestStores.Sqlite);
        using var _ = store;
        var report = (await handler.ReportAsync(index, null, null, "linear", CancellationToken.None)).Value;
        Assert.Equal((new DateOnly(2026, 9, 1), new DateOnly(2026, 11, 9)), (report.From, report.To));
        // Over the whole range cb0 has o4 by the model: the October order counts.
        Assert.Equal(7_777, report.Collaborations.Single(c => c.CollabId == "cb0").Metrics.Gmv);
        Assert.Equal("2026-11", (await handler.PayoutsAsync(index, null, null, CancellationToken.None)).Value.Month);
    }
}
