using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Analytics.Tests.Scopes;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Kpis;

/// <summary>Every filter and keyed grouping on <see cref="ScopeFixture"/>, by hand.</summary>
public sealed class KpiEngineScopeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-kpi-scope-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<EventIndex> IndexAsync(string engine)
    {
        using var store = await ScopeFixture.OpenAsync(engine, _folder);
        return await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
    }

    private static KpiRow Total(EventIndex index, Scope? scope) =>
        Assert.Single(KpiEngine.Run(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, Scope: scope)).Value);

    private static void AssertOrders(KpiRow row, long gmv, long orders, long buyers, long newBuyers, long repeatBuyers)
    {
        Assert.True((gmv, orders, buyers, newBuyers, repeatBuyers) == (row.Gmv, row.Orders, row.Buyers, row.NewBuyers, row.RepeatBuyers),
            $"{row.Key}: expected gmv {gmv}, orders {orders}, buyers {buyers}, new {newBuyers}, repeat {repeatBuyers}; got {row}");
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task NoScope_HandComputed(string engine)
    {
        var index = await IndexAsync(engine);
        var row = Total(index, null);
        AssertOrders(row, 54000, 4, 3, 2, 1); // u1 and u3 first bought this week; u2 on 04-28
        Assert.Equal(5, row.Visitors); // u1, u2, u3, u4, anon-1
        Assert.Equal(20000, row.Spend);
        Assert.Equal(row, Total(index, Scope.All));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Channel_FiltersEventsOrdersAndSpendByTheirOwnChannel(string engine)
    {
        var index = await IndexAsync(engine);
        var row = Total(index, new Scope(Channel: "douyin"));
        AssertOrders(row, 20000, 2, 2, 1, 0); // o1, o3; u1's first order o1 is douyin, u2's is jd
        Assert.Equal(4, row.Visitors); // e1 u1, e3 u2, e6 anon-1, e5 u4
        Assert.Equal(3, row.PageViews); // e1, e6 page views, e5 product view; e3 is a click
        Assert.Equal(15000, row.Spend);
        Assert.Equal(20000.0 / 15000, row.Roi);
        Assert.Equal(15000, row.Cac);
        Assert.Equal(0.5, row.Cvr);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Campaign_OrdersCountUnderTheirLastTouchesCampaign(string engine)
    {
        var index = await IndexAsync(engine);
        var spring = Total(index, new Scope(Campaign: "spring"));
        AssertOrders(spring, 20000, 2, 2, 1, 0); // o1 (last touch e1), o3 (e3); o2's last touch e2 has no campaign
        Assert.Equal(3, spring.Visitors); // u1, u2, anon-1
        Assert.Equal(10000, spring.Spend);
        Assert.Equal(1000, spring.Impressions);

        var summer = Total(index, new Scope(Campaign: "summer"));
        AssertOrders(summer, 0, 0, 0, 0, 0); // o4: e4 is a search, not a touch; e7 is 65 days earlier
        Assert.Equal(2, summer.Visitors); // e4 u3, e5 u4: events count under their own campaign, touches or not
        Assert.Equal(7000, summer.Spend);
        Assert.Equal(0.0, summer.Roi);
        Assert.Null(summer.Cac);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Store_FiltersOrders_TrafficAndSpendAreNotReported(string engine)
    {
        var index = await IndexAsync(engine);
        var row = Total(index, new Scope(Store: "flagship"));
        AssertOrders(row, 34000, 3, 3, 2, 0); // o1, o3, o4; new: u1 (o1), u3 (o4)
        Assert.Null(row.Visitors);
        Assert.Null(row.PageViews);
        Assert.Null(row.Sessions);
        Assert.Null(row.Cvr);
        Assert.Null(row.Spend);
        Assert.Null(row.Roi);
        Assert.Null(row.Cac);
        Assert.Equal(11333, row.Aov); // 340.00 / 3, half up
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Category_FiltersOrdersByLargestLineAndEventsBySku(string engine)
    {
        var index = await IndexAsync(engine);
        var home = Total(index, new Scope(Category: "home"));
        AssertOrders(home, 34000, 2, 2, 1, 0); // o2, o4 (k3 is its largest line); u1's first order o1 is beauty
        Assert.Equal(2, home.Visitors); // e2 u1, e5 u4 viewed k3
        Assert.Null(home.Spend);

        var beauty = Total(index, new Scope(Category: "beauty"));
        AssertOrders(beauty, 20000, 2, 2, 1, 0); // o1, o3
        Assert.Equal(1, beauty.Visitors); // e1 only: events without a SKU are in no category
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Region_FiltersVisitorsByProvince(string engine)
    {
        var index = await IndexAsync(engine);
        var row = Total(index, new Scope(Region: "广东"));
        AssertOrders(row, 44000, 3, 2, 2, 1); // u1: o1, o2; u3: o4
        Assert.Equal(2, row.Visitors);
        Assert.Null(row.Spend);
        Assert.Null(row.Roi);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Customers_FilterVisitorsByKey_AndFiltersCombine(string engine)
    {
        var index = await IndexAsync(engine);
        var segment = new Scope(Customers: new HashSet<string>(StringComparer.Ordinal) { "u2", "u4", "nobody" }, Segment: "lapsed");
        var row = Total(index, segment);
        AssertOrders(row, 10000, 1, 1, 0, 0); // o3
        Assert.Equal(2, row.Visitors); // e3 u2, e5 u4
        Assert.Null(row.Spend);

        var nobody = Total(index, new Scope(Customers: new HashSet<string>()));
        AssertOrders(nobody, 0, 0, 0, 0, 0);
        Assert.Equal(0, nobody.Visitors);

        var both = Total(index, new Scope(Channel: "douyin", Region: "广东"));
        AssertOrders(both, 10000, 1, 1, 1, 0); // o1
        Assert.Equal(1, both.Visitors); // e1
        Assert.Null(both.Spend);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task KeyedGroupings_HandComputed(string engine)
    {
        var index = await IndexAsync(engine);
        IReadOnlyList<KpiRow> By(KpiGrouping by, Scope? scope = null) => KpiEngine.Run(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, by, scope)).Value;

        var campaigns = By(KpiGrouping.Campaign);
        Assert.Equal(["(none)", "spring", "summer"], campaigns.Select(r => r.Key).ToArray());
        AssertOrders(campaigns[0], 34000, 2, 2, 1, 0); // o2, o4
        Assert.Equal(1, campaigns[0].Visitors); // e2
        Assert.Equal(3000, campaigns[0].Spend);
        Assert.Equal(3, campaigns[1].Visitors);
        Assert.Equal(7000, campaigns[2].Spend);

        var stores = By(KpiGrouping.Store);
        Assert.Equal(["flagship", "jd-shop"], stores.Select(r => r.Key).ToArray());
        AssertOrders(stores[0], 34000, 3, 3, 2, 0);
        AssertOrders(stores[1], 20000, 1, 1, 0, 0);
        Assert.All(stores, r => Assert.Null(r.Visitors));
        Assert.All(stores, r => Assert.Null(r.Spend));

        var categories = By(KpiGrouping.Category);
        Assert.Equal(["home", "beauty", "(none)"], categories.Select(r => r.Key).ToArray());
        Assert.Equal([34000L, 20000, 0], categories.Select(r => r.Gmv).ToArray());
        Assert.Equal([2L, 1, 3], categories.Select(r => r.Visitors!.Value).ToArray()); // (none): e3, e4, e6 carry no SKU
        Assert.All(categories, r => Assert.Null(r.Spend));

        var regions = By(KpiGrouping.Region);
        Assert.Equal(["广东", "浙江", "(none)"], regions.Select(r => r.Key).ToArray());
        Assert.Equal([44000L, 10000, 0], regions.Select(r => r.Gmv).ToArray());
        Assert.Equal([2L, 1, 2], regions.Select(r => r.Visitors!.Value).ToArray()); // (none): u4, anon-1

        var douyinByStore = By(KpiGrouping.Store, new Scope(Channel: "douyin"));
        Assert.Equal(20000, Assert.Single(douyinByStore).Gmv);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CampaignGrouping_AgreesWithLastClickAttributionByCampaign(string engine)
    {
        var index = await IndexAsync(engine);
        var kpis = KpiEngine.Run(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, KpiGrouping.Campaign)).Value
            .Where(r => r.Gmv > 0).ToDictionary(r => r.Key, r => r.Gmv);
        var lastClick = Analytics.Attribution.AttributionEngine.Run(index,
                new Analytics.Attribution.AttributionQuery(ScopeFixture.From, ScopeFixture.To, Analytics.Attribution.AttributionDimension.Campaign),
                [Analytics.Attribution.AttributionModel.LastClick]).Value.Models[0].Rows
            .Where(r => r.Gmv > 0).GroupBy(r => r.Key == Analytics.Attribution.AttributionEngine.Direct ? "(none)" : r.Key)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Gmv));
        Assert.Equal(lastClick.OrderBy(x => x.Key, StringComparer.Ordinal), kpis.OrderBy(x => x.Key, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task UnknownOrEmptyFilterValue_IsAnErrorNamingTheField(string engine)
    {
        var index = await IndexAsync(engine);
        string? Path(Scope scope) => KpiEngine.Run(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, Scope: scope)).Error?.Path;
        Assert.Equal("channel", Path(new Scope(Channel: "nowhere")));
        Assert.Equal("campaign", Path(new Scope(Campaign: "winter")));
        Assert.Equal("store", Path(new Scope(Store: "outlet")));
        Assert.Equal("category", Path(new Scope(Category: "toys")));
        Assert.Equal("region", Path(new Scope(Region: "西藏")));
        Assert.Equal("channel", Path(new Scope(Channel: "")));
        Assert.Equal("region", Path(new Scope(Region: "")));
        Assert.Equal("segment", Path(new Scope(Segment: "vip"))); // a segment name without its resolved customers
    }
}
