using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain;
using Flywheel.Grow.Features.Creators;
using Flywheel.Ingestion.Demo;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Demo;

/// <summary>What <c>flywheel demo</c> holds for creators: every KOL of the posts, every tier, a collaboration per post with its code, and a report with data.</summary>
public sealed class DemoCreatorsTests
{
    [Fact]
    public async Task Demo_HasACreatorPerKol_EveryTier_ACollaborationPerPost_AndAReportWithData()
    {
        var clock = new TestClock(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.FromHours(8)));
        using var store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        await DemoStoreGenerator.GenerateAsync(store, new DemoOptions(Customers: 3_000, Days: 200, Seed: 7), clock, null, CancellationToken.None);
        var summary = await GrowModule.AddDemoAsync(store, clock, CancellationToken.None);

        var posts = await KolPosts.ListAsync(store, CancellationToken.None);
        var handler = Features.Creators.CreatorsStoreTests.Handler(store, clock);
        var creators = await handler.ListCreatorsAsync(CancellationToken.None);
        var collaborations = (await handler.ListCollaborationsAsync(null, null, CancellationToken.None)).Value;
        Assert.Contains($"{creators.Count} creators, {posts.Count} collaborations", summary, StringComparison.Ordinal);
        Assert.Subset(creators.Select(c => c.CreatorId).ToHashSet(), posts.Select(p => p.KolId).ToHashSet());
        foreach (var post in posts) Assert.Equal(post.KolTier, creators.Single(c => c.CreatorId == post.KolId).Tier);
        Assert.Equal(CreatorTier.All.ToHashSet(), creators.Select(c => c.Tier).ToHashSet());
        Assert.All(creators, c => Assert.Equal(c.Tier, CreatorTier.Suggest(c.Followers)));
        Assert.Equal(posts.Count, collaborations.Count);
        Assert.All(collaborations, c => Assert.InRange(c.CommissionBp, 500, 2000));
        Assert.All(collaborations, c => Assert.Contains(c.Status, new[] { "posted", "settled" }));
        Assert.Equal(posts.Sum(p => p.Cost), collaborations.Sum(c => c.Fee));
        Assert.Equal(posts.Count, collaborations.Select(c => c.CouponCode).Distinct().Count());
        Assert.Equal(posts.Count, await TestStores.CountAsync(store, "coupons", "batch_id = 'kol_exclusive'"));

        var index = await EventIndexes.BuildAsync(store, null, CancellationToken.None);
        var report = (await handler.ReportAsync(index, null, null, null, CancellationToken.None)).Value;
        Assert.True(report.Total.Gmv > 0 && report.Total.Orders > 0 && report.Total.Clicks > 0, $"the demo's KOL touches bring orders: {report.Total} {report.From}..{report.To}");
        Assert.Equal(posts.Sum(p => p.Cost), report.Total.Fee);
        Assert.True(report.Total.Commission > 0);
        // The model's KOL credit (last click) equals the report's: the demo has no code orders, so nothing is taken out.
        var credit = AttributedCredit.Run(index, report.From, report.To, CreditDimension.Kol, CreditModel.LastClick).Value;
        Assert.Equal(credit.Where(k => k.Key.StartsWith("kol_", StringComparison.Ordinal)).Sum(k => k.Gmv), report.Total.Gmv);
        var payouts = (await handler.PayoutsAsync(index, null, null, CancellationToken.None)).Value;
        Assert.NotEmpty(payouts.Lines);
        Assert.Equal(payouts.Total, payouts.Lines.Sum(l => l.Total));
    }
}
