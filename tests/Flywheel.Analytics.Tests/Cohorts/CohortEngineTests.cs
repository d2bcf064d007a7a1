using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Scopes;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Cohorts;

public sealed class CohortEngineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cohort-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// By hand, in Asia/Shanghai. Paid orders: u1 01-05 100.00, 01-20 50.00, 03-02 30.00; u2 01-31 23:30 80.00 and
    /// 02-01 00:10 20.00 (still January in UTC: only the local calendar puts it in February); u3 02-10 200.00; u4 first
    /// bought 2025-12-20 (before the range, so never a January entrant) and again 01-10; u5 03-05 (after the range).
    /// Events: u1 signs up Mon 01-05 09:00 (douyin), views 01-06 and Mon 01-19; u2 views Sun 01-04, signs up Sun 01-11
    /// 23:00 (jd), views 01-12; u6 signs up 01-12 (jd); u5's view on 03-15 is the last thing the store has seen.
    /// </summary>
    private static async Task<FlywheelStore> HandStoreAsync(string engine, string folder)
    {
        var store = await TestStores.OpenAsync(engine);
        Task Import(ImportKind kind, string content) => CsvFixtures.ImportAsync(store, folder, kind, content);
        await Import(ImportKind.Products, "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        await Import(ImportKind.Orders, """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,refunded_quantity
            o1,u1,2026-01-05T10:00:00+08:00,k1,1,100.00,2026-01-05T10:01:00+08:00,paid,douyin,0,0,0
            o2,u1,2026-01-20T10:00:00+08:00,k1,1,50.00,2026-01-20T10:01:00+08:00,completed,jd,0,0,0
            o3,u1,2026-03-02T10:00:00+08:00,k1,1,30.00,2026-03-02T10:01:00+08:00,paid,jd,0,0,0
            o4,u2,2026-01-31T23:29:00+08:00,k1,1,80.00,2026-01-31T23:30:00+08:00,paid,douyin,0,0,0
            o5,u2,2026-02-01T00:09:00+08:00,k1,1,20.00,2026-02-01T00:10:00+08:00,shipped,jd,0,0,0
            o6,u3,2026-02-10T10:00:00+08:00,k1,1,200.00,2026-02-10T10:01:00+08:00,paid,jd,0,0,0
            o7,u4,2025-12-20T10:00:00+08:00,k1,1,10.00,2025-12-20T10:01:00+08:00,completed,jd,0,0,0
            o8,u4,2026-01-10T10:00:00+08:00,k1,1,40.00,2026-01-10T10:01:00+08:00,paid,jd,0,0,0
            o9,u5,2026-03-05T10:00:00+08:00,k1,1,60.00,2026-03-05T10:01:00+08:00,paid,jd,0,0,0
            o10,u6,2026-01-13T10:00:00+08:00,k1,1,60.00,,cancelled,jd,0,0,0
            """);
        await Import(ImportKind.Events, """
            event_id,type,time,customer_id,anonymous_id,channel
            e1,signup,2026-01-05T09:00:00+08:00,u1,,douyin
            e2,page_view,2026-01-06T09:00:00+08:00,u1,,douyin
            e3,page_view,2026-01-19T09:00:00+08:00,u1,,douyin
            e4,page_view,2026-01-04T09:00:00+08:00,u2,,jd
            e5,signup,2026-01-11T23:00:00+08:00,u2,,jd
            e6,page_view,2026-01-12T09:00:00+08:00,u2,,jd
            e7,signup,2026-01-12T10:00:00+08:00,u6,,jd
            e8,page_view,2026-03-15T09:00:00+08:00,u5,,jd
            """);
        return store;
    }

    private static void AssertCell(CohortCell? cell, long active, long revenue, long orders)
    {
        Assert.NotNull(cell);
        Assert.Equal((active, revenue, orders), (cell.Active, cell.Revenue, cell.Orders));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Monthly_FirstPurchase_HandComputed(string engine)
    {
        using var store = await HandStoreAsync(engine, _folder);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var rows = CohortEngine.Run(index, new CohortQuery(new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 28), CohortPeriod.Month,
            CohortEntry.FirstPurchase, CohortReturn.Purchase, 4)).Value;
        Assert.Equal(["2026-01", "2026-02"], rows.Select(r => r.Key).ToArray());

        var january = rows[0];
        Assert.Equal(2, january.Size); // u1, u2; u4 first bought in December
        AssertCell(january.Cells[0], 2, 10000 + 5000 + 8000, 3);
        Assert.Equal(1.0, january.Cells[0]!.Rate(january.Size));
        AssertCell(january.Cells[1], 1, 2000, 1); // u2's 00:10 order on 02-01 local
        AssertCell(january.Cells[2], 1, 3000, 1);
        Assert.Null(january.Cells[3]); // April: after the last data (03-15)

        var february = rows[1];
        Assert.Equal(1, february.Size);
        AssertCell(february.Cells[0], 1, 20000, 1);
        AssertCell(february.Cells[1], 0, 0, 0); // March is observed: nobody came back
        Assert.Null(february.Cells[2]);
        Assert.Null(february.Cells[3]);
        Assert.Equal([0, 1], february.Cells.Where(c => c is not null).Select(c => c!.Offset).ToArray());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Weekly_Signup_HandComputed(string engine)
    {
        using var store = await HandStoreAsync(engine, _folder);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var from = new DateOnly(2026, 1, 5);
        var to = new DateOnly(2026, 1, 18);

        var any = CohortEngine.Run(index, new CohortQuery(from, to, CohortPeriod.Week, CohortEntry.Signup, CohortReturn.AnyEvent, 3)).Value;
        Assert.Equal(["2026-01-05", "2026-01-12"], any.Select(r => r.Key).ToArray());
        Assert.Equal(2, any[0].Size); // u1 (Mon), u2 (Sun 23:00, same local week)
        AssertCell(any[0].Cells[0], 2, 10000, 1); // u1's order an hour after signing up
        AssertCell(any[0].Cells[1], 1, 0, 0); // u2 views on 01-12; u2's view on 01-04 predates the signup
        AssertCell(any[0].Cells[2], 1, 5000, 1); // u1 views and buys in the week of 01-19
        Assert.Equal(1, any[1].Size); // u6
        AssertCell(any[1].Cells[0], 1, 0, 0); // the cancelled order is not revenue
        AssertCell(any[1].Cells[1], 0, 0, 0);

        var purchase = CohortEngine.Run(index, new CohortQuery(from, to, CohortPeriod.Week, CohortEntry.Signup, CohortReturn.Purchase, 3)).Value;
        AssertCell(purchase[0].Cells[0], 1, 10000, 1);
        Assert.Equal(0.5, purchase[0].Cells[0]!.Rate(purchase[0].Size));
        AssertCell(purchase[0].Cells[1], 0, 0, 0);
        AssertCell(purchase[0].Cells[2], 1, 5000, 1);

        var douyin = CohortEngine.Run(index, new CohortQuery(from, to, CohortPeriod.Week, CohortEntry.Signup, CohortReturn.AnyEvent, 3, new Scope(Channel: "douyin"))).Value;
        var only = Assert.Single(douyin);
        Assert.Equal(1, only.Size); // u1 signed up through douyin; later jd activity still counts
        AssertCell(only.Cells[2], 1, 5000, 1);

        var viewed = CohortEngine.Run(index, new CohortQuery(from, to, CohortPeriod.Week, CohortEntry.FirstEvent("page_view"), CohortReturn.AnyEvent, 3)).Value;
        Assert.Equal(1, Assert.Single(viewed).Size); // u1 first viewed 01-06; u2 first viewed 01-04, before the range
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Scope_ChoosesMembersByWhoTheyAreAndByTheirEntry(string engine)
    {
        // ScopeFixture: first purchases in May are u1's o1 (douyin, flagship, beauty, last touch spring) and u3's o4 (tmall,
        // flagship, home, no touch); u2 first bought in April.
        using var store = await Scopes.ScopeFixture.OpenAsync(engine, _folder);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        long Size(Scope? scope, CohortEntry? entry = null) =>
            CohortEngine.Run(index, new CohortQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), CohortPeriod.Month,
                entry ?? CohortEntry.FirstPurchase, CohortReturn.Purchase, 1, scope)).Value.Sum(r => r.Size);

        Assert.Equal(2, Size(null));
        Assert.Equal(2, Size(new Scope(Store: "flagship")));
        Assert.Equal(0, Size(new Scope(Store: "jd-shop"))); // u1's later jd-shop order is not their entry
        Assert.Equal(1, Size(new Scope(Channel: "tmall")));
        Assert.Equal(1, Size(new Scope(Campaign: "spring")));
        Assert.Equal(1, Size(new Scope(Category: "home")));
        Assert.Equal(2, Size(new Scope(Region: "广东")));
        Assert.Equal(0, Size(new Scope(Region: "浙江")));
        Assert.Equal(1, Size(new Scope(Customers: new HashSet<string> { "u3", "u2" })));

        // First page view in May: u1 (e1: spring, k1 beauty) and anon-1 (e6: spring, no SKU); u2's and u3's were earlier.
        var pageView = CohortEntry.FirstEvent("page_view");
        Assert.Equal(2, Size(new Scope(Campaign: "spring"), pageView));
        Assert.Equal(1, Size(new Scope(Category: "beauty"), pageView));
        var error = CohortEngine.Run(index, new CohortQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), CohortPeriod.Month, pageView,
            CohortReturn.Purchase, 1, new Scope(Store: "flagship"))).Error;
        Assert.Equal("store", error!.Path); // events have no store
    }

    [Fact]
    public void Run_InvalidQueries_NameTheField()
    {
        var builder = new EventIndexBuilder.Builder();
        builder.AddEvent("u1", null, "page_view", new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(), "jd", null, null, null, null, null, 0);
        var index = builder.Build("Asia/Shanghai");
        var day = new DateOnly(2026, 1, 1);
        CohortQuery Query(int periods = 12, CohortEntry? entry = null, DateOnly? to = null, string? channel = null) =>
            new(day, to ?? day.AddMonths(2), CohortPeriod.Month, entry ?? CohortEntry.FirstPurchase, CohortReturn.Purchase, periods, channel is null ? null : new Scope(Channel: channel));

        Assert.Equal("to", CohortEngine.Run(index, Query(to: day.AddDays(-1))).Error!.Path);
        Assert.Equal("periods", CohortEngine.Run(index, Query(periods: 0)).Error!.Path);
        Assert.Equal("periods", CohortEngine.Run(index, Query(periods: 37)).Error!.Path);
        Assert.True(CohortEngine.Run(index, Query(periods: 36)).IsSuccess);
        Assert.Equal("entry", CohortEngine.Run(index, Query(entry: CohortEntry.FirstEvent("no_such_type"))).Error!.Path);
        Assert.Equal("entry", CohortEngine.Run(index, Query(entry: CohortEntry.FirstEvent(""))).Error!.Path);
        Assert.Equal("channel", CohortEngine.Run(index, Query(channel: "nowhere")).Error!.Path);
        // No signup events yet: empty cohorts, not an error.
        Assert.Empty(CohortEngine.Run(index, Query(entry: CohortEntry.Signup)).Value);
    }

    /// <summary>Random raw rows, the engine on an index built from them, and a LINQ reference over the same rows.</summary>
    [Fact]
    public void Run_RandomData_AgreesWithLinqReference()
    {
        string[] channels = ["douyin", "jd", "tmall"];
        string[] types = ["page_view", "signup", "add_to_cart", "search"];
        var compared = 0;
        foreach (var seed in Enumerable.Range(1, 12))
        {
            var random = new Random(seed);
            var builder = new EventIndexBuilder.Builder();
            var provinces = new Dictionary<string, string?>();
            for (var c = 0; c < 150; c++)
            {
                provinces["c" + c] = random.Next(3) == 0 ? null : random.Next(2) == 0 ? "广东" : "浙江";
                builder.AddCustomer("c" + c, provinces["c" + c]);
            }
            var baseMs = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            var spanMs = 150L * 86_400_000;
            var events = new List<(string Visitor, long Ms, string Type, string Channel)>();
            var orders = new List<(string Visitor, long Ms, string Channel, long Gmv)>();
            for (var i = 0; i < 3000; i++)
            {
                var visitor = random.Next(4) == 0 ? "~a" + random.Next(40) : "c" + random.Next(150);
                var e = (visitor, baseMs + random.NextInt64(0, spanMs), types[random.Next(types.Length)], channels[random.Next(3)]);
                events.Add(e);
                builder.AddEvent(visitor.StartsWith('~') ? null : visitor, visitor.StartsWith('~') ? visitor[1..] : null, e.Item3, e.Item2, e.Item4, null, null, null, null, null, 0);
            }
            for (var i = 0; i < 500; i++)
            {
                var o = ("c" + random.Next(150), baseMs + random.NextInt64(0, spanMs), channels[random.Next(3)], random.NextInt64(100, 50_000));
                orders.Add(o);
                builder.AddOrder(o.Item1, o.Item2, o.Item3, null, o.Item4, 0, 1, null);
            }
            var index = builder.Build("Asia/Shanghai");
            for (var q = 0; q < 6; q++)
            {
                var from = new DateOnly(2026, 1, 1).AddDays(random.Next(40));
                var query = new CohortQuery(from, from.AddDays(random.Next(0, 70)), random.Next(2) == 0 ? CohortPeriod.Week : CohortPeriod.Month,
                    random.Next(3) switch { 0 => CohortEntry.FirstPurchase, 1 => CohortEntry.Signup, _ => CohortEntry.FirstEvent("add_to_cart") },
                    random.Next(2) == 0 ? CohortReturn.Purchase : CohortReturn.AnyEvent, random.Next(1, 10), random.Next(4) switch
                    {
                        0 => new Scope(Channel: channels[random.Next(3)]),
                        1 => new Scope(Region: random.Next(2) == 0 ? "广东" : "浙江", Channel: random.Next(2) == 0 ? channels[random.Next(3)] : null),
                        2 => new Scope(Customers: Enumerable.Range(0, 50).Select(_ => "c" + random.Next(150)).ToHashSet()),
                        _ => null,
                    });
                var actual = CohortEngine.Run(index, query).Value;
                var expected = Reference(events, orders, provinces, query);
                if (expected.Count > 0) compared++;
                Assert.Equal(expected.Count, actual.Count);
                for (var c = 0; c < expected.Count; c++)
                {
                    var (key, size, cells) = expected[c];
                    var row = actual[c];
                    Assert.True(key == row.Key && size == row.Size, $"seed {seed} {query}: expected {key} of {size}, got {row.Key} of {row.Size}");
                    for (var k = 0; k < query.Periods; k++)
                        Assert.True(cells[k] == (row.Cells[k] is { } x ? (x.Active, x.Revenue, x.Orders) : ((long, long, long)?)null),
                            $"seed {seed} {query} {key}+{k}: expected {cells[k]}, got {row.Cells[k]}");
                }
            }
        }
        Assert.True(compared > 50, $"only {compared} of 72 random queries had any cohort");
    }

    private static List<(string Key, long Size, (long Active, long Revenue, long Orders)?[] Cells)> Reference(
        List<(string Visitor, long Ms, string Type, string Channel)> events, List<(string Visitor, long Ms, string Channel, long Gmv)> orders,
        Dictionary<string, string?> provinces, CohortQuery query)
    {
        var zone = TimeSpan.FromHours(8);
        static long Seconds(long ms) => Math.DivRem(ms, 1000, out var rem) - (rem < 0 ? 1 : 0);
        DateOnly Day(long seconds) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(zone).DateTime);
        int Period(long seconds)
        {
            var start = CohortEngine.PeriodOf(Day(seconds), query.Period);
            return query.Period == CohortPeriod.Week ? start.DayNumber / 7 : start.Year * 12 + start.Month - 1;
        }
        var entries = query.Entry.Kind switch
        {
            CohortEntryKind.FirstPurchase => orders.GroupBy(o => o.Visitor)
                .Select(g => g.OrderBy(o => Seconds(o.Ms)).Select(o => (g.Key, Time: Seconds(o.Ms), o.Channel)).First()),
            _ => events.Where(e => e.Type == (query.Entry.EventType ?? "signup")).GroupBy(e => e.Visitor)
                .Select(g => g.OrderBy(e => Seconds(e.Ms)).Select(e => (g.Key, Time: Seconds(e.Ms), e.Channel)).First()),
        };
        var members = entries
            .Where(m => Day(m.Time) >= query.From && Day(m.Time) <= query.To && (query.Scope?.Channel is null || m.Channel == query.Scope.Channel)
                        && (query.Scope?.Region is null || provinces.GetValueOrDefault(m.Key) == query.Scope.Region)
                        && (query.Scope?.Customers is null || query.Scope.Customers.Contains(m.Key)))
            .ToList();
        var last = events.Select(e => Seconds(e.Ms)).Concat(orders.Select(o => Seconds(o.Ms))).Max();
        return members.GroupBy(m => Period(m.Time)).OrderBy(g => g.Key).Select(cohort =>
        {
            var cells = new (long, long, long)?[query.Periods];
            for (var k = 0; k < query.Periods; k++)
            {
                if (cohort.Key + k > Period(last)) continue;
                long active = 0, revenue = 0, count = 0;
                foreach (var m in cohort)
                {
                    var bought = orders.Where(o => o.Visitor == m.Key && Seconds(o.Ms) >= m.Time && Period(Seconds(o.Ms)) == cohort.Key + k).ToList();
                    revenue += bought.Sum(o => o.Gmv);
                    count += bought.Count;
                    var returned = bought.Count > 0 || (query.Return == CohortReturn.AnyEvent
                        && events.Any(e => e.Visitor == m.Key && Seconds(e.Ms) >= m.Time && Period(Seconds(e.Ms)) == cohort.Key + k));
                    if (returned) active++;
                }
                cells[k] = (active, revenue, count);
            }
            var start = CohortEngine.PeriodOf(Day(cohort.First().Time), query.Period);
            return (CohortEngine.Key(start, query.Period), (long)cohort.Count(), cells);
        }).ToList();
    }
}
