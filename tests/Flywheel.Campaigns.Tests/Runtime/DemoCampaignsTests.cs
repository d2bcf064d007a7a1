using System.Text.Json;
using Flywheel.Campaigns.Demo;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Ingestion.Demo;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Runtime;

/// <summary>
/// What <c>flywheel demo</c> adds to engage with: the paused journey, the planned broadcast, and the broadcast 双11 预热短信
/// already run in the demo's past by the real planner and dispatcher, whose results the stats query computes from the
/// demo's orders: sent messages, a 10% holdout, conversions and the lift.
/// </summary>
public sealed class DemoCampaignsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<(FlywheelStore Store, TestClock Clock)> DemoAsync(string engine, int customers, int days, int seed)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.FromHours(8)));
        var store = await TestStores.OpenAsync(engine, clock);
        await DemoStoreGenerator.GenerateAsync(store, new DemoOptions(Customers: customers, Days: days, Seed: seed), clock, null, None);
        await CampaignsModule.AddDemoAsync(store, clock, None);
        return (store, clock);
    }

    private static async Task<CampaignReport> StatsAsync(FlywheelStore store, TimeProvider clock) =>
        (await CampaignResults.ComputeAsync(store, new CampaignStore(store, clock), "broadcast", DemoCampaigns.PastBroadcastId, TimeSpan.FromDays(7), None)).Value;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Demo_PastBroadcastWasSentInThePast_AndItsStatsHaveAHoldoutAndConversions(string engine)
    {
        var (store, clock) = await DemoAsync(engine, 1_000, 200, 14);
        using var _ = store;
        var campaigns = new CampaignStore(store, clock);

        // The paused journey and the planned broadcast are as they were.
        Assert.Equal("paused", (await campaigns.GetJourneyAsync(DemoCampaigns.JourneyId, None))!.Status);
        Assert.Equal("planned", (await campaigns.GetBroadcastAsync(DemoCampaigns.BroadcastId, None))!.Status);

        var past = (await campaigns.GetBroadcastAsync(DemoCampaigns.PastBroadcastId, None))!;
        Assert.Equal("done", past.Status);
        Assert.Equal("双11 预热短信", past.Name);
        Assert.True(past.Planned > 0 && past.HeldOut > 0 && past.Enqueued > 0, $"{past}");
        // Sent 35 days before the demo's last day at 10:00 China time; every queued message delivered then (none left waiting).
        var sendAt = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(0, await TestStores.CountAsync(store, "messages", $"source_id = '{DemoCampaigns.PastBroadcastId}' AND status IN ('queued', 'sending', 'failed', 'dead')"));
        var delivered = await TestStores.CountAsync(store, "messages", $"source_id = '{DemoCampaigns.PastBroadcastId}' AND status = 'delivered'");
        Assert.Equal(past.Enqueued, delivered + await TestStores.CountAsync(store, "messages", $"source_id = '{DemoCampaigns.PastBroadcastId}' AND status = 'suppressed' AND attempts > 0"));
        Assert.Equal(delivered, await TestStores.CountAsync(store, "messages",
            $"source_id = '{DemoCampaigns.PastBroadcastId}' AND status = 'delivered' AND delivered_at >= {sendAt.ToUnixTimeMilliseconds()} AND delivered_at < {sendAt.AddDays(1).ToUnixTimeMilliseconds()}"));

        var report = await StatsAsync(store, clock);
        var treatment = Assert.Single(report.Variants, v => !v.Holdout);
        var holdout = Assert.Single(report.Variants, v => v.Holdout);
        Assert.Equal(delivered, treatment.Entered);
        Assert.Equal(past.HeldOut, holdout.Entered);
        Assert.True(treatment.Converted + holdout.Converted > 0, "the demo's orders convert some of the customers within a week");
        Assert.True(treatment.Converted == 0 || treatment.Revenue > 0);
        // The broadcast's messages are its one step: sent and delivered to the treatment, the holdout held out.
        var sent = Assert.Single(report.Steps, s => s.Variant is null);
        Assert.Equal(CampaignResults.BroadcastStep, sent.StepId);
        Assert.Equal(delivered, sent.Sent);
        Assert.Equal(delivered, sent.Delivered);
        Assert.Equal(past.HeldOut, Assert.Single(report.Steps, s => s.Variant == "control").HeldOut);
        var lift = Assert.Single(report.Lifts);
        Assert.Equal(treatment.Variant, lift.Variant);
        Assert.Equal((treatment.ConversionRate - holdout.ConversionRate) * 100, lift.DifferencePoints, 9);
    }

    [Fact]
    public async Task Demo_SameSeed_SamePastBroadcastResults()
    {
        string[] results = new string[2];
        for (var i = 0; i < 2; i++)
        {
            var (store, clock) = await DemoAsync(TestStores.Sqlite, 300, 60, 7);
            using var _ = store;
            var report = await StatsAsync(store, clock);
            var broadcast = (await new CampaignStore(store, clock).GetBroadcastAsync(DemoCampaigns.PastBroadcastId, None))!;
            results[i] = JsonSerializer.Serialize(new { report.Variants, report.Lifts, broadcast.Planned, broadcast.Enqueued, broadcast.HeldOut, broadcast.DefinitionJson });
        }
        Assert.Equal(results[0], results[1]);
        Assert.Contains("\"Holdout\":true", results[0], StringComparison.Ordinal);
    }
}
