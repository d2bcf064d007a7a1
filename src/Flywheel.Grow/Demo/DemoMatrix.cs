using Flywheel.Grow.Domain;
using Flywheel.Grow.Storage;
using Flywheel.Storage;

namespace Flywheel.Grow.Demo;

/// <summary>
/// The demo brand's own stage assignments for the channel matrix. Its email is the members' newsletter (会员通讯: member-day
/// notices, points, early access), so it serves loyalty rather than the default repurchase; every other channel keeps its default.
/// The demo store has no 社群 or own-site traffic, so without this the loyalty row would be empty.
/// </summary>
internal static class DemoMatrix
{
    public static async Task<int> AddAsync(FlywheelStore store, CancellationToken ct)
    {
        await ChannelStageStore.SetAsync(store, "email", LifecycleStage.Loyalty, ct);
        return 1;
    }
}
