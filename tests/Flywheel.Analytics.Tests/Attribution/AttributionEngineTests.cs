using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Index;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Attribution;

public sealed class AttributionEngineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-attribution-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly DateOnly May1 = new(2026, 5, 1), May15 = new(2026, 5, 15);

    private Task Import(FlywheelStore store, ImportKind kind, string content) => CsvFixtures.ImportAsync(store, _folder, kind, content);

    /// <summary>
    /// By hand. May (range 05-01..05-15, look-back 30 days, half-life 7 days):
    /// u1 pays o1 1500.00 on 05-11 12:00; its path is douyin (04-20 10:00, campaign spring, KOL kolA), jd (04-27 10:00,
    /// campaign jdsale), tmall (05-04 10:00, a product_view), douyin (05-11 10:00, campaign c618, KOL kolB) — exactly 21,
    /// 14, 7 and 0 days before the last touch, so time-decay weights are 1/8, 1/4, 1/2, 1. Not on the path: e0 (04-01,
    /// older than 30 days), e3 (a page_view without a channel), e5 (a search). o9 (05-20) is outside the range.
    /// u2 pays o2 100.01 on 05-03 09:30 after jd (04-26 09:00) and douyin (05-03 09:00), 7 days apart: an odd fen to split.
    /// u3 pays o3 50.00 with no touch: direct. u4 only touches (no order).
    /// August (08-01..08-31), the Markov case: u10 douyin → jd → o10 300.00; u11 douyin → null; u12 jd → o12 200.00.
    /// </summary>
    private async Task<FlywheelStore> HandStoreAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        await Import(store, ImportKind.Products, "sku,name,category,list_price\nk1,Cream,beauty,100.00\nk2,Toner,beauty,100.01\nk3,Mask,beauty,50.00\n");
        await Import(store, ImportKind.Orders, """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,refunded_quantity
            o1,u1,2026-05-11T11:59:00+08:00,k1,15,100.00,2026-05-11T12:00:00+08:00,paid,douyin,0,0,0
            o9,u1,2026-05-20T11:59:00+08:00,k1,1,100.00,2026-05-20T12:00:00+08:00,paid,douyin,0,0,0
            o2,u2,2026-05-03T09:29:00+08:00,k2,1,100.01,2026-05-03T09:30:00+08:00,completed,douyin,0,0,0
            o3,u3,2026-05-05T08:59:00+08:00,k3,1,50.00,2026-05-05T09:00:00+08:00,shipped,jd,0,0,0
            o10,u10,2026-08-11T11:59:00+08:00,k1,3,100.00,2026-08-11T12:00:00+08:00,paid,jd,0,0,0
            o12,u12,2026-08-13T10:59:00+08:00,k1,2,100.00,2026-08-13T11:00:00+08:00,paid,jd,0,0,0
            """);
        await Import(store, ImportKind.Events, """
            event_id,type,time,customer_id,anonymous_id,channel,campaign,kol_id
            e0,click,2026-04-01T10:00:00+08:00,u1,,jd,,
            e1,impression,2026-04-20T10:00:00+08:00,u1,,douyin,spring,kolA
            e2,click,2026-04-27T10:00:00+08:00,u1,,jd,jdsale,
            e3,page_view,2026-05-05T10:00:00+08:00,u1,,,,
            e4,product_view,2026-05-04T10:00:00+08:00,u1,,tmall,,
            e5,search,2026-05-06T10:00:00+08:00,u1,,douyin,,
            e6,click,2026-05-11T10:00:00+08:00,u1,,douyin,c618,kolB
            e7,click,2026-04-26T09:00:00+08:00,u2,,jd,,
            e8,click,2026-05-03T09:00:00+08:00,u2,,douyin,,
            e9,page_view,2026-05-05T08:00:00+08:00,u3,,,,
            e10,impression,2026-05-07T08:00:00+08:00,u4,,douyin,,
            m1,click,2026-08-10T10:00:00+08:00,u10,,douyin,,
            m2,click,2026-08-11T10:00:00+08:00,u10,,jd,,
            m3,click,2026-08-12T10:00:00+08:00,u11,,douyin,,
            m4,click,2026-08-13T10:00:00+08:00,u12,,jd,,
            """);
        await Import(store, ImportKind.Spend,
            "date,channel,campaign,cost\n2026-05-01,douyin,c618,100.00\n2026-05-10,douyin,,50.00\n2026-05-02,jd,jdsale,60.00\n2026-04-30,jd,jdsale,999.00\n");
        return store;
    }

    private static Dictionary<string, AttributionRow> Rows(AttributionReport report, AttributionModel model) =>
        report.Models.Single(m => m.Model == model).Rows.ToDictionary(r => r.Key);

    private static void AssertCredit(Dictionary<string, AttributionRow> rows, string key, long gmv, double orders)
    {
        Assert.True(rows.ContainsKey(key), $"no row for {key}");
        Assert.Equal(gmv, rows[key].Gmv);
        Assert.Equal(orders, rows[key].Orders, 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task RuleModels_ByChannel_HandComputed(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var report = AttributionEngine.Run(index, new AttributionQuery(May1, May15)).Value;
        Assert.Equal(3, report.TotalOrders);
        Assert.Equal(150000 + 10001 + 5000, report.TotalGmv);

        var last = Rows(report, AttributionModel.LastClick);
        AssertCredit(last, "douyin", 150000 + 10001, 2);
        AssertCredit(last, AttributionEngine.Direct, 5000, 1);
        AssertCredit(last, "jd", 0, 0);
        Assert.Equal(15000, last["douyin"].Spend); // 100.00 + 50.00; the 04-30 jd row is outside
        Assert.Equal(6000, last["jd"].Spend);
        Assert.Equal(160001.0 / 15000, last["douyin"].Roi);
        Assert.Equal(0.0, last["jd"].Roi);
        Assert.Null(last["tmall"].Roi);
        Assert.Equal("douyin", report.Models[0].Rows[0].Key);

        var first = Rows(report, AttributionModel.FirstClick);
        AssertCredit(first, "douyin", 150000, 1);
        AssertCredit(first, "jd", 10001, 1);
        AssertCredit(first, AttributionEngine.Direct, 5000, 1);

        // o1: 2/4, 1/4, 1/4; o2: 5000.5 each, the odd fen to jd, first on the path.
        var linear = Rows(report, AttributionModel.Linear);
        AssertCredit(linear, "douyin", 75000 + 5000, 1);
        AssertCredit(linear, "jd", 37500 + 5001, 0.75);
        AssertCredit(linear, "tmall", 37500, 0.25);
        AssertCredit(linear, AttributionEngine.Direct, 5000, 1);

        // o1: douyin (1 + 1/8) / (15/8) = 9/15, jd 2/15, tmall 4/15. o2: douyin 2/3 = 6667.33, jd 1/3 = 3333.67 → 3334.
        var decay = Rows(report, AttributionModel.TimeDecay);
        AssertCredit(decay, "douyin", 90000 + 6667, 0.6 + 2.0 / 3);
        AssertCredit(decay, "jd", 20000 + 3334, 2.0 / 15 + 1.0 / 3);
        AssertCredit(decay, "tmall", 40000, 4.0 / 15);

        // o1: 40% + 40% to douyin, 10% each to jd and tmall; o2: two touches, 50/50.
        var position = Rows(report, AttributionModel.PositionBased);
        AssertCredit(position, "douyin", 120000 + 5000, 1.3);
        AssertCredit(position, "jd", 15000 + 5001, 0.6);
        AssertCredit(position, "tmall", 15000, 0.1);
        AssertCredit(position, AttributionEngine.Direct, 5000, 1);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ByCampaignAndKol_HandComputed(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var campaigns = AttributionEngine.Run(index, new AttributionQuery(May1, May15, AttributionDimension.Campaign)).Value;
        var last = Rows(campaigns, AttributionModel.LastClick);
        AssertCredit(last, "c618", 150000, 1);
        AssertCredit(last, AttributionEngine.NoneKey, 10001, 1);
        AssertCredit(last, AttributionEngine.Direct, 5000, 1);
        Assert.Equal(10000, last["c618"].Spend);
        Assert.Equal(5000, last[AttributionEngine.NoneKey].Spend);
        Assert.Equal(6000, last["jdsale"].Spend);
        var linear = Rows(campaigns, AttributionModel.Linear);
        AssertCredit(linear, "spring", 37500, 0.25);
        AssertCredit(linear, "jdsale", 37500, 0.25);
        AssertCredit(linear, "c618", 37500, 0.25);
        AssertCredit(linear, AttributionEngine.NoneKey, 37500 + 10001, 1.25); // tmall's touch and both of o2's

        var kols = AttributionEngine.Run(index, new AttributionQuery(May1, May15, AttributionDimension.Kol)).Value;
        var first = Rows(kols, AttributionModel.FirstClick);
        AssertCredit(first, "kolA", 150000, 1);
        AssertCredit(first, AttributionEngine.NoneKey, 10001, 1);
        AssertCredit(first, "kolB", 0, 0);
        Assert.Equal(0, first["kolA"].Spend);
    }

    /// <summary>
    /// August. Transitions: start→douyin 2, start→jd 1, douyin→jd 1, douyin→null 1, jd→conversion 2.
    /// P(conversion) = 2/3 · 1/2 + 1/3 = 2/3. Without douyin: 1/3, removal effect 1/2. Without jd: 0, removal effect 1.
    /// o10 (douyin, jd) splits 1/2 : 1 → 100.00 / 200.00; o12 (jd) is all jd.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Markov_TinyChain_HandSolved(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var report = AttributionEngine.Run(index, new AttributionQuery(new DateOnly(2026, 8, 1), new DateOnly(2026, 8, 31))).Value;
        Assert.Equal(0.5, report.RemovalEffects["douyin"], 1e-12);
        Assert.Equal(1.0, report.RemovalEffects["jd"], 1e-12);
        var markov = Rows(report, AttributionModel.Markov);
        AssertCredit(markov, "douyin", 10000, 1.0 / 3);
        AssertCredit(markov, "jd", 40000, 1 + 2.0 / 3);
        Assert.Equal(2, markov.Count);
    }

    [Fact]
    public void Run_InvalidQuery_IsAnErrorNamingTheOption()
    {
        var index = new EventIndexBuilder.Builder().Build("Asia/Shanghai");
        Assert.Equal("to", AttributionEngine.Run(index, new AttributionQuery(May15, May1)).Error!.Path);
        Assert.Equal("lookback", AttributionEngine.Run(index, new AttributionQuery(May1, May15, LookbackDays: 0)).Error!.Path);
        Assert.Equal("lookback", AttributionEngine.Run(index, new AttributionQuery(May1, May15, LookbackDays: 91)).Error!.Path);
        Assert.Equal("half-life", AttributionEngine.Run(index, new AttributionQuery(May1, May15, HalfLifeDays: 0)).Error!.Path);
        Assert.Equal("half-life", AttributionEngine.Run(index, new AttributionQuery(May1, May15, HalfLifeDays: double.NaN)).Error!.Path);
        Assert.True(AttributionEngine.Run(index, new AttributionQuery(May1, May15, LookbackDays: 90)).IsSuccess);
    }

    [Fact]
    public void Run_EmptyIndex_GivesNoRows()
    {
        var index = new EventIndexBuilder.Builder().Build("Asia/Shanghai");
        var report = AttributionEngine.Run(index, new AttributionQuery(May1, May15)).Value;
        Assert.Equal(0, report.TotalGmv);
        Assert.All(report.Models, m => Assert.Empty(m.Rows));
        Assert.Equal(6, report.Models.Count);
    }

    private sealed record RawEvent(string Visitor, long Ms, string Type, string? Channel, string? Campaign, string? Kol);

    private sealed record RawOrder(string Visitor, long Ms, long Gmv);

    private static (EventIndex Index, List<RawEvent> Events, List<RawOrder> Orders) RandomData(int seed)
    {
        var random = new Random(seed);
        var builder = new EventIndexBuilder.Builder();
        var baseMs = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        string?[] channels = ["douyin", "jd", "tmall", "wechat", null];
        string?[] campaigns = ["c1", "c2", "c3", null];
        string?[] kols = ["k1", "k2", null, null];
        string[] types = ["impression", "click", "page_view", "product_view", "search", "add_to_cart"];
        var events = new List<RawEvent>();
        var orders = new List<RawOrder>();
        for (var i = 0; i < 3000; i++)
        {
            var visitor = random.Next(4) == 0 ? "~a" + random.Next(40) : "c" + random.Next(150);
            var e = new RawEvent(visitor, baseMs + random.NextInt64(0, 60L * 86_400) * 1000, types[random.Next(types.Length)],
                channels[random.Next(channels.Length)], campaigns[random.Next(campaigns.Length)], kols[random.Next(kols.Length)]);
            events.Add(e);
            builder.AddEvent(visitor.StartsWith('~') ? null : visitor, visitor.StartsWith('~') ? visitor[2..] : null, e.Type, e.Ms, e.Channel, null, null,
                e.Campaign, null, e.Kol, 0);
        }
        for (var i = 0; i < 400; i++)
        {
            var o = new RawOrder("c" + random.Next(150), baseMs + random.NextInt64(0, 60L * 86_400) * 1000, random.NextInt64(1, 100_001));
            orders.Add(o);
            builder.AddOrder(o.Visitor, o.Ms, "jd", null, o.Gmv, 0, 1, null);
        }
        for (var d = 0; d < 60; d++)
            foreach (var c in channels.OfType<string>())
                builder.AddSpend(new DateOnly(2026, 3, 1).AddDays(d), c, campaigns[random.Next(campaigns.Length)] ?? "", random.NextInt64(0, 10_000), 0, 0);
        return (builder.Build("Asia/Shanghai"), events, orders);
    }

    private static AttributionQuery RandomQuery(int seed) =>
        new(new DateOnly(2026, 3, 20).AddDays(seed), new DateOnly(2026, 4, 10).AddDays(seed), (AttributionDimension)(seed % 3), 1 + seed * 7 % 90, 0.5 + seed);

    [Fact]
    public void EveryModel_RandomData_CreditsExactlyTheTotalGmv()
    {
        foreach (var seed in Enumerable.Range(1, 12))
        {
            var (index, _, orders) = RandomData(seed);
            foreach (var by in Enum.GetValues<AttributionDimension>())
            {
                var query = RandomQuery(seed) with { By = by };
                var report = AttributionEngine.Run(index, query).Value;
                var expected = orders.Where(o => InRange(o.Ms, query)).ToList();
                Assert.Equal(expected.Sum(o => o.Gmv), report.TotalGmv);
                Assert.True(report.TotalOrders > 0, $"seed {seed}: no orders");
                foreach (var model in report.Models)
                {
                    Assert.True(report.TotalGmv == model.Rows.Sum(r => r.Gmv), $"seed {seed} {by} {model.Model}: credited {model.Rows.Sum(r => r.Gmv)} of {report.TotalGmv}");
                    Assert.Equal(expected.Count, model.Rows.Sum(r => r.Orders), 1e-6);
                }
            }
        }
    }

    [Fact]
    public void RuleModels_RandomData_AgreeExactlyWithLinqReference()
    {
        foreach (var seed in Enumerable.Range(1, 12))
        {
            var (index, events, orders) = RandomData(seed);
            var query = RandomQuery(seed);
            var report = AttributionEngine.Run(index, query).Value;
            foreach (var model in report.Models.Where(m => m.Model != AttributionModel.Markov))
            {
                var expected = Reference(events, orders, query, model.Model);
                var actual = model.Rows.Where(r => r.Gmv != 0 || r.Orders != 0).ToDictionary(r => r.Key);
                Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
                foreach (var (key, (gmv, count)) in expected)
                {
                    Assert.True(gmv == actual[key].Gmv, $"seed {seed} {model.Model} {key}: expected {gmv}, got {actual[key].Gmv}");
                    Assert.Equal(count, actual[key].Orders, 1e-9);
                }
            }
        }
    }

    /// <summary>
    /// The chain built again from the raw rows, and solved differently: propagation of conversion probability until it
    /// stops changing, instead of Gaussian elimination.
    /// </summary>
    [Fact]
    public void Markov_RandomData_RemovalEffectsAgreeWithIterativeReference()
    {
        string[] touchTypes = ["impression", "click", "page_view", "product_view"];
        foreach (var seed in Enumerable.Range(1, 12))
        {
            var (index, events, orders) = RandomData(seed);
            var query = RandomQuery(seed);
            var report = AttributionEngine.Run(index, query, [AttributionModel.Markov]).Value;
            var touches = events.Where(e => e.Channel is not null && touchTypes.Contains(e.Type)).ToList();
            var paths = new List<(List<string> Channels, bool Converted)>();
            var inRange = orders.Where(o => InRange(o.Ms, query)).ToList();
            foreach (var order in inRange)
            {
                var path = touches.Where(e => e.Visitor == order.Visitor && e.Ms <= order.Ms && e.Ms >= order.Ms - query.LookbackDays * 86_400_000L)
                    .OrderBy(e => e.Ms).Select(e => e.Channel!).ToList();
                if (path.Count > 0) paths.Add((path, true));
            }
            var buyers = inRange.Select(o => o.Visitor).ToHashSet();
            foreach (var visitor in touches.Where(e => !buyers.Contains(e.Visitor) && InRange(e.Ms, query)).GroupBy(e => e.Visitor))
                paths.Add((visitor.OrderBy(e => e.Ms).Select(e => e.Channel!).ToList(), false));
            var counts = new Dictionary<(string From, string To), long>();
            foreach (var (path, converted) in paths)
            {
                var from = "start";
                foreach (var channel in path.Append(converted ? "conv" : "null"))
                {
                    if (channel == from) continue;
                    counts[(from, channel)] = counts.GetValueOrDefault((from, channel)) + 1;
                    from = channel;
                }
            }
            var outTotals = counts.GroupBy(c => c.Key.From).ToDictionary(g => g.Key, g => (double)g.Sum(c => c.Value));
            double Convert(string? removed)
            {
                var x = outTotals.Keys.ToDictionary(k => k, _ => 0.0);
                for (var iteration = 0; iteration < 100_000; iteration++)
                {
                    var change = 0.0;
                    foreach (var state in outTotals.Keys)
                    {
                        var value = state == removed ? 0 : counts.Where(c => c.Key.From == state)
                            .Sum(c => c.Value / outTotals[state] * (c.Key.To == "conv" ? 1 : c.Key.To == "null" || c.Key.To == removed ? 0 : x[c.Key.To]));
                        change = Math.Max(change, Math.Abs(value - x[state]));
                        x[state] = value;
                    }
                    if (change < 1e-15) break;
                }
                return x.GetValueOrDefault("start");
            }
            var baseline = Convert(null);
            Assert.True(baseline > 0, $"seed {seed}: nothing converts");
            foreach (var channel in outTotals.Keys.Where(k => k != "start"))
            {
                var expected = 1 - Convert(channel) / baseline;
                Assert.True(Math.Abs(expected - report.RemovalEffects.GetValueOrDefault(channel)) < 1e-9,
                    $"seed {seed} {channel}: expected {expected}, got {report.RemovalEffects.GetValueOrDefault(channel)}");
            }
        }
    }

    private static bool InRange(long ms, AttributionQuery query)
    {
        var day = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromHours(8)).DateTime);
        return day >= query.From && day <= query.To;
    }

    /// <summary>The rules written out plainly: path, weights as exact integers, largest remainder, ties to the earlier key.</summary>
    private static Dictionary<string, (long Gmv, double Orders)> Reference(List<RawEvent> events, List<RawOrder> orders, AttributionQuery query, AttributionModel model)
    {
        string[] touchTypes = ["impression", "click", "page_view", "product_view"];
        var credit = new Dictionary<string, (long Gmv, double Orders)>(StringComparer.Ordinal);
        foreach (var order in orders.Where(o => InRange(o.Ms, query)))
        {
            var path = events
                .Where(e => e.Visitor == order.Visitor && e.Channel is not null && touchTypes.Contains(e.Type)
                            && e.Ms <= order.Ms && e.Ms >= order.Ms - query.LookbackDays * 86_400_000L)
                .OrderBy(e => e.Ms)
                .ToList();
            List<(string Key, long Weight)> weighted;
            if (path.Count == 0)
            {
                weighted = [(AttributionEngine.Direct, 1)];
            }
            else
            {
                var n = path.Count;
                var keyed = path.Select(e => (query.By switch
                {
                    AttributionDimension.Channel => e.Channel,
                    AttributionDimension.Campaign => e.Campaign,
                    _ => e.Kol,
                }) ?? AttributionEngine.NoneKey).ToList();
                var weights = model switch
                {
                    AttributionModel.LastClick => path.Select((_, i) => i == n - 1 ? 1L : 0L),
                    AttributionModel.FirstClick => path.Select((_, i) => i == 0 ? 1L : 0L),
                    AttributionModel.Linear => path.Select(_ => 1L),
                    AttributionModel.TimeDecay => path.Select(e =>
                        (long)Math.Round(Math.Pow(2, -(double)((path[^1].Ms - e.Ms) / 1000) / (query.HalfLifeDays * 86400)) * (1L << 30), MidpointRounding.AwayFromZero)),
                    _ => n <= 2 ? path.Select(_ => 1L) : path.Select((_, i) => i == 0 || i == n - 1 ? 2L * (n - 2) : 1L),
                };
                weighted = keyed.Zip(weights).GroupBy(x => x.First).Select(g => (g.Key, g.Sum(x => x.Second))).ToList();
            }
            var total = weighted.Sum(w => w.Weight);
            var shares = weighted.Select((w, i) => (w.Key, Index: i, Share: (long)((Int128)order.Gmv * w.Weight / total), Rem: (Int128)order.Gmv * w.Weight % total,
                Fraction: (double)w.Weight / total)).ToList();
            var left = order.Gmv - shares.Sum(s => s.Share);
            var bonus = shares.OrderByDescending(s => s.Rem).ThenBy(s => s.Index).Take((int)left).Select(s => s.Index).ToHashSet();
            foreach (var s in shares)
            {
                var (gmv, count) = credit.GetValueOrDefault(s.Key);
                credit[s.Key] = (gmv + s.Share + (bonus.Contains(s.Index) ? 1 : 0), count + s.Fraction);
            }
        }
        return credit.Where(c => c.Value.Gmv != 0 || c.Value.Orders != 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
    }
}
