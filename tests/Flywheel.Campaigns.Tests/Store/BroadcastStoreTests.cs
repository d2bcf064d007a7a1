using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Store;

public sealed class BroadcastStoreTests : IDisposable
{
    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    private static NewMessage[] Batch(int from, int count, int heldOutEvery = 10) =>
        Enumerable.Range(from, count).Select(i => Message($"b:d11:c{i:D6}", $"c{i:D6}", "broadcast", "d11", step: null,
            variant: i % heldOutEvery == 0 ? "control" : "A", status: i % heldOutEvery == 0 ? "held_out" : "queued")).ToArray();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Broadcast_ProgressMovesWithItsBatches(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        var saved = (await campaigns.SaveBroadcastAsync(new BroadcastDraft("d11", "双11", """{"template":"t1"}""", "vip"), None)).Value;
        Assert.Equal(("planned", 0L, (string?)null), (saved.Status, saved.Planned, saved.PlanCursor));
        Assert.Equal("conflict", (await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch(null, "c000099", 100, Batch(0, 100)), None)).Error!.Code);
        await campaigns.SetBroadcastStatusAsync("d11", "planning", "planned", None);
        Assert.Equal("conflict", (await campaigns.SaveBroadcastAsync(new BroadcastDraft("d11", "changed", "{}", null), None)).Error!.Code);

        var first = (await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch(null, "c000099", 100, Batch(0, 100)), None)).Value;
        Assert.Equal((90, 10), (first.Enqueued, first.HeldOut));
        Assert.Equal((100L, 90L, 10L, "c000099"), (first.Broadcast.Planned, first.Broadcast.Enqueued, first.Broadcast.HeldOut, first.Broadcast.PlanCursor));

        // A second planner (or a restarted one that did not reload the cursor) cannot add the same batch again.
        var repeat = await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch(null, "c000099", 100, Batch(0, 100)), None);
        Assert.Equal(("conflict", "expected_cursor"), (repeat.Error!.Code, repeat.Error.Path));

        var resumeFrom = (await campaigns.GetBroadcastAsync("d11", None))!.PlanCursor;
        var second = (await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch(resumeFrom, "c000149", 50, Batch(100, 50)), None)).Value;
        Assert.Equal((150L, 135L, 15L, "c000149"), (second.Broadcast.Planned, second.Broadcast.Enqueued, second.Broadcast.HeldOut, second.Broadcast.PlanCursor));
        Assert.Equal(150, await TestStores.CountAsync(store, "messages", "source_kind = 'broadcast' AND source_id = 'd11'"));

        await campaigns.SetBroadcastStatusAsync("d11", "sending", "planning", None);
        Assert.Equal("conflict", (await campaigns.SetBroadcastStatusAsync("d11", "sending", "planning", None)).Error!.Code);
        var cancelled = (await campaigns.SetBroadcastStatusAsync("d11", "cancelled", null, None)).Value;
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal(135, await TestStores.CountAsync(store, "messages", "status = 'cancelled'"));
        Assert.Equal(["d11"], (await campaigns.ListBroadcastsAsync("cancelled", None)).Value.Select(b => b.BroadcastId));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Broadcast_BatchThatFailsMidWay_LeavesNothing(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.SaveBroadcastAsync(new BroadcastDraft("d11", "双11", "{}", null), None);
        await campaigns.SetBroadcastStatusAsync("d11", "planning", null, None);
        await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch(null, "c000009", 10, Batch(0, 10)), None);
        var before = await campaigns.GetBroadcastAsync("d11", None);

        // The messages are written, then the cursor check fails: the rollback takes the messages with it.
        var stale = await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch("c000005", "c000019", 10, Batch(10, 10)), None);
        Assert.Equal("expected_cursor", stale.Error!.Path);
        // A bad message in the middle of a batch: refused before anything is written.
        var messages = Batch(10, 10);
        messages[5] = messages[5] with { DueAt = DateTimeOffset.FromUnixTimeMilliseconds(-1) };
        var bad = await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch("c000009", "c000019", 10, messages), None);
        Assert.Equal(("invalid", "messages[5].due_at"), (bad.Error!.Code, bad.Error.Path));
        // Cancelled part-way through the batch's work.
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch("c000009", "c000019", 10, Batch(10, 10)), cancel.Token));

        Assert.Equal(before, await campaigns.GetBroadcastAsync("d11", None));
        Assert.Equal(10, await TestStores.CountAsync(store, "messages"));

        var resumed = (await campaigns.AppendBroadcastBatchAsync("d11", new BroadcastBatch("c000009", "c000019", 10, Batch(10, 10)), None)).Value;
        Assert.Equal((20L, 18L, 2L), (resumed.Broadcast.Planned, resumed.Broadcast.Enqueued, resumed.Broadcast.HeldOut));
        Assert.Equal(20, await TestStores.CountAsync(store, "messages"));
    }
}
