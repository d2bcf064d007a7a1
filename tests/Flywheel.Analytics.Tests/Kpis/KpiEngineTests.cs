using Flywheel.Analytics.Contracts;
using System.Text;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
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

    /// <summary>
    /// Zones whose days are not all 24 hours long: Berlin's clock changes at 02:00/03:00, Santiago's at midnight (so a
    /// day can start at 01:00). Every order and event must land on its local date, in both the day and the week grouping.
    /// </summary>
    [Theory]
    [InlineData("Europe/Berlin", "2026-03-20", "2026-04-05")]
    [InlineData("Europe/Berlin", "2026-10-18", "2026-11-03")]
    [InlineData("America/Santiago", "2026-03-30", "2026-04-12")]
    [InlineData("America/Santiago", "2026-09-01", "2026-09-14")]
    public void ByDay_AcrossClockChanges_CountsEachRowOnItsLocalDate(string zoneId, string fromText, string toText)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var from = DateOnly.Parse(fromText, System.Globalization.CultureInfo.InvariantCulture);
        var to = DateOnly.Parse(toText, System.Globalization.CultureInfo.InvariantCulture);
        var random = new Random(7);
        var builder = new EventIndexBuilder.Builder();
        var startMs = new DateTimeOffset(from.AddDays(-1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var spanMs = (to.DayNumber - from.DayNumber + 3) * 86_400_000L;
        var orders = new List<(string Customer, long Ms)>();
        for (var i = 0; i < 2000; i++)
        {
            // Whole seconds, with a third of the rows within a minute of a local midnight.
            var ms = (startMs + random.NextInt64(0, spanMs)) / 1000 * 1000;
            if (random.Next(3) == 0)
            {
                var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), zone);
                var midnight = new DateTimeOffset(local.Date, zone.GetUtcOffset(local.Date));
                ms = midnight.ToUnixTimeMilliseconds() + random.Next(-60, 60) * 1000L;
            }
            var customer = "c" + random.Next(50);
            orders.Add((customer, ms));
            builder.AddOrder(customer, ms, "jd", null, 100, 0, 1, null);
            builder.AddEvent(customer, null, "page_view", ms, "jd", null, null, null, null, null, 0);
        }
        var index = builder.Build(zoneId);
        DateOnly Local(long ms) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), zone).DateTime);
        var days = KpiEngine.Run(index, new KpiQuery(from, to, KpiGrouping.Day)).Value;
        Assert.Equal(to.DayNumber - from.DayNumber + 1, days.Count);
        foreach (var row in days)
        {
            var day = DateOnly.Parse(row.Key, System.Globalization.CultureInfo.InvariantCulture);
            var expected = orders.Where(o => Local(o.Ms) == day).ToList();
            Assert.True(expected.Count == row.Orders, $"{zoneId} {row.Key}: expected {expected.Count} orders, got {row.Orders}");
            Assert.Equal(expected.Select(o => o.Customer).Distinct().Count(), row.Visitors);
        }
        var weeks = KpiEngine.Run(index, new KpiQuery(from, to, KpiGrouping.Week)).Value;
        Assert.Equal(orders.Count(o => Local(o.Ms) >= from && Local(o.Ms) <= to), weeks.Sum(w => w.Orders));
        foreach (var week in weeks)
        {
            var monday = DateOnly.Parse(week.Key, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(orders.Count(o => Local(o.Ms) >= from && Local(o.Ms) <= to && LocalCalendar.WeekOf(Local(o.Ms)) == monday), week.Orders);
        }
    }

    private sealed record RawEvent(string Visitor, long Ms, string Type, string? Channel, string? Campaign, string? Sku);
    private sealed record RawOrder(string Visitor, long Ms, string? Channel, string? Store, long Gmv, long Refund, int Units, string? TopSku);
    private sealed record RawSpend(DateOnly Day, string Channel, string Campaign, long Cost);

    /// <summary>
    /// Random raw rows, the engine on an index built from them, and a LINQ reference over the same rows: every grouping,
    /// with random scopes (each filter present one time in three, values that exist).
    /// </summary>
    [Fact]
    public void Run_RandomData_AgreesWithLinqReference()
    {
        string[] channels = ["douyin", "jd", "tmall"];
        string[] campaigns = ["spring", "summer"];
        string[] stores = ["flagship", "outlet"];
        string[] provinces = ["广东", "浙江"];
        string[] skus = ["k0", "k1", "k2", "k3", "k4"];
        var categoryOf = new Dictionary<string, string> { ["k0"] = "beauty", ["k1"] = "beauty", ["k2"] = "home", ["k3"] = "food", ["k4"] = "home" };
        string[] types = ["page_view", "product_view", "add_to_cart", "search", "click", "impression"];
        var scoped = 0;
        foreach (var seed in Enumerable.Range(1, 16))
        {
            var random = new Random(seed);
            T? Maybe<T>(T[] values, int none) where T : class => random.Next(none) == 0 ? null : values[random.Next(values.Length)];
            var builder = new EventIndexBuilder.Builder();
            var province = new Dictionary<string, string?>();
            for (var c = 0; c < 120; c++)
            {
                province["c" + c] = Maybe(provinces, 4);
                builder.AddCustomer("c" + c, province["c" + c]);
            }
            foreach (var (sku, category) in categoryOf) builder.AddProduct(sku, category);
            var baseMs = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            var events = new List<RawEvent>();
            var orders = new List<RawOrder>();
            var spend = new List<RawSpend>();
            for (var i = 0; i < 3000; i++)
            {
                var visitor = random.Next(4) == 0 ? "~a" + random.Next(40) : "c" + random.Next(120);
                // A few events share a second, so ties are broken by arrival in the engine and the reference alike.
                var ms = random.Next(20) == 0 && events.Count > 0 ? events[^1].Ms : baseMs + random.NextInt64(0, 40L * 86_400_000);
                var e = new RawEvent(visitor, ms, types[random.Next(types.Length)], Maybe(channels, 8), Maybe(campaigns, 3),
                    random.Next(3) == 0 ? null : random.Next(10) == 0 ? "unknown-sku" : skus[random.Next(skus.Length)]);
                events.Add(e);
                builder.AddEvent(visitor.StartsWith('~') ? null : visitor, visitor.StartsWith('~') ? visitor[1..] : null, e.Type, e.Ms, e.Channel, null, null,
                    e.Campaign, e.Sku, null, 0);
            }
            for (var i = 0; i < 400; i++)
            {
                var o = new RawOrder("c" + random.Next(120), baseMs + random.NextInt64(0, 40L * 86_400_000), Maybe(channels, 8), Maybe(stores, 5),
                    random.NextInt64(100, 50_000), random.Next(5) == 0 ? random.NextInt64(1, 100) : 0, random.Next(1, 4), Maybe(skus, 6));
                orders.Add(o);
                builder.AddOrder(o.Visitor, o.Ms, o.Channel, o.Store, o.Gmv, o.Refund, o.Units, o.TopSku);
            }
            for (var d = 0; d < 40; d++)
                foreach (var c in channels)
                    foreach (var campaign in (string[])["", .. campaigns])
                    {
                        if (random.Next(2) == 0) continue;
                        var row = new RawSpend(new DateOnly(2026, 3, 1).AddDays(d), c, campaign, random.NextInt64(1, 10_000));
                        spend.Add(row);
                        builder.AddSpend(row.Day, row.Channel, row.Campaign, row.Cost, 0, 0);
                    }
            var index = builder.Build("Asia/Shanghai");
            var data = new Reference(events, orders, spend, province, categoryOf);
            for (var q = 0; q < 12; q++)
            {
                var from = new DateOnly(2026, 3, 2 + random.Next(8));
                var to = from.AddDays(random.Next(0, 30));
                var by = (KpiGrouping)random.Next(Enum.GetValues<KpiGrouping>().Length);
                var scope = q == 0 ? null : new Scope(random.Next(3) == 0 ? channels[random.Next(3)] : null,
                    random.Next(3) == 0 ? campaigns[random.Next(2)] : null,
                    random.Next(3) == 0 ? stores[random.Next(2)] : null,
                    random.Next(3) == 0 ? categoryOf.Values.Distinct().ElementAt(random.Next(3)) : null,
                    random.Next(3) == 0 ? provinces[random.Next(2)] : null,
                    random.Next(5) == 0 ? Enumerable.Range(0, 40).Select(_ => "c" + random.Next(120)).ToHashSet() : null);
                if (scope is { IsAll: false }) scoped++;
                var query = new KpiQuery(from, to, by, scope);
                var actual = KpiEngine.Run(index, query).Value;
                var expected = data.Rows(query);
                Assert.True(expected.Select(r => r.Key).Order(StringComparer.Ordinal).SequenceEqual(actual.Select(r => r.Key).Order(StringComparer.Ordinal)),
                    $"seed {seed} {query}: expected keys {string.Join(",", expected.Select(r => r.Key))}, got {string.Join(",", actual.Select(r => r.Key))}");
                foreach (var row in actual)
                {
                    var e = expected.Single(x => x.Key == row.Key);
                    var got = (row.Key, row.Gmv, row.Orders, row.Buyers, row.RepeatBuyers, row.NewBuyers, row.Visitors, row.PageViews, row.Sessions, row.Spend);
                    Assert.True(e == got, $"seed {seed} {query} {row.Key}: expected {e}, got {got}");
                }
                if (q % 4 == 0)
                {
                    // The total's comparison partners are the totals of the comparison ranges.
                    var compared = KpiEngine.Report(index, query with { By = KpiGrouping.Total, Compare = KpiComparison.Previous | KpiComparison.YearOverYear }).Value.Rows[0];
                    var (pf, pt) = query.PreviousRange;
                    Assert.Equal(data.Rows(query with { From = pf, To = pt, By = KpiGrouping.Total })[0].Gmv, compared.Previous!.Gmv);
                    Assert.Equal(data.Rows(query with { From = pf, To = pt, By = KpiGrouping.Total })[0].Visitors, compared.Previous!.Visitors);
                    Assert.Equal(0, compared.YearAgo!.Gmv);
                }
            }
        }
        Assert.True(scoped > 100, $"only {scoped} scoped queries");
    }

    /// <summary>The KPI definitions of docs/kpis.md, written as plainly as LINQ allows.</summary>
    private sealed class Reference
    {
        private static readonly TimeSpan Zone = TimeSpan.FromHours(8);
        private static readonly string[] TouchTypes = ["impression", "click", "page_view", "product_view"];
        private readonly List<RawEvent> events;
        private readonly List<RawOrder> orders;
        private readonly List<RawSpend> spend;
        private readonly Dictionary<string, string?> province;
        private readonly Dictionary<string, string> categoryOf;
        private readonly HashSet<RawEvent> _sessionStarts = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<RawOrder, string?> _campaign = new(ReferenceEqualityComparer.Instance);

        public Reference(List<RawEvent> events, List<RawOrder> orders, List<RawSpend> spend, Dictionary<string, string?> province, Dictionary<string, string> categoryOf)
        {
            (this.events, this.orders, this.spend, this.province, this.categoryOf) = (events, orders, spend, province, categoryOf);
            // A visitor's timeline is in time order, ties in arrival order (OrderBy is stable).
            foreach (var timeline in events.GroupBy(e => e.Visitor).Select(g => g.OrderBy(e => e.Ms).ToList()))
                for (var i = 0; i < timeline.Count; i++)
                    if (i == 0 || Seconds(timeline[i].Ms) - Seconds(timeline[i - 1].Ms) > 30 * 60) _sessionStarts.Add(timeline[i]);
            // An order's campaign: its visitor's last touch (with a channel) at or before payment, at most 30 days before.
            foreach (var o in orders)
            {
                var paid = Seconds(o.Ms);
                _campaign[o] = events.Where(e => e.Visitor == o.Visitor && TouchTypes.Contains(e.Type) && e.Channel is not null
                                                 && Seconds(e.Ms) <= paid && Seconds(e.Ms) >= paid - 30 * 86400)
                    .OrderBy(e => e.Ms).Select(e => e.Campaign).LastOrDefault();
            }
        }

        private static long Seconds(long ms) => Math.DivRem(ms, 1000, out var rem) - (rem < 0 ? 1 : 0);
        private static DateOnly Day(long ms) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(Seconds(ms)).ToOffset(Zone).DateTime);
        private string? Province(string visitor) => visitor.StartsWith('~') ? null : province[visitor];
        private string? Category(string? sku) => sku is not null && categoryOf.TryGetValue(sku, out var c) ? c : null;
        private string? Campaign(RawOrder o) => _campaign[o];
        private bool NewSession(RawEvent e) => _sessionStarts.Contains(e);

        public List<(string Key, long Gmv, long Orders, long Buyers, long Repeat, long New, long? Visitors, long? PageViews, long? Sessions, long? Spend)> Rows(KpiQuery query)
        {
            var (from, to, by, scope) = (query.From, query.To, query.By, query.Scope ?? Scope.All);
            bool In(DateOnly day) => day >= from && day <= to;
            bool VisitorIn(string v) => (scope.Region is null || Province(v) == scope.Region) && (scope.Customers is null || scope.Customers.Contains(v));
            bool EventIn(RawEvent e) => In(Day(e.Ms)) && VisitorIn(e.Visitor) && (scope.Channel is null || e.Channel == scope.Channel)
                                        && (scope.Campaign is null || e.Campaign == scope.Campaign) && (scope.Category is null || Category(e.Sku) == scope.Category);
            bool OrderIn(RawOrder o) => In(Day(o.Ms)) && VisitorIn(o.Visitor) && (scope.Channel is null || o.Channel == scope.Channel)
                                        && (scope.Store is null || o.Store == scope.Store) && (scope.Category is null || Category(o.TopSku) == scope.Category)
                                        && (scope.Campaign is null || Campaign(o) == scope.Campaign);
            bool SpendIn(RawSpend s) => In(s.Day) && (scope.Channel is null || s.Channel == scope.Channel) && (scope.Campaign is null || s.Campaign == scope.Campaign);
            var traffic = by != KpiGrouping.Store && scope.Store is null;
            var spendable = by is not (KpiGrouping.Store or KpiGrouping.Category or KpiGrouping.Region)
                            && scope is { Store: null, Category: null, Region: null, Customers: null };
            string Period(DateOnly day) => by switch
            {
                KpiGrouping.Total => "total",
                KpiGrouping.Week => LocalCalendar.WeekOf(day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                KpiGrouping.Month => day.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                _ => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
            bool Timed() => by is KpiGrouping.Total or KpiGrouping.Day or KpiGrouping.Week or KpiGrouping.Month;
            string EventKey(RawEvent e) => Timed() ? Period(Day(e.Ms)) : (by switch
            {
                KpiGrouping.Channel => e.Channel,
                KpiGrouping.Campaign => e.Campaign,
                KpiGrouping.Category => Category(e.Sku),
                KpiGrouping.Region => Province(e.Visitor),
                _ => throw new InvalidOperationException("events have no store"),
            } ?? "(none)");
            string OrderKey(RawOrder o) => Timed() ? Period(Day(o.Ms)) : (by switch
            {
                KpiGrouping.Channel => o.Channel,
                KpiGrouping.Campaign => Campaign(o),
                KpiGrouping.Store => o.Store,
                KpiGrouping.Category => Category(o.TopSku),
                _ => Province(o.Visitor),
            } ?? "(none)");
            string SpendKey(RawSpend s) => Timed() ? Period(s.Day) : by == KpiGrouping.Channel ? s.Channel : s.Campaign.Length == 0 ? "(none)" : s.Campaign;

            var inEvents = traffic ? events.Where(EventIn).ToList() : [];
            var inOrders = orders.Where(OrderIn).ToList();
            var inSpend = spendable ? spend.Where(SpendIn).ToList() : [];
            var firstOrder = orders.GroupBy(o => o.Visitor).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Ms).First());
            var keys = Timed()
                ? Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(d => Period(from.AddDays(d)))
                : inEvents.Select(EventKey).Concat(inOrders.Select(OrderKey)).Concat(inSpend.Select(SpendKey));
            return keys.Distinct().Select(key =>
            {
                var keyOrders = inOrders.Where(o => OrderKey(o) == key).ToList();
                var buyers = keyOrders.GroupBy(o => o.Visitor).ToList();
                var keyEvents = inEvents.Where(e => EventKey(e) == key).ToList();
                return (key, keyOrders.Sum(o => o.Gmv), (long)keyOrders.Count, (long)buyers.Count, (long)buyers.Count(g => g.Count() >= 2),
                    (long)buyers.Count(g => g.Any(o => ReferenceEquals(o, firstOrder[g.Key]))),
                    traffic ? keyEvents.Select(e => e.Visitor).Distinct().Count() : (long?)null,
                    traffic ? keyEvents.Count(e => e.Type is "page_view" or "product_view") : (long?)null,
                    traffic ? keyEvents.Count(NewSession) : (long?)null,
                    spendable ? inSpend.Where(s => SpendKey(s) == key).Sum(s => s.Cost) : (long?)null);
            }).ToList();
        }
    }
}
