using Flywheel.Primitives;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Store;

/// <summary>Bad input: an invalid error naming the field, and nothing written.</summary>
public sealed class CampaignValidationTests : IDisposable
{
    private static readonly string[] Tables =
        ["journeys", "journey_entries", "messages", "message_tokens", "frequency_slots", "suppressions", "broadcasts"];

    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    private static async Task<string> SnapshotAsync(Flywheel.Storage.FlywheelStore store)
    {
        var parts = new List<string>();
        foreach (var table in Tables) parts.Add($"{table}={await TestStores.CountAsync(store, table)}");
        return string.Join(" ", parts);
    }

    private static void AssertInvalid(Error? error, string path)
    {
        Assert.NotNull(error);
        Assert.Equal(("invalid", path), (error.Code, error.Path));
        Assert.Contains(path.Split('.')[^1].Split('[')[0], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadInput_NamesTheField_WritesNothing(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        var before = await SnapshotAsync(store);
        var tooLong = new string('x', 129);

        AssertInvalid((await campaigns.EnqueueAsync([Message("ok"), Message("")], None)).Error, "messages[1].idempotency_key");
        AssertInvalid((await campaigns.EnqueueAsync([Message("ok"), Message("k", customer: tooLong)], None)).Error, "messages[1].customer_id");
        AssertInvalid((await campaigns.EnqueueAsync([Message("k", status: "sent")], None)).Error, "messages[0].status");
        AssertInvalid((await campaigns.EnqueueAsync([Message("k", status: "sending")], None)).Error, "messages[0].status");
        AssertInvalid((await campaigns.EnqueueAsync([Message("k", sourceKind: "email")], None)).Error, "messages[0].source_kind");
        AssertInvalid((await campaigns.EnqueueAsync([Message("k", purpose: "promo")], None)).Error, "messages[0].purpose");
        AssertInvalid((await campaigns.EnqueueAsync([Message("k", due: DateTimeOffset.FromUnixTimeMilliseconds(-5))], None)).Error, "messages[0].due_at");
        AssertInvalid((await campaigns.EnqueueAsync([Message("k", customer: "c\n1")], None)).Error, "messages[0].customer_id");

        AssertInvalid((await campaigns.ClaimAsync("", now, 10, TimeSpan.FromMinutes(1), None)).Error, "owner");
        AssertInvalid((await campaigns.ClaimAsync("w", now, 0, TimeSpan.FromMinutes(1), None)).Error, "max");
        AssertInvalid((await campaigns.ClaimAsync("w", now, 10, TimeSpan.Zero, None)).Error, "lease_duration");
        AssertInvalid((await campaigns.ClaimDueEntriesAsync("w", now, CampaignStore.MaxClaim + 1, TimeSpan.FromMinutes(1), None)).Error, "max");

        AssertInvalid((await campaigns.SaveJourneyAsync(new JourneyDraft("", "n", "{}"), null, None)).Error, "journey_id");
        AssertInvalid((await campaigns.SaveJourneyAsync(new JourneyDraft(tooLong, "n", "{}"), null, None)).Error, "journey_id");
        AssertInvalid((await campaigns.SaveJourneyAsync(new JourneyDraft("j", "n", "{not json"), null, None)).Error, "definition");
        AssertInvalid((await campaigns.SaveJourneyAsync(new JourneyDraft("j", "n", "{}", "running"), null, None)).Error, "status");
        AssertInvalid((await campaigns.SetJourneyStatusAsync("j", "deleted", None)).Error, "status");
        AssertInvalid((await campaigns.ListJourneysAsync("deleted", None)).Error, "status");

        AssertInvalid((await campaigns.TryEnterAsync("j", "c1", 0, "s1", now, null, null, None)).Error, "occurrence");
        AssertInvalid((await campaigns.TryEnterAsync("j", "", 1, "s1", now, null, null, None)).Error, "customer_id");
        AssertInvalid((await campaigns.TryEnterAsync("j", "c1", 1, "s1", DateTimeOffset.FromUnixTimeMilliseconds(-1), null, null, None)).Error, "due_at");
        AssertInvalid((await campaigns.TryEnterAsync("j", "c1", 1, "s1", now, null, "[", None)).Error, "context");
        AssertInvalid((await campaigns.AdvanceEntryAsync(new EntryKey("j", "c1", 1), "w", "s1", new EntryAdvance("s2", null, "done"), None)).Error, "status");
        AssertInvalid((await campaigns.AdvanceEntryAsync(new EntryKey("j", "c1", 1), "w", "s1",
            new EntryAdvance("s2", DateTimeOffset.FromUnixTimeMilliseconds(-1)), None)).Error, "due_at");

        AssertInvalid((await campaigns.MarkFailedAsync(1, "w", "x", DateTimeOffset.FromUnixTimeMilliseconds(-1), None)).Error, "retry_at");
        AssertInvalid((await campaigns.DeferAsync(1, "", now, "x", None)).Error, "owner");
        AssertInvalid((await campaigns.CancelQueuedAsync("sms", "x", null, "r", None)).Error, "source_kind");

        AssertInvalid((await campaigns.TryReserveFrequencyAsync("c1", 1, [], None)).Error, "windows");
        AssertInvalid((await campaigns.TryReserveFrequencyAsync("c1", 1, [("d:2026-11-22", -1)], None)).Error, "windows[0].cap");
        AssertInvalid((await campaigns.TryReserveFrequencyAsync("c1", 1, [("", 2)], None)).Error, "windows[0].window_key");
        AssertInvalid((await campaigns.TryReserveFrequencyAsync("", 1, [("d", 2)], None)).Error, "customer_id");

        AssertInvalid((await campaigns.AddSuppressionAsync("", "a@b", "r", None)).Error, "channel");
        AssertInvalid((await campaigns.AddSuppressionAsync("email", "", "r", None)).Error, "address");
        AssertInvalid((await campaigns.CreateTokenAsync(1, "open", null, None)).Error, "kind");
        AssertInvalid((await campaigns.CreateTokenAsync(1, "click", null, None)).Error, "url");
        AssertInvalid((await campaigns.RecordConversionAsync(1, "o1", -1, None)).Error, "revenue");

        AssertInvalid((await campaigns.SaveBroadcastAsync(new BroadcastDraft("b", "", "{}", null), None)).Error, "name");
        AssertInvalid((await campaigns.SetBroadcastStatusAsync("b", "sent", null, None)).Error, "status");
        AssertInvalid((await campaigns.AppendBroadcastBatchAsync("b", new BroadcastBatch(null, "c1", -1, []), None)).Error, "planned");
        AssertInvalid((await campaigns.AppendBroadcastBatchAsync("b", new BroadcastBatch(null, "c1", 1, [Message("k")]), None)).Error, "messages[0].source_id");
        AssertInvalid((await campaigns.StatsAsync("email", "x", None)).Error, "source_kind");
        AssertInvalid((await campaigns.ListMessagesAsync(new MessageQuery(Status: "sent"), None)).Error, "status");
        AssertInvalid((await campaigns.ListMessagesAsync(new MessageQuery(Limit: 0), None)).Error, "limit");

        Assert.Equal(before, await SnapshotAsync(store));
    }
}
