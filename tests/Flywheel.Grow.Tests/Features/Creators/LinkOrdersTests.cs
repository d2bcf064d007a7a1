using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Features.Creators;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Storage;
using Flywheel.Promotions;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using Microsoft.Extensions.Options;

namespace Flywheel.Grow.Tests.Features.Creators;

/// <summary>
/// Orders to collaborations by their tracking links (Asia/Shanghai):
/// <code>
/// collabs  cl kol_a posted 11-01, link lnkcl (collab_id cl); cb kol_b posted 11-01
/// 11-03 10:00  anonymous browser anon1 clicks lnkcl (no customer yet); 11-03 11:00 anon1 is identified as c1
/// 11-05 09:00  c1 clicks a kol_b post (record event)    o1 11-05 10:00 99.00  → 2 days after the link click: cl by link, not kol_b
/// 11-11 09:00  c1 clicks a kol_b post (record event)    o2 11-11 10:00 55.00  → 8 days after: not by link; the model gives it to kol_b → cb
/// </code>
/// </summary>
public sealed class LinkOrdersTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static long At(int month, int day, int hour) => new DateTimeOffset(2026, month, day, hour, 0, 0, Shanghai).ToUnixTimeMilliseconds();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AClickByALaterIdentifiedBrowser_CreditsTheOrderTwoDaysLater_ByLink_NotEightDaysLater(string engine)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 12, 5, 12, 0, 0, Shanghai));
        using var store = await TestStores.OpenAsync(engine, clock);
        var links = new LinkStore(store);
        var handler = new CreatorsHandler(store, new CreatorStore(store, clock), PromotionsModule.CouponIssuer(store), new LinkOrders(links), clock);
        Assert.True((await handler.ImportCreatorsAsync("""
            creator_id,name,platform,followers,tier,category
            kol_a,小美,xiaohongshu,1200000,head,美妆
            kol_b,阿花,douyin,35000,koc,母婴
            """, CancellationToken.None)).IsSuccess);
        foreach (var c in new[]
        {
            new CollaborationInput("cl", "kol_a", "链接合作", 10_000, 1_000, null, "2026-11-01T10:00:00+08:00", null, null, null, "posted"),
            new CollaborationInput("cb", "kol_b", "视频", 20_000, 0, null, "2026-11-01T10:00:00+08:00", null, null, null, "posted"),
        })
            Assert.True((await handler.AddCollaborationAsync(c, CancellationToken.None)).IsSuccess);
        var link = new LinkRow("lnkcl", LinkKinds.Link, "cl", "https://tmall.com/x", "https://tmall.com/x?utm_medium=kol&utm_content=cl",
            new Utm("xiaohongshu", "xiaohongshu", "kol", null, "cl", null), "kol_a", "cl", At(11, 2, 10));
        Assert.True((await links.InsertAsync(link, CancellationToken.None)).IsSuccess);
        await links.InsertClicksAsync([new ClickRow("k1", "lnkcl", At(11, 3, 10), "anon1", null, null, null)], CancellationToken.None);

        await using (var session = await IngestSession.BeginAsync(store, "test", "links", CancellationToken.None))
        {
            Assert.True(session.Identify("anon1", "c1", At(11, 3, 11), null).IsSuccess);
            session.WriteEvent(new EventRow { EventId = "e1", Type = "click", Time = At(11, 5, 9), CustomerId = "c1", Channel = "douyin", KolId = "kol_b", Medium = "kol" });
            session.WriteEvent(new EventRow { EventId = "e2", Type = "click", Time = At(11, 11, 9), CustomerId = "c1", Channel = "douyin", KolId = "kol_b", Medium = "kol" });
            foreach (var (id, paid, fen) in new[] { ("o1", At(11, 5, 10), 9_900L), ("o2", At(11, 11, 10), 5_500L) })
            {
                var order = new OrderRow { OrderId = id, CustomerId = "c1", Status = "paid", PlacedAt = paid - 60_000, PaidAt = paid };
                order.Lines.Add(new OrderLineRow { Sku = "k1", Quantity = 1, UnitPrice = fen });
                Assert.True(session.WriteOrder(order, createMissingProducts: true).IsSuccess);
            }
            await session.CommitAsync(5, 0, CancellationToken.None);
        }
        var index = await EventIndexes.BuildAsync(store, null, CancellationToken.None);

        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, Shanghai);
        var to = new DateTimeOffset(2026, 12, 1, 0, 0, 0, Shanghai);
        var collaborations = await handler.ListCollaborationsAsync(null, null, CancellationToken.None);
        var byLink = await new LinkOrders(links).OrdersAsync(collaborations.Value, from, to, CancellationToken.None);
        Assert.Equal(new Dictionary<string, string> { ["o1"] = "cl" }, byLink);

        var report = (await handler.ReportAsync(index, "2026-11-01", "2026-11-30", null, CancellationToken.None)).Value;
        var cl = report.Collaborations.Single(c => c.CollabId == "cl").Metrics;
        Assert.Equal((1.0, 9_900L, 1.0, 0L, 990L), (cl.Orders, cl.Gmv, cl.NewBuyers, cl.CodeOrders, cl.Commission));
        var cb = report.Collaborations.Single(c => c.CollabId == "cb").Metrics;
        Assert.Equal((1.0, 5_500L, 0.0), (cb.Orders, cb.Gmv, cb.NewBuyers)); // o2 only: o1's kol_b click lost to the link
        Assert.Equal((2.0, 15_400L), (report.Total.Orders, report.Total.Gmv));

        // A cancelled collaboration's link credits nothing.
        Assert.Empty(await new LinkOrders(links).OrdersAsync(
            collaborations.Value.Select(c => c with { Status = CollaborationStatus.Cancelled }).ToList(), from, to, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ACollaborationWithALinkUrl_GetsItsExclusiveLink_AndABadUrlStoresNothing(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var links = new LinkStore(store);
        var options = new GrowOptions();
        options.AllowedHosts.Add("tmall.com");
        var handler = new CreatorsHandler(store, new CreatorStore(store, clock), PromotionsModule.CouponIssuer(store), new LinkOrders(links), clock,
            new LinksHandler(links, clock, Options.Create(options)));
        Assert.True((await handler.ImportCreatorsAsync("creator_id,name,platform,followers,tier,category\nkol_a,小美,xiaohongshu,1200000,head,美妆",
            CancellationToken.None)).IsSuccess);
        var input = new CollaborationInput("co_1", "kol_a", "双11 笔记", 10_000, 1_000, null, "2026-11-02T10:00:00+08:00", null, null, null, null,
            "https://detail.tmall.com/item?id=1");

        var refused = await handler.AddCollaborationAsync(input with { LinkUrl = "https://evil.example.com/x" }, CancellationToken.None);
        Assert.Equal("link_url", refused.Error!.Path);
        var both = await handler.AddCollaborationAsync(input with { LinkCode = "mine" }, CancellationToken.None);
        Assert.Equal("link_url", both.Error!.Path);
        Assert.Equal((0, 0), (await TestStores.CountAsync(store, "grow_collaborations"), await TestStores.CountAsync(store, "grow_links")));

        var added = await handler.AddCollaborationAsync(input, CancellationToken.None);
        Assert.True(added.IsSuccess, added.Error?.ToString());
        var link = await links.GetAsync(added.Value.LinkCode!, CancellationToken.None);
        Assert.NotNull(link);
        Assert.Equal(("co_1", "kol_a", "kol", "co_1", "https://detail.tmall.com/item?id=1"),
            (link.CollabId, link.CreatorId, link.Utm.Medium, link.Utm.Content, link.Destination));
        Assert.Contains("utm_medium=kol", link.Target, StringComparison.Ordinal);
        Assert.Equal(added.Value.LinkCode, (await handler.ListCollaborationsAsync("kol_a", null, CancellationToken.None)).Value.Single().LinkCode);
    }

    [Fact]
    public void Rule_LastClickInTheSevenDaysWins_AndTheBoundsAreInclusive()
    {
        const long day = 86_400_000;
        var clicks = new[] { new CollabClick("c1", "a", 0), new CollabClick("c1", "b", 1 * day), new CollabClick("c2", "a", 0) };
        var orders = new[]
        {
            ("o1", "c1", 2 * day),      // b is the last click before it
            ("o2", "c1", 8 * day),      // b exactly 7 days before: still in
            ("o3", "c1", 8 * day + 1),  // 7 days and 1 ms after b: out
            ("o4", "c2", 0L),           // clicked in the same millisecond: in
            ("o5", "c3", day),          // never clicked
        };
        Assert.Equal(new Dictionary<string, string> { ["o1"] = "b", ["o2"] = "b", ["o4"] = "a" }, LinkOrderRule.Attribute(clicks, orders));
    }
}
