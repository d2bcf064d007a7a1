using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Store;

public sealed class QueueStoreTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Enqueue_SameKeyTwice_OneRow(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        Assert.Equal(1, (await campaigns.EnqueueAsync([Message("k1")], None)).Value);
        Assert.Equal(0, (await campaigns.EnqueueAsync([Message("k1", customer: "someone-else")], None)).Value);
        // A repeat inside one call counts once too; the first of the two is the one kept.
        Assert.Equal(1, (await campaigns.EnqueueAsync([Message("k2", customer: "first"), Message("k2", customer: "second"), Message("k1")], None)).Value);
        Assert.Equal(2, await TestStores.CountAsync(store, "messages"));
        Assert.Equal("c1", (await campaigns.GetMessageByKeyAsync("k1", None))!.CustomerId);
        Assert.Equal("first", (await campaigns.GetMessageByKeyAsync("k2", None))!.CustomerId);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Enqueue_MoreThanABatch_AllStoredInOrder(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        var messages = Messages(CampaignStore.EnqueueBatch * 2 + 7);
        Assert.Equal(messages.Count, (await campaigns.EnqueueAsync(messages, None)).Value);
        Assert.Equal(0, (await campaigns.EnqueueAsync(messages, None)).Value);
        var first = (await campaigns.GetMessageByKeyAsync("m:0", None))!;
        var last = (await campaigns.GetMessageByKeyAsync($"m:{messages.Count - 1}", None))!;
        Assert.Equal(messages.Count - 1, last.MessageId - first.MessageId);
        Assert.Equal(("queued", 0, "你好", "<p>body</p>"), (first.Status, first.Attempts, first.Subject, first.BodyHtml));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ClaimAndDeliver_Lifecycle(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.EnqueueAsync([Message("due", due: now.AddMinutes(-1)), Message("later", due: now.AddHours(1)), Message("held", status: "held_out")], None);

        var claimed = (await campaigns.ClaimAsync("w1", now, 10, Lease, None)).Value;
        var message = Assert.Single(claimed);
        Assert.Equal(("due", "sending", 1, "w1"), (message.IdempotencyKey, message.Status, message.Attempts, message.LeaseOwner));
        Assert.Equal(now.AddMinutes(5), message.LeaseUntil);
        Assert.Empty((await campaigns.ClaimAsync("w2", now, 10, Lease, None)).Value);

        Assert.False((await campaigns.MarkDeliveredAsync(message.MessageId, "w2", "p-1", None)).Value);
        Assert.True((await campaigns.MarkDeliveredAsync(message.MessageId, "w1", "p-1", None)).Value);
        Assert.False((await campaigns.MarkDeliveredAsync(message.MessageId, "w1", "p-1", None)).Value);
        var delivered = (await campaigns.GetMessageAsync(message.MessageId, None))!;
        Assert.Equal(("delivered", "p-1", (string?)null), (delivered.Status, delivered.ProviderMessageId, delivered.LeaseOwner));
        Assert.NotNull(delivered.DeliveredAt);

        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("later", Assert.Single((await campaigns.ClaimAsync("w1", clock.GetUtcNow(), 10, Lease, None)).Value).IdempotencyKey);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task LeaseExpiry_CrashedWorkersMessageIsReclaimed_AndItsLateAnswerRefused(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.EnqueueAsync([Message("k", due: clock.GetUtcNow())], None);
        var crashed = Assert.Single((await campaigns.ClaimAsync("crashed", clock.GetUtcNow(), 10, Lease, None)).Value);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty((await campaigns.ClaimAsync("w2", clock.GetUtcNow(), 10, Lease, None)).Value);
        clock.Advance(TimeSpan.FromMinutes(1));
        var reclaimed = Assert.Single((await campaigns.ClaimAsync("w2", clock.GetUtcNow(), 10, Lease, None)).Value);
        Assert.Equal((crashed.MessageId, 2, "w2"), (reclaimed.MessageId, reclaimed.Attempts, reclaimed.LeaseOwner));

        Assert.False((await campaigns.MarkDeliveredAsync(crashed.MessageId, "crashed", "late", None)).Value);
        Assert.False((await campaigns.MarkFailedAsync(crashed.MessageId, "crashed", "late", null, None)).Value);
        Assert.True((await campaigns.MarkDeliveredAsync(crashed.MessageId, "w2", "p-2", None)).Value);
        Assert.Equal("p-2", (await campaigns.GetMessageAsync(crashed.MessageId, None))!.ProviderMessageId);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Failures_RetryThenDeadLetter(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.EnqueueAsync([Message("k", due: clock.GetUtcNow())], None);
        const int maxAttempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var message = Assert.Single((await campaigns.ClaimAsync("w", clock.GetUtcNow(), 10, Lease, None)).Value);
            Assert.Equal(attempt, message.Attempts);
            var retryAt = message.Attempts < maxAttempts ? clock.GetUtcNow().AddMinutes(1) : (DateTimeOffset?)null;
            Assert.True((await campaigns.MarkFailedAsync(message.MessageId, "w", $"timeout {attempt}", retryAt, None)).Value);
            var stored = (await campaigns.GetMessageAsync(message.MessageId, None))!;
            if (retryAt is null)
            {
                Assert.Equal(("dead", 3, "timeout 3"), (stored.Status, stored.Attempts, stored.LastError));
                break;
            }
            Assert.Equal(("failed", retryAt.Value), (stored.Status, stored.DueAt));
            Assert.Empty((await campaigns.ClaimAsync("w", clock.GetUtcNow(), 10, Lease, None)).Value);
            clock.Advance(TimeSpan.FromMinutes(1));
        }
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Empty((await campaigns.ClaimAsync("w", clock.GetUtcNow(), 10, Lease, None)).Value);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Defer_KeepsAttempts_SuppressAndCancel(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.EnqueueAsync([Message("a", customer: "c1", due: now), Message("b", customer: "c2", due: now),
            Message("c", customer: "c3", due: now.AddHours(1)), Message("d", customer: "c4", due: now.AddHours(1))], None);
        var claimed = (await campaigns.ClaimAsync("w", now, 2, Lease, None)).Value;
        Assert.Equal(["a", "b"], claimed.Select(m => m.IdempotencyKey));

        Assert.True((await campaigns.DeferAsync(claimed[0].MessageId, "w", now.AddHours(8), "quiet hours", None)).Value);
        var deferred = (await campaigns.GetMessageAsync(claimed[0].MessageId, None))!;
        Assert.Equal(("queued", 0, now.AddHours(8), "quiet hours"), (deferred.Status, deferred.Attempts, deferred.DueAt, deferred.LastError));

        Assert.True((await campaigns.MarkSuppressedAsync(claimed[1].MessageId, "w", "unsubscribed", None)).Value);
        Assert.Equal("suppressed", (await campaigns.GetMessageAsync(claimed[1].MessageId, None))!.Status);

        Assert.Equal(1, (await campaigns.CancelQueuedAsync("journey", "welcome", "c3", "paid", None)).Value);
        Assert.Equal(2, (await campaigns.CancelQueuedAsync("journey", "welcome", null, "stopped", None)).Value);
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Empty((await campaigns.ClaimAsync("w", clock.GetUtcNow(), 10, Lease, None)).Value);
        Assert.Equal(3, await TestStores.CountAsync(store, "messages", "status = 'cancelled'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ListMessages_FiltersAndPagesNewestFirst(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.EnqueueAsync(Enumerable.Range(0, 25).Select(i => Message($"k{i}", customer: i % 2 == 0 ? "even" : "odd")).ToArray(), None);
        await campaigns.EnqueueAsync([Message("b1", sourceKind: "broadcast", sourceId: "d11", customer: "even")], None);

        var seen = new List<string>();
        long? before = null;
        do
        {
            var page = (await campaigns.ListMessagesAsync(new MessageQuery(CustomerId: "even", SourceKind: "journey", BeforeId: before, Limit: 5), None)).Value;
            seen.AddRange(page.Messages.Select(m => m.IdempotencyKey));
            before = page.NextBeforeId;
        }
        while (before is not null);
        Assert.Equal(Enumerable.Range(0, 13).Select(i => $"k{24 - 2 * i}"), seen);
        Assert.Equal("b1", Assert.Single((await campaigns.ListMessagesAsync(new MessageQuery(SourceKind: "broadcast", SourceId: "d11"), None)).Value.Messages).IdempotencyKey);
        Assert.Equal(26, (await campaigns.ListMessagesAsync(new MessageQuery(Status: "queued", Limit: 1000), None)).Value.Messages.Count);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Tokens_ResolveAndRecordOnce(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.EnqueueAsync([Message("k", customer: "c9")], None);
        var id = (await campaigns.GetMessageByKeyAsync("k", None))!.MessageId;
        var click = (await campaigns.CreateTokenAsync(id, "click", "https://shop.example/p/1", None)).Value;
        var unsubscribe = (await campaigns.CreateTokenAsync(id, "unsubscribe", null, None)).Value;
        Assert.NotEqual(click, unsubscribe);
        Assert.Equal(22, click.Length);
        Assert.All(click, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        Assert.Equal(new ResolvedToken(id, "click", "https://shop.example/p/1", "c9"), await campaigns.ResolveTokenAsync(click, None));
        Assert.Equal(new ResolvedToken(id, "unsubscribe", null, "c9"), await campaigns.ResolveTokenAsync(unsubscribe, None));
        Assert.Null(await campaigns.ResolveTokenAsync("not-a-token", None));
        Assert.Equal("not_found", (await campaigns.CreateTokenAsync(id + 1000, "click", "https://x", None)).Error!.Code);

        Assert.True(await campaigns.RecordClickAsync(id, None));
        Assert.False(await campaigns.RecordClickAsync(id, None));
        Assert.False(await campaigns.RecordOpenAsync(id, None));
        Assert.True((await campaigns.RecordConversionAsync(id, "o1", 19900, None)).Value);
        Assert.False((await campaigns.RecordConversionAsync(id, "o2", 100, None)).Value);
        var message = (await campaigns.GetMessageAsync(id, None))!;
        Assert.NotNull(message.OpenedAt);
        Assert.Equal(("o1", (long?)19900), (message.ConvertedOrderId, message.Revenue));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Suppressions_ChannelAndEveryChannel(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.AddSuppressionAsync("email", "a@example.com", "bounced", None);
        await campaigns.AddSuppressionAsync("*", "13800000000", "complaint", None);
        await campaigns.AddSuppressionAsync("email", "a@example.com", "unsubscribed", None);
        Assert.True(await campaigns.IsSuppressedAsync("email", "a@example.com", None));
        Assert.False(await campaigns.IsSuppressedAsync("sms", "a@example.com", None));
        Assert.True(await campaigns.IsSuppressedAsync("sms", "13800000000", None));
        var list = (await campaigns.ListSuppressionsAsync(null, null, 10, None)).Value;
        Assert.Equal([("*", "13800000000"), ("email", "a@example.com")], list.Select(s => (s.Channel, s.Address)));
        Assert.Equal("unsubscribed", list[1].Reason);
        Assert.True(await campaigns.RemoveSuppressionAsync("email", "a@example.com", None));
        Assert.False(await campaigns.IsSuppressedAsync("email", "a@example.com", None));
        Assert.False(await campaigns.RemoveSuppressionAsync("email", "a@example.com", None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FrequencyCaps_AllWindowsOrNone_ReleaseGivesBack(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        (string, int)[] windows = [("d:2026-11-22", 2), ("w:2026-W47", 3)];
        Assert.True((await campaigns.TryReserveFrequencyAsync("c1", 1, windows, None)).Value);
        Assert.True((await campaigns.TryReserveFrequencyAsync("c1", 1, windows, None)).Value); // the same message again: already holds its slots
        Assert.True((await campaigns.TryReserveFrequencyAsync("c1", 2, windows, None)).Value);
        Assert.False((await campaigns.TryReserveFrequencyAsync("c1", 3, windows, None)).Value); // the day is full
        Assert.Equal(2, await campaigns.FrequencyUsedAsync("c1", "w:2026-W47", None)); // ... and the week slot was not kept
        Assert.True((await campaigns.TryReserveFrequencyAsync("c1", 4, [("d:2026-11-23", 2), ("w:2026-W47", 3)], None)).Value);
        Assert.False((await campaigns.TryReserveFrequencyAsync("c1", 5, [("d:2026-11-24", 2), ("w:2026-W47", 3)], None)).Value); // the week is full
        Assert.Equal(0, await campaigns.FrequencyUsedAsync("c1", "d:2026-11-24", None));
        Assert.Equal(2, await campaigns.ReleaseFrequencyAsync(2, None));
        Assert.True((await campaigns.TryReserveFrequencyAsync("c1", 3, windows, None)).Value);
        Assert.True((await campaigns.TryReserveFrequencyAsync("c2", 6, windows, None)).Value); // another customer's windows are their own
        Assert.False((await campaigns.TryReserveFrequencyAsync("c1", 7, [("d:2026-12-01", 0)], None)).Value);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FrequencySlots_GivenBackByDeadLetterDeferSuppressAndCancel_KeptByDeliveryAndRetry(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.EnqueueAsync(Enumerable.Range(0, 6).Select(i => Message($"k{i}", due: now)).ToArray(), None);
        var claimed = (await campaigns.ClaimAsync("w", now, 10, Lease, None)).Value;
        foreach (var m in claimed) Assert.True((await campaigns.TryReserveFrequencyAsync("c1", m.MessageId, [("d:2026-11-01", 10)], None)).Value);
        await campaigns.MarkDeliveredAsync(claimed[0].MessageId, "w", null, None);
        await campaigns.MarkFailedAsync(claimed[1].MessageId, "w", "timeout", now.AddMinutes(1), None);
        await campaigns.MarkFailedAsync(claimed[2].MessageId, "w", "bad address", null, None);
        await campaigns.DeferAsync(claimed[3].MessageId, "w", now.AddHours(9), "quiet hours", None);
        await campaigns.MarkSuppressedAsync(claimed[4].MessageId, "w", "unsubscribed", None);
        Assert.Equal(3, await campaigns.FrequencyUsedAsync("c1", "d:2026-11-01", None));
        Assert.Equal(2, (await campaigns.CancelQueuedAsync("journey", "welcome", "c1", "paid", None)).Value); // k1 (failed) and k3 (deferred)
        Assert.Equal(2, await campaigns.FrequencyUsedAsync("c1", "d:2026-11-01", None)); // k0 delivered, k5 still sending
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Stats_CountByStepAndVariant(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.SaveJourneyAsync(new JourneyDraft("welcome", "Welcome", "{}", "active"), null, None);
        await campaigns.TryEnterAsync("welcome", "c1", 1, "s1", now, "A", null, None);
        await campaigns.TryEnterAsync("welcome", "c2", 1, "s1", now, "A", null, None);
        await campaigns.TryEnterAsync("welcome", "c3", 1, "s1", now, "B", null, None);
        await campaigns.ExitActiveEntriesAsync("welcome", "c2", "paid", None);
        await campaigns.EnqueueAsync([Message("1", "c1", due: now), Message("2", "c2", due: now), Message("3", "c3", variant: "B", due: now),
            Message("4", "c3", variant: "B", status: "held_out"), Message("5", "c1", step: "s2", due: now.AddDays(1))], None);
        foreach (var m in (await campaigns.ClaimAsync("w", now, 10, Lease, None)).Value)
        {
            if (m.CustomerId == "c2") await campaigns.MarkFailedAsync(m.MessageId, "w", "bounce", null, None);
            else await campaigns.MarkDeliveredAsync(m.MessageId, "w", null, None);
        }
        var first = (await campaigns.GetMessageByKeyAsync("1", None))!.MessageId;
        await campaigns.RecordClickAsync(first, None);
        await campaigns.RecordConversionAsync(first, "o1", 5000, None);

        var rows = (await campaigns.StatsAsync("journey", "welcome", None)).Value;
        Assert.Equal([(null, "A"), (null, "B"), ("s1", "A"), ("s1", "B"), ("s2", "A")], rows.Select(r => (r.StepId, r.Variant)));
        Assert.Equal((2L, 1L, 1L), (rows[0].Entered, rows[0].Active, rows[0].Exited));
        Assert.Equal((1L, 1L, 1L, 1L, 1L, 5000L), (rows[2].Delivered, rows[2].Dead, rows[2].Opened, rows[2].Clicked, rows[2].Converted, rows[2].Revenue));
        Assert.Equal((1L, 1L), (rows[3].Delivered, rows[3].HeldOut));
        Assert.Equal(1L, rows[4].Queued);
    }
}
