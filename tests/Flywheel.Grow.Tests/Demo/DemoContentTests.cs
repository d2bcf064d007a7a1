using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Domain.Keywords;
using Flywheel.Grow.Demo;
using Flywheel.Grow.Features.Content;
using Flywheel.Grow.Features.Keywords;
using Flywheel.Grow.Features.Trials;
using Flywheel.Ingestion.Demo;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Demo;

/// <summary>On the demo store: the content report, the keyword table and the trial programme have data to show.</summary>
public sealed class DemoContentTests
{
    [Fact]
    public async Task DemoStore_ContentKeywordsAndTrial_HaveData()
    {
        var clock = new TestClock(new DateTimeOffset(2026, 11, 20, 13, 0, 0, TimeSpan.FromHours(8)));
        using var store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        await DemoStoreGenerator.GenerateAsync(store, new DemoOptions(Customers: 600, Days: 60), clock, null, CancellationToken.None);
        await GrowModule.AddDemoAsync(store, clock, CancellationToken.None);
        var posts = await TestStores.CountAsync(store, "content_posts");
        Assert.Equal(posts + 5, await TestStores.CountAsync(store, "grow_content"));
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_content c", "c.owner IN ('kol', 'koc') AND NOT EXISTS (SELECT 1 FROM content_posts p WHERE p.post_id = c.content_id)"));

        var host = new EventIndexHost(store);
        var content = new ContentReportHandler(store, host, clock);
        var report = (await content.HandleAsync(null, null, "from", "to", CancellationToken.None)).Value;
        Assert.Equal(new DateOnly(2026, 11, 20), report.To);
        Assert.Contains(report.Items, i => i.Orders > 0);
        Assert.All(report.Items.Where(i => i.Clicks > 0), i => Assert.True(i.Views > 10 * i.Clicks, $"{i.ContentId}: {i.Views} views, {i.Clicks} clicks"));
        Assert.Contains(report.Items, i => i.Quadrant == Quadrant.WatchedNotSelling);
        Assert.Contains(report.Items, i => i.Quadrant == Quadrant.Sells);
        Assert.True(report.Platforms.Count >= 4);

        var keywords = (await new KeywordsHandler(store, host, clock).HandleAsync(null, null, "from", "to", CancellationToken.None)).Value.Keywords;
        Assert.Contains(keywords, k => k.Kind == KeywordReport.Onsite && k.ZeroResultSearches > 0 && k.Keyword == "双11攻略");
        Assert.Contains(keywords, k => k.Kind == KeywordReport.Onsite && k.Orders > 0);
        Assert.Contains(keywords, k => k.Kind == KeywordReport.Paid && k.Channel == "baidu" && k.Cost > 0 && k.Clicks > 0);
        Assert.Contains(keywords, k => k.Kind == KeywordReport.Paid && k.Orders > 0);
        // The keyword rows split baidu's spend without changing it.
        Assert.Equal(await TestStores.ScalarAsync(store, "SELECT SUM(cost) FROM ad_spend WHERE channel = 'baidu' AND date >= '2026-10-22'"),
            keywords.Where(k => k.Kind == KeywordReport.Paid).Sum(k => k.Cost!.Value));

        var trials = new TrialsHandler(store, clock, host, content);
        var detail = (await trials.GetAsync(DemoTrials.TrialId, CancellationToken.None)).Value;
        Assert.Equal(["applied", "posted", "rejected", "selected", "shipped"], detail.Applicants.Select(a => a.Status).Distinct().Order());
        var trial = (await trials.ReportAsync(DemoTrials.TrialId, CancellationToken.None)).Value.Single();
        Assert.True(trial.Posted > 0 && trial.Cost > 0 && trial.CostPerPost > 0);
    }
}
