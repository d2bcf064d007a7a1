using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Store;

/// <summary>Shared helpers for the campaign store tests.</summary>
internal static class StoreFixtures
{
    public static readonly CancellationToken None = CancellationToken.None;

    public static async Task<(FlywheelStore Store, CampaignStore Campaigns, TestClock Clock)> OpenAsync(string engine)
    {
        var clock = new TestClock();
        var store = await TestStores.OpenAsync(engine, clock);
        return (store, new CampaignStore(store, clock), clock);
    }

    public static NewMessage Message(string key, string customer = "c1", string sourceKind = "journey", string sourceId = "welcome",
        string? step = "s1", string? variant = "A", DateTimeOffset? due = null, string status = "queued", string purpose = "marketing") =>
        new(key, sourceKind, sourceId, step, variant, customer, "email", purpose, $"{customer}@example.com", "你好", "body", "<p>body</p>",
            "https://shop.example/u/x", due ?? new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), status);

    public static IReadOnlyList<NewMessage> Messages(int count, string prefix = "m", string sourceKind = "journey", string sourceId = "welcome",
        string status = "queued") =>
        Enumerable.Range(0, count).Select(i => Message($"{prefix}:{i}", $"c{i:D7}", sourceKind, sourceId, status: status)).ToArray();

    /// <summary>Runs <paramref name="work"/> on <paramref name="tasks"/> thread-pool tasks that all start at the same moment.</summary>
    public static async Task<T[]> AllAtOnceAsync<T>(int tasks, Func<int, Task<T>> work)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, tasks).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await work(i);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(running);
    }
}
