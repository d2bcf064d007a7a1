using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Features.Content;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features;

/// <summary>The content report on <see cref="HandStore"/>, against numbers worked out by hand.</summary>
public sealed class ContentReportTests
{
    // Clicks (visits in 06-01..06-02): A = c1 10:00, c1 11:00 (10:10 continues the 10:00 visit), c2 09:00, c4, c6 = 5;
    //   B = c2 09:30, x1 15:00, x1 15:40 = 3 (c3's touch is before the period); E = c7..c10 = 4; C = 0; D not listed (published 06-05).
    // Orders: A = O1 (200.00); B = O2 (100.00) + O3 (300.00); O4 paid after the period, O5 13 days after its touch, O6 last touched Z.
    // CTR: A 5/1000 = 0.005, B 3/200 = 0.015, E 4/100 = 0.04, C none (0 views). CVR: A 1/5 = 0.2, B 2/3, E 0.
    // Medians over A, B, E: CTR 0.015, CVR 0.2 -> A sells_quietly (CTR low, CVR at the median), B sells, E watched_not_selling, C no_data.
    // Cost per order: A 100000 / 1, B 50000 / 2 = 25000. ROI: A 20000/100000 = 0.2, B 40000/50000 = 0.8, E 0/20000 = 0, C none.
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Report_MatchesHandWorkedNumbers(string engine)
    {
        using var store = await HandStore.OpenAsync(engine);
        var handler = new ContentReportHandler(store, new EventIndexHost(store), new TestClock());
        var result = await handler.HandleAsync("2026-06-01", "2026-06-02", "from", "to", CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        var r = result.Value;
        var items = r.Items.ToDictionary(i => i.ContentId);
        Assert.Equal(["A", "B", "C", "E"], items.Keys.Order());
        Assert.Equal((5L, 1L, 20_000L), (items["A"].Clicks, items["A"].Orders, items["A"].Gmv));
        Assert.Equal((3L, 2L, 40_000L), (items["B"].Clicks, items["B"].Orders, items["B"].Gmv));
        Assert.Equal((4L, 0L, 0L), (items["E"].Clicks, items["E"].Orders, items["E"].Gmv));
        Assert.Equal((0L, 0L), (items["C"].Clicks, items["C"].Orders));
        Assert.Equal(0.005, items["A"].Ctr!.Value, 12);
        Assert.Equal(0.015, items["B"].Ctr!.Value, 12);
        Assert.Null(items["C"].Ctr);
        Assert.Equal(0.2, items["A"].Cvr!.Value, 12);
        Assert.Equal(2.0 / 3, items["B"].Cvr!.Value, 12);
        Assert.Equal(0.015, r.MedianCtr!.Value, 12);
        Assert.Equal(0.2, r.MedianCvr!.Value, 12);
        Assert.Equal(Quadrant.SellsQuietly, items["A"].Quadrant);
        Assert.Equal(Quadrant.Sells, items["B"].Quadrant);
        Assert.Equal(Quadrant.WatchedNotSelling, items["E"].Quadrant);
        Assert.Equal(Quadrant.NoData, items["C"].Quadrant);
        Assert.Equal((100_000L, 25_000L, (long?)null), (items["A"].CostPerOrder!.Value, items["B"].CostPerOrder!.Value, items["E"].CostPerOrder));
        Assert.Equal(0.2, items["A"].Roi!.Value, 12);
        Assert.Equal(0.8, items["B"].Roi!.Value, 12);
        Assert.Null(items["C"].Roi);

        Assert.Equal(["douyin", "xiaohongshu", "weibo"], r.Platforms.Select(p => p.Platform));
        var xhs = r.Platforms[1];
        Assert.Equal((2, 100_000L, 1_000L, 5L, 1L, 20_000L, 100_000L), (xhs.Items, xhs.Cost, xhs.Views, xhs.Clicks, xhs.Orders, xhs.Gmv, xhs.CostPerOrder!.Value));
        Assert.Equal(0.005, xhs.Ctr!.Value, 12);
    }

    [Theory]
    [InlineData("2026-06-31", "2026-06-02", "from")]
    [InlineData("2026-06-01", "yesterday", "to")]
    [InlineData("2026-06-03", "2026-06-02", "from")]
    [InlineData("1900-01-01", "2026-06-02", "from")]
    public async Task Report_BadDays_NameTheParameter(string from, string to, string path)
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var result = await new ContentReportHandler(store, new EventIndexHost(store), new TestClock()).HandleAsync(from, to, "from", "to", CancellationToken.None);
        Assert.Equal(path, result.Error?.Path);
    }
}
