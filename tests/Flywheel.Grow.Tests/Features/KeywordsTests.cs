using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Keywords;
using Flywheel.Grow.Features.Keywords;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features;

/// <summary>The keyword table on <see cref="HandStore"/>, against numbers worked out by hand.</summary>
public sealed class KeywordsTests
{
    // On-site, 06-01..06-02:
    //   防晒: searches c1 09:50, c2 09:40 (c3's is before the period) = 2 by 2 searchers; clicked through: c1 (product view 5 min later), not c2
    //         (40 min later) = 1; orders: O1 (c1's last search before 12:00 is 防晒 09:50) + O3 (c3's search 23 h before) = 2, GMV 500.00; no zero results.
    //   口红: searches c2 09:45, x1 = 2, 2 searchers; c2's product view is 35 min after: not clicked; O2 (c2's last search before 10:00) = 1,
    //         GMV 100.00; both searches found nothing (results 0).
    // Paid (baidu): 防晒 cost 50.00, 15 clicks, 800 impressions, CPC 3.33, O11 converts (GMV 150.00), ROI 3; 口红 cost 10.00 (06-03 is after the
    //   period), 4 clicks, CPC 2.50; O12's last touch is tmall and O13's is organic: no conversions, ROI 0. tmall spend has no ad group.
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Keywords_MatchHandWorkedNumbers(string engine)
    {
        using var store = await HandStore.OpenAsync(engine);
        var result = await new KeywordsHandler(store, new EventIndexHost(store), new TestClock()).HandleAsync("2026-06-01", "2026-06-02", "from", "to", CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        var rows = result.Value.Keywords.ToDictionary(k => (k.Kind, k.Keyword));
        Assert.Equal(4, rows.Count);

        var sun = rows[(KeywordReport.Onsite, "防晒")];
        Assert.Equal((2L, 2L, 1L, 0L, 2L, 50_000L), (sun.Searches!.Value, sun.Searchers!.Value, sun.ClickedSearches!.Value, sun.ZeroResultSearches!.Value, sun.Orders, sun.Gmv));
        Assert.Equal(0.5, sun.ClickThrough!.Value, 12);
        Assert.Equal(1.0, sun.ConversionRate!.Value, 12);
        var lipstick = rows[(KeywordReport.Onsite, "口红")];
        Assert.Equal((2L, 2L, 0L, 2L, 1L, 10_000L), (lipstick.Searches!.Value, lipstick.Searchers!.Value, lipstick.ClickedSearches!.Value, lipstick.ZeroResultSearches!.Value, lipstick.Orders, lipstick.Gmv));
        Assert.Equal(1.0, lipstick.ZeroResultRate!.Value, 12);

        var paidSun = rows[(KeywordReport.Paid, "防晒")];
        Assert.Equal(("baidu", 800L, 15L, 5_000L, 333L, 1L, 15_000L), (paidSun.Channel, paidSun.Impressions!.Value, paidSun.Clicks!.Value, paidSun.Cost!.Value, paidSun.Cpc!.Value, paidSun.Orders, paidSun.Gmv));
        Assert.Equal(3.0, paidSun.Roi!.Value, 12);
        Assert.Equal(1.0 / 15, paidSun.ConversionRate!.Value, 12);
        var paidLipstick = rows[(KeywordReport.Paid, "口红")];
        Assert.Equal((4L, 1_000L, 250L, 0L, 0L), (paidLipstick.Clicks!.Value, paidLipstick.Cost!.Value, paidLipstick.Cpc!.Value, paidLipstick.Orders, paidLipstick.Gmv));
        Assert.Equal(0.0, paidLipstick.Roi!.Value, 12);
    }

    [Theory]
    [InlineData("""{"results":0}""", true)]
    [InlineData("""{"results": 0, "page": 2}""", true)]
    [InlineData("""{"results":3}""", false)]
    [InlineData("""{"results":"0"}""", false)]
    [InlineData("""[0]""", false)]
    [InlineData("""{"results":""", false)]
    [InlineData(null, false)]
    public void ZeroResults_ReadsTheResultsProperty(string? properties, bool zero) => Assert.Equal(zero, KeywordReport.ZeroResults(properties));
}
