using Flywheel.Storage;

namespace Flywheel.Grow.Demo;

/// <summary>
/// What a demo store holds for Grow, after <c>DemoStoreGenerator</c> built its customers, events, orders, spend and KOL posts:
/// each part adds its own (creators and collaborations, content with platform metrics, links and package cards, a trial
/// programme), in this order, from the generated record so the reports agree with it.
/// </summary>
internal static class GrowDemo
{
    public static async Task<GrowDemoSummary> AddAsync(FlywheelStore store, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var summary = new GrowDemoSummary();
        summary.ChannelStages = await DemoMatrix.AddAsync(store, ct);
        (summary.Creators, summary.Collaborations) = await DemoCreators.AddAsync(store, time, ct);
        (summary.Links, summary.PackageCardScans) = await DemoLinks.AddAsync(store, ct);
        await DemoContent.AddAsync(store, time, summary, ct);
        ct.ThrowIfCancellationRequested();
        return summary;
    }
}

/// <summary>What <see cref="GrowDemo.AddAsync"/> wrote, for the demo command's summary line.</summary>
internal sealed class GrowDemoSummary
{
    public int Creators { get; set; }
    public int Collaborations { get; set; }
    public int ContentItems { get; set; }
    public int Links { get; set; }
    public int TrialApplicants { get; set; }
    public int ChannelStages { get; set; }
    public int PackageCardScans { get; set; }

    public override string ToString() =>
        $"{Creators} creators, {Collaborations} collaborations, {ContentItems} content items, {Links} tracking links, {TrialApplicants} trial applicants, {PackageCardScans} package-card scans, {ChannelStages} channel stages set";
}
