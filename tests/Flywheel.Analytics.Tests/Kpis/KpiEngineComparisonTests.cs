using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Analytics.Tests.Scopes;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Kpis;

/// <summary>Comparisons with the previous period and a year earlier, by hand.</summary>
public sealed class KpiEngineComparisonTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-kpi-compare-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<EventIndex> FixtureAsync(string engine)
    {
        using var store = await ScopeFixture.OpenAsync(engine, _folder);
        return await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
    }

    private static KpiReport Report(EventIndex index, KpiQuery query) => KpiEngine.Report(index, query).Value;

    [Fact]
    public void Ranges_PreviousIsEquallyLong_YearAgoMaps29FebruaryTo28()
    {
        var week = new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7));
        Assert.Equal((new DateOnly(2026, 4, 24), new DateOnly(2026, 4, 30)), week.PreviousRange);
        Assert.Equal((new DateOnly(2025, 5, 1), new DateOnly(2025, 5, 7)), week.YearAgoRange);
        var leap = new KpiQuery(new DateOnly(2028, 2, 1), new DateOnly(2028, 2, 29));
        Assert.Equal((new DateOnly(2028, 1, 3), new DateOnly(2028, 1, 31)), leap.PreviousRange);
        Assert.Equal((new DateOnly(2027, 2, 1), new DateOnly(2027, 2, 28)), leap.YearAgoRange);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Previous_Total_HandComputed(string engine)
    {
        var index = await FixtureAsync(engine);
        var report = Report(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, Compare: KpiComparison.Previous));
        var row = Assert.Single(report.Rows);
        Assert.Null(row.YearAgo);
        var previous = row.Previous!;
        Assert.Equal("total", previous.Key);
        Assert.Equal((10000L, 1L, 1L, 1L), (previous.Gmv, previous.Orders, previous.Buyers, previous.NewBuyers)); // o5, u2's first order
        Assert.Equal(1, previous.Visitors); // e8
        Assert.Equal(0, previous.Spend);
        Assert.Null(previous.Roi);

        var changes = KpiJson.Changes(row.Row, previous).ToDictionary(c => c.Name);
        Assert.Equal("440.00", changes["gmv"].Absolute);
        Assert.Equal(4.4, changes["gmv"].Relative);
        Assert.Equal("3", changes["orders"].Absolute);
        Assert.Equal(3.0, changes["orders"].Relative);
        Assert.Equal("4", changes["uv"].Absolute);
        Assert.Equal(-0.4, changes["cvr"].Relative!.Value, 12); // 3/5 against 1/1
        Assert.Equal("200.00", changes["spend"].Absolute);
        Assert.Null(changes["spend"].Relative); // nothing was spent before
        Assert.Null(changes["roi"].Absolute);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Previous_ByWeek_PairsWeeksByPosition(string engine)
    {
        var index = await FixtureAsync(engine);
        // Fri 05-01 .. Thu 05-07: the weeks of 04-27 (Fri-Sun) and 05-04 (Mon-Thu). The previous range Fri 04-24 .. Thu
        // 04-30 has the weeks of 04-20 (Fri-Sun) and 04-27 (Mon-Thu): the first week pairs with the first, not with the
        // previous range's week that has the same key.
        var report = Report(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, KpiGrouping.Week, Compare: KpiComparison.Previous));
        Assert.Equal(["2026-04-27", "2026-05-04"], report.Rows.Select(r => r.Row.Key).ToArray());
        Assert.Equal(["2026-04-20", "2026-04-27"], report.Rows.Select(r => r.Previous!.Key).ToArray());
        Assert.Equal([40000L, 14000], report.Rows.Select(r => r.Row.Gmv).ToArray());
        Assert.Equal([0L, 10000], report.Rows.Select(r => r.Previous!.Gmv).ToArray());

        var days = Report(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, KpiGrouping.Day, Compare: KpiComparison.Previous));
        Assert.Equal("2026-04-28", days.Rows[4].Previous!.Key); // 05-05 against 7 days earlier
        Assert.Equal((14000L, 10000L), (days.Rows[4].Row.Gmv, days.Rows[4].Previous!.Gmv));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Previous_ByChannel_PairsByKey_AnAbsentKeyIsAnEmptyRow(string engine)
    {
        var index = await FixtureAsync(engine);
        var report = Report(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, KpiGrouping.Channel, Compare: KpiComparison.Previous | KpiComparison.YearOverYear));
        var byKey = report.Rows.ToDictionary(r => r.Row.Key);
        Assert.Equal(["douyin", "jd", "tmall"], byKey.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(10000, byKey["jd"].Previous!.Gmv);
        Assert.Equal(1, byKey["jd"].Previous!.Visitors);
        var douyin = byKey["douyin"].Previous!;
        Assert.Equal(("douyin", 0L, 0L, 0L), (douyin.Key, douyin.Gmv, douyin.Visitors!.Value, douyin.Spend!.Value));
        Assert.All(report.Rows, r => Assert.Equal(0, r.YearAgo!.Gmv)); // nothing in May 2025

        // Under a store filter the partner keeps traffic and spend unmeasured.
        var stores = Report(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, KpiGrouping.Store, Compare: KpiComparison.Previous));
        var flagship = stores.Rows.Single(r => r.Row.Key == "flagship").Previous!;
        Assert.Equal((0L, (long?)null, (long?)null), (flagship.Gmv, flagship.Visitors, flagship.Spend));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Comparisons_KeepTheScope(string engine)
    {
        var index = await FixtureAsync(engine);
        var report = Report(index, new KpiQuery(ScopeFixture.From, ScopeFixture.To, Scope: new Scope(Channel: "jd"), Compare: KpiComparison.Previous));
        var row = Assert.Single(report.Rows);
        Assert.Equal(20000, row.Row.Gmv); // o2
        Assert.Equal(10000, row.Previous!.Gmv); // o5 was jd too
    }

    /// <summary>Orders only, in memory: 2027-02-28 40.00, 2027-03-01 30.00, 2028-02-28 10.00, 2028-02-29 100.00, 2028-03-01 20.00, 2029-02-28 7.00, 2029-03-01 8.00.</summary>
    private static EventIndex LeapYears()
    {
        var builder = new EventIndexBuilder.Builder();
        void Order(string customer, int year, int month, int day, long fen) =>
            builder.AddOrder(customer, new DateTimeOffset(year, month, day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(), "jd", null, fen, 0, 1, null);
        Order("u1", 2027, 2, 28, 4000);
        Order("u2", 2027, 3, 1, 3000);
        Order("u3", 2028, 2, 28, 1000);
        Order("u1", 2028, 2, 29, 10000);
        Order("u2", 2028, 3, 1, 2000);
        Order("u4", 2029, 2, 28, 700);
        Order("u4", 2029, 3, 1, 800);
        return builder.Build("Asia/Shanghai");
    }

    [Fact]
    public void YearAgo_ByDay_29FebruaryPairsWith28February()
    {
        var index = LeapYears();
        var report = Report(index, new KpiQuery(new DateOnly(2028, 2, 28), new DateOnly(2028, 3, 1), KpiGrouping.Day, Compare: KpiComparison.YearOverYear));
        Assert.Equal(["2027-02-28", "2027-02-28", "2027-03-01"], report.Rows.Select(r => r.YearAgo!.Key).ToArray());
        Assert.Equal([4000L, 4000, 3000], report.Rows.Select(r => r.YearAgo!.Gmv).ToArray());
        Assert.Equal([1000L, 10000, 2000], report.Rows.Select(r => r.Row.Gmv).ToArray());
        Assert.Equal((new DateOnly(2027, 2, 28), new DateOnly(2027, 3, 1)), report.RangeOf(KpiComparison.YearOverYear));

        var leapDay = Assert.Single(Report(index, new KpiQuery(new DateOnly(2028, 2, 29), new DateOnly(2028, 2, 29), Compare: KpiComparison.YearOverYear)).Rows);
        Assert.Equal((10000L, 4000L), (leapDay.Row.Gmv, leapDay.YearAgo!.Gmv));

        // The other way: a year after a leap year, 29 February has no partner row but is in last year's total.
        var after = Report(index, new KpiQuery(new DateOnly(2029, 2, 28), new DateOnly(2029, 3, 1), KpiGrouping.Day, Compare: KpiComparison.YearOverYear));
        Assert.Equal(["2028-02-28", "2028-03-01"], after.Rows.Select(r => r.YearAgo!.Key).ToArray());
        Assert.Equal([1000L, 2000], after.Rows.Select(r => r.YearAgo!.Gmv).ToArray());
        var total = Assert.Single(Report(index, new KpiQuery(new DateOnly(2029, 2, 28), new DateOnly(2029, 3, 1), Compare: KpiComparison.YearOverYear)).Rows);
        Assert.Equal((1500L, 13000L), (total.Row.Gmv, total.YearAgo!.Gmv));
    }

    [Fact]
    public void YearAgo_ByWeekAndMonth_PairsEachRowWithItsOwnDatesAYearEarlier()
    {
        var index = LeapYears();
        // Mon 2029-02-26 .. Sun 03-04 is one week; a year earlier the same dates run Mon 2028-02-26 .. Sun 03-04 and hold
        // 29 February, which no 2029 date maps to: the row's partner has 28 February and 1 March, the total also 29 February.
        var week = Report(index, new KpiQuery(new DateOnly(2029, 2, 26), new DateOnly(2029, 3, 4), KpiGrouping.Week, Compare: KpiComparison.YearOverYear));
        var row = Assert.Single(week.Rows);
        Assert.Equal(("2029-02-26", 1500L), (row.Row.Key, row.Row.Gmv));
        Assert.Equal(("2028-02-26", 3000L), (row.YearAgo!.Key, row.YearAgo.Gmv));

        // Mon 2028-02-21 .. Sun 03-05: the weeks of 02-21 and 02-28. A year earlier the second week's dates are
        // 2027-02-28 (from both 28 and 29 February) to 03-05; the weekdays have moved, so positions would pair the first
        // week with the one-day ISO week of Sun 2027-02-21.
        var weeks = Report(index, new KpiQuery(new DateOnly(2028, 2, 21), new DateOnly(2028, 3, 5), KpiGrouping.Week, Compare: KpiComparison.YearOverYear));
        Assert.Equal(["2027-02-21", "2027-02-28"], weeks.Rows.Select(r => r.YearAgo!.Key).ToArray());
        Assert.Equal([0L, 7000], weeks.Rows.Select(r => r.YearAgo!.Gmv).ToArray());
        Assert.Equal([0L, 13000], weeks.Rows.Select(r => r.Row.Gmv).ToArray());
        Assert.Equal(2, weeks.Rows[1].YearAgo!.Buyers); // one group: u1 and u2, not a sum of days

        var months = Report(index, new KpiQuery(new DateOnly(2028, 2, 1), new DateOnly(2028, 3, 31), KpiGrouping.Month, Compare: KpiComparison.YearOverYear));
        Assert.Equal(["2027-02", "2027-03"], months.Rows.Select(r => r.YearAgo!.Key).ToArray());
        Assert.Equal([4000L, 3000], months.Rows.Select(r => r.YearAgo!.Gmv).ToArray());
    }

    [Fact]
    public void Previous_Of1March_Is29FebruaryInALeapYear()
    {
        var row = Assert.Single(Report(LeapYears(), new KpiQuery(new DateOnly(2028, 3, 1), new DateOnly(2028, 3, 1), Compare: KpiComparison.Previous)).Rows);
        Assert.Equal((2000L, 10000L), (row.Row.Gmv, row.Previous!.Gmv));
    }

    [Fact]
    public void ByMonth_MoreRowsThanTheComparison_HaveNoPartner()
    {
        // 31 days from 2028-01-31: January (1 day) and February (29 days) and 1 March. The previous 31 days are all in
        // December and January: two rows, so 1 March has no partner.
        var report = Report(LeapYears(), new KpiQuery(new DateOnly(2028, 1, 31), new DateOnly(2028, 3, 1), KpiGrouping.Month, Compare: KpiComparison.Previous));
        Assert.Equal(["2028-01", "2028-02", "2028-03"], report.Rows.Select(r => r.Row.Key).ToArray());
        Assert.Equal(["2027-12", "2028-01"], report.Rows.Take(2).Select(r => r.Previous!.Key).ToArray());
        Assert.Null(report.Rows[2].Previous);
    }

    [Fact]
    public void Validate_RangesOutsideTheIndexTimes_NameTheField()
    {
        var index = LeapYears();
        Assert.Equal("from", KpiEngine.Report(index, new KpiQuery(new DateOnly(1969, 12, 31), new DateOnly(1970, 1, 5))).Error!.Path);
        Assert.Equal("to", KpiEngine.Report(index, new KpiQuery(new DateOnly(2087, 12, 1), new DateOnly(2088, 1, 1))).Error!.Path);
        Assert.Equal("compare", KpiEngine.Report(index, new KpiQuery(new DateOnly(1970, 1, 5), new DateOnly(1970, 1, 14), Compare: KpiComparison.Previous)).Error!.Path);
        Assert.Equal("compare", KpiEngine.Report(index, new KpiQuery(new DateOnly(1970, 6, 1), new DateOnly(1970, 6, 2), Compare: KpiComparison.YearOverYear)).Error!.Path);
        Assert.Equal("compare", KpiEngine.Report(index, new KpiQuery(new DateOnly(2028, 1, 1), new DateOnly(2028, 1, 2), Compare: (KpiComparison)4)).Error!.Path);
        Assert.Equal("by", KpiEngine.Run(index, new KpiQuery(new DateOnly(2028, 1, 1), new DateOnly(2028, 1, 2), (KpiGrouping)99)).Error!.Path);
    }

    [Fact]
    public void ParseComparisons_TakesRepeatsAndCommas_AndNamesCompareOtherwise()
    {
        Assert.Equal(KpiComparison.None, KpiQuery.ParseComparisons([]).Value);
        Assert.Equal(KpiComparison.Previous | KpiComparison.YearOverYear, KpiQuery.ParseComparisons(["previous,yoy"]).Value);
        Assert.Equal(KpiComparison.Previous | KpiComparison.YearOverYear, KpiQuery.ParseComparisons(["yoy", "previous"]).Value);
        Assert.Equal("compare", KpiQuery.ParseComparisons(["mom"]).Error!.Path);
        Assert.Equal("compare", KpiQuery.ParseComparisons([""]).Error!.Path);
        Assert.Equal(KpiGrouping.Region, KpiQuery.ParseGrouping("region"));
        Assert.Null(KpiQuery.ParseGrouping("4"));
        Assert.Null(KpiQuery.ParseGrouping("hour"));
    }
}
