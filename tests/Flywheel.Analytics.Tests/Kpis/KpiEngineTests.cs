using System.Text;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Time;
using Flywheel.Ingestion.Demo;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;
using Flywheel.Storage.Queries;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Kpis;

public sealed class KpiEngineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-kpi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task Import(FlywheelStore store, ImportKind kind, string content) => CsvFixtures.ImportAsync(store, _folder, kind, content);

    /// <summary>
    /// A week in May 2026, by hand. Orders (paid): o1 u1 05-01 191.00 (refund 50.50, 3 units), o2 u1 05-03 58.50 (1 unit),
    /// o3 u2 05-03 100.00 (1 unit). u3's o4 is cancelled; o5 (u2) is paid on 04-30, before the range, so u2 is a returning
    /// buyer. Visitors with events in range: u1, u2, u4 and one anonymous id. Spend: 100.00 + 40.00 on douyin, 60.00 on jd.
    /// </summary>
    private async Task<FlywheelStore> HandStoreAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        await Import(store, ImportKind.Products, "sku,name,category,list_price\nk1,Cream,beauty,100.00\nk2,Toner,beauty,50.50\n");
        await Import(store, ImportKind.Orders, """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,refunded_quantity
            o5,u2,2026-04-30T10:00:00+08:00,k1,1,100.00,2026-04-30T10:01:00+08:00,completed,jd,0,0,0
            o1,u1,2026-05-01T10:00:00+08:00,k1,1,100.00,2026-05-01T10:01:00+08:00,paid,douyin,10.00,0,0
            o1,u1,2026-05-01T10:00:00+08:00,k2,2,50.50,2026-05-01T10:01:00+08:00,paid,douyin,0,0,1
            o2,u1,2026-05-03T09:00:00+08:00,k2,1,50.50,2026-05-03T09:02:00+08:00,completed,jd,0,8.00,0
            o3,u2,2026-05-03T23:30:00+08:00,k1,1,100.00,2026-05-03T23:59:59+08:00,shipped,douyin,0,0,0
            o4,u3,2026-05-04T09:00:00+08:00,k1,1,100.00,,cancelled,jd,0,0,0
            """);
        await Import(store, ImportKind.Events, """
            event_id,type,time,customer_id,anonymous_id,channel
            e1,page_view,2026-05-01T09:00:00+08:00,u1,,douyin
            e2,product_view,2026-05-01T09:10:00+08:00,u1,,douyin
            e3,page_view,2026-05-01T11:00:00+08:00,u1,,douyin
            e4,page_view,2026-05-03T08:00:00+08:00,u2,,jd
            e5,search,2026-05-04T08:00:00+08:00,u4,,jd
            e6,page_view,2026-05-05T08:00:00+08:00,,anon-1,
            e7,page_view,2026-04-20T08:00:00+08:00,u9,,jd
            e8,page_view,2026-05-08T00:00:00+08:00,u9,,jd
            """);
        await Import(store, ImportKind.Spend, "date,channel,cost,impressions,clicks\n2026-05-01,douyin,100.00,10000,200\n2026-05-03,douyin,40.00,2000,50\n2026-05-02,jd,60.00,,\n2026-04-30,jd,999.00,1,1\n");
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Total_HandComputedWeek_MatchesEveryKpi(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var row = Assert.Single(KpiEngine.Run(index, new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7))).Value);
        Assert.Equal("total", row.Key);
        Assert.Equal(19100 + 5850 + 10000, row.Gmv);
        Assert.Equal(5050, row.Refunds);
        Assert.Equal(34950 - 5050, row.GmvNet);
        Assert.Equal(3, row.Orders);
        Assert.Equal(5, row.Units);
        Assert.Equal(2, row.Buyers);
        Assert.Equal(1, row.RepeatBuyers);
        Assert.Equal(0.5, row.RepurchaseRate);
        Assert.Equal(1, row.NewBuyers); // u1; u2 first bought on 04-30
        Assert.Equal(1, row.ReturningBuyers);
        Assert.Equal(4, row.Visitors); // u1, u2, u4, anon-1; u9's 05-08 event is outside
        Assert.Equal(0.5, row.Cvr);
        Assert.Equal(11650, row.Aov); // 349.50 / 3 = 116.50
        Assert.Equal(5.0 / 3, row.UnitsPerOrder);
        Assert.Equal(1.0 / 3, row.RefundRate);
        Assert.Equal(5, row.PageViews); // e1, e2 (product_view), e3, e4, e6
        Assert.Equal(5, row.Sessions); // u1: 09:00-09:10 one session, 11:00 a second; u2, u4, anon-1 one each
        Assert.Equal(20000, row.Spend);
        Assert.Equal(12000, row.Impressions);
        Assert.Equal(250, row.Clicks);
        Assert.Equal(34950.0 / 20000, row.Roi);
        Assert.Equal(20000, row.Cac); // 200.00 / 1 new buyer
        Assert.Equal(80, row.Cpc); // 200.00 / 250 clicks = 0.80
        Assert.Equal(1667, row.Cpm); // 200.00 * 1000 / 12000 = 16.666.. -> 16.67
        Assert.Equal(250.0 / 12000, row.Ctr);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ByChannelAndDay_HandComputed(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var channels = KpiEngine.Run(index, new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7), KpiGrouping.Channel)).Value
            .ToDictionary(r => r.Key);
        Assert.Equal(["douyin", "jd", "(none)"], channels.Keys.ToArray());
        Assert.Equal(19100 + 10000, channels["douyin"].Gmv);
        Assert.Equal(2, channels["douyin"].Buyers);
        Assert.Equal(0, channels["douyin"].RepeatBuyers); // u1 bought once on douyin, once on jd
        Assert.Equal(1, channels["douyin"].Visitors);
        Assert.Equal(14000, channels["douyin"].Spend);
        Assert.Equal(5850, channels["jd"].Gmv);
        Assert.Equal(2, channels["jd"].Visitors); // u2, u4
        Assert.Equal(6000, channels["jd"].Spend);
        Assert.Equal(1, channels["(none)"].Visitors);

        var days = KpiEngine.Run(index, new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7), KpiGrouping.Day)).Value;
        Assert.Equal(7, days.Count);
        Assert.Equal("2026-05-03", days[2].Key);
        Assert.Equal(5850 + 10000, days[2].Gmv); // o3 paid at 23:59:59 local is still 05-03
        Assert.Equal(2, days[2].Orders);
        var weeks = KpiEngine.Run(index, new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7), KpiGrouping.Week)).Value;
        Assert.Equal(["2026-04-27", "2026-05-04"], weeks.Select(w => w.Key).ToArray());
        Assert.Equal(34950, weeks[0].Gmv);
    }

    [Fact]
    public void Run_RangeEndingBeforeItStarts_IsAnErrorNamingTo()
    {
        var index = new EventIndexBuilder.Builder().Build("Asia/Shanghai");
        var result = KpiEngine.Run(index, new KpiQuery(new DateOnly(2026, 5, 7), new DateOnly(2026, 5, 1)));
        Assert.Equal("to", result.Error!.Path);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Total_OnDemoStore_AgreesWithTheSqlOverview(string engine)
    {
        using var store = await TestStores.OpenAsync(engine, new TestClock(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.FromHours(8))));
        await DemoStoreGenerator.GenerateAsync(store, new DemoOptions(400, 60, 7), store.Time, null, CancellationToken.None);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        foreach (var (from, to) in new[] { (new DateOnly(2026, 5, 1), new DateOnly(2026, 7, 1)), (new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 18)) })
        {
            var sql = await StoreOverview.QueryAsync(store, from, to, CancellationToken.None);
            var row = KpiEngine.Run(index, new KpiQuery(from, to)).Value[0];
            Assert.True(sql.Orders > 0);
            Assert.Equal(sql.Gmv, row.Gmv);
            Assert.Equal(sql.Orders, row.Orders);
            Assert.Equal(sql.Buyers, row.Buyers);
            Assert.Equal(sql.RepeatBuyers, row.RepeatBuyers);
            Assert.Equal(sql.Visitors, row.Visitors);
            Assert.Equal(sql.AdSpend, row.Spend);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Rebuild_FromTheSameStore_GivesIdenticalAnswers(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var first = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var second = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        foreach (var by in Enum.GetValues<KpiGrouping>())
        {
            var query = new KpiQuery(new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 31), by);
            Assert.Equal(KpiEngine.Run(first, query).Value, KpiEngine.Run(second, query).Value);
        }
        Assert.Equal(first.EventTime, second.EventTime);
        Assert.Equal(first.VisitorKeys, second.VisitorKeys);
    }

    /// <summary>Random raw rows, the engine on an index built from them, and a LINQ reference over the same rows.</summary>
    [Fact]
    public void Run_RandomData_AgreesWithLinqReference()
    {
        foreach (var seed in Enumerable.Range(1, 12))
        {
            var random = new Random(seed);
            var builder = new EventIndexBuilder.Builder();
            var baseMs = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            string[] channels = ["douyin", "jd", "tmall"];
            string[] types = ["page_view", "product_view", "add_to_cart", "search"];
            var events = new List<(string Visitor, long Ms, string Type, string Channel)>();
            var orders = new List<(string Visitor, long Ms, string Channel, long Gmv, long Refund, int Units)>();
            var spend = new List<(DateOnly Day, string Channel, long Cost)>();
            for (var i = 0; i < 3000; i++)
            {
                var visitor = random.Next(4) == 0 ? "~a" + random.Next(40) : "c" + random.Next(120);
                var e = (visitor, baseMs + random.NextInt64(0, 40L * 86_400_000), types[random.Next(types.Length)], channels[random.Next(3)]);
                events.Add(e);
                builder.AddEvent(visitor.StartsWith('~') ? null : visitor, visitor.StartsWith('~') ? visitor[1..] : null, e.Item3, e.Item2, e.Item4, null, null, null, null, null, 0);
            }
            for (var i = 0; i < 400; i++)
            {
                var o = ("c" + random.Next(120), baseMs + random.NextInt64(0, 40L * 86_400_000), channels[random.Next(3)], random.NextInt64(100, 50_000),
                    random.Next(5) == 0 ? random.NextInt64(1, 100) : 0, random.Next(1, 4));
                orders.Add(o);
                builder.AddOrder(o.Item1, o.Item2, o.Item3, null, o.Item4, o.Item5, o.Item6, null);
            }
            for (var d = 0; d < 40; d++)
                foreach (var c in channels)
                {
                    var cost = random.NextInt64(0, 10_000);
                    spend.Add((new DateOnly(2026, 3, 1).AddDays(d), c, cost));
                    builder.AddSpend(new DateOnly(2026, 3, 1).AddDays(d), c, "", cost, 0, 0);
                }
            var index = builder.Build("Asia/Shanghai");
            var from = new DateOnly(2026, 3, 5 + random.Next(5));
            var to = from.AddDays(random.Next(3, 25));
            foreach (var by in new[] { KpiGrouping.Total, KpiGrouping.Day, KpiGrouping.Channel })
            {
                var actual = KpiEngine.Run(index, new KpiQuery(from, to, by)).Value;
                var expected = Reference(events, orders, spend, from, to, by);
                Assert.Equal(expected.Select(r => r.Key).Order(), actual.Select(r => r.Key).Order());
                foreach (var row in actual)
                {
                    var e = expected.Single(x => x.Key == row.Key);
                    Assert.True(e == (row.Key, row.Gmv, row.Orders, row.Buyers, row.RepeatBuyers, row.NewBuyers, row.Visitors, row.Spend),
                        $"seed {seed} {by} {row.Key}: expected {e}, got {(row.Gmv, row.Orders, row.Buyers, row.RepeatBuyers, row.NewBuyers, row.Visitors, row.Spend)}");
                }
            }
        }
    }

    private static List<(string Key, long Gmv, long Orders, long Buyers, long Repeat, long New, long Visitors, long Spend)> Reference(
        List<(string Visitor, long Ms, string Type, string Channel)> events,
        List<(string Visitor, long Ms, string Channel, long Gmv, long Refund, int Units)> orders,
        List<(DateOnly Day, string Channel, long Cost)> spend, DateOnly from, DateOnly to, KpiGrouping by)
    {
        var zone = TimeSpan.FromHours(8);
        DateOnly Day(long ms) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms / 1000 * 1000).ToOffset(zone).DateTime);
        bool In(long ms) => Day(ms) >= from && Day(ms) <= to;
        string Key(DateOnly day, string channel) => by switch
        {
            KpiGrouping.Total => "total",
            KpiGrouping.Channel => channel,
            _ => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
        var firstOrder = orders.GroupBy(o => o.Visitor).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Ms / 1000).First());
        var keys = events.Where(e => In(e.Ms)).Select(e => Key(Day(e.Ms), e.Channel))
            .Concat(orders.Where(o => In(o.Ms)).Select(o => Key(Day(o.Ms), o.Channel)))
            .Concat(spend.Where(s => s.Day >= from && s.Day <= to).Select(s => Key(s.Day, s.Channel)));
        if (by == KpiGrouping.Day)
            keys = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(d => Key(from.AddDays(d), ""));
        return keys.Distinct().Select(key =>
        {
            var inOrders = orders.Where(o => In(o.Ms) && Key(Day(o.Ms), o.Channel) == key).ToList();
            var buyers = inOrders.GroupBy(o => o.Visitor).ToList();
            var newBuyers = buyers.Count(g =>
            {
                var first = firstOrder[g.Key];
                return In(first.Ms) && Key(Day(first.Ms), first.Channel) == key;
            });
            return (key, inOrders.Sum(o => o.Gmv), (long)inOrders.Count, (long)buyers.Count, (long)buyers.Count(g => g.Count() >= 2), (long)newBuyers,
                (long)events.Where(e => In(e.Ms) && Key(Day(e.Ms), e.Channel) == key).Select(e => e.Visitor).Distinct().Count(),
                spend.Where(s => s.Day >= from && s.Day <= to && Key(s.Day, s.Channel) == key).Sum(s => s.Cost));
        }).ToList();
    }
}
