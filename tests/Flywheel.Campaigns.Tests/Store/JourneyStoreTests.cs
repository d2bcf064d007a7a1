using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Store;

public sealed class JourneyStoreTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Journeys_SaveVersionsStatusListDelete(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var created = (await campaigns.SaveJourneyAsync(new JourneyDraft("welcome", "欢迎", """{"steps":[]}"""), null, None)).Value;
        Assert.Equal(("draft", 1), (created.Status, created.Version));
        clock.Advance(TimeSpan.FromMinutes(1));
        var updated = (await campaigns.SaveJourneyAsync(new JourneyDraft("welcome", "欢迎 v2", """{"steps":[1]}"""), 1, None)).Value;
        Assert.Equal((2, "欢迎 v2", created.CreatedAt), (updated.Version, updated.Name, updated.CreatedAt));
        Assert.True(updated.UpdatedAt > created.UpdatedAt);

        var stale = await campaigns.SaveJourneyAsync(new JourneyDraft("welcome", "stale", "{}"), 1, None);
        Assert.Equal(("conflict", "version"), (stale.Error!.Code, stale.Error.Path));
        Assert.Equal("conflict", (await campaigns.SaveJourneyAsync(new JourneyDraft("new", "n", "{}"), 3, None)).Error!.Code);
        Assert.Null(await campaigns.GetJourneyAsync("new", None));
        Assert.Equal("conflict", (await campaigns.SaveJourneyAsync(new JourneyDraft("welcome", "n", "{}"), 0, None)).Error!.Code);

        var active = (await campaigns.SetJourneyStatusAsync("welcome", "active", None)).Value;
        Assert.Equal(("active", 3), (active.Status, active.Version));
        Assert.Equal("not_found", (await campaigns.SetJourneyStatusAsync("nope", "active", None)).Error!.Code);
        await campaigns.SaveJourneyAsync(new JourneyDraft("abandoned", "加购未付款", "{}"), null, None);
        Assert.Equal(["abandoned", "welcome"], (await campaigns.ListJourneysAsync(null, None)).Value.Select(j => j.JourneyId));
        Assert.Equal(["welcome"], (await campaigns.ListJourneysAsync("active", None)).Value.Select(j => j.JourneyId));

        await campaigns.TryEnterAsync("welcome", "c1", 1, "s1", null, null, null, None);
        await campaigns.EnqueueAsync([Message("k", sourceId: "welcome")], None);
        Assert.True(await campaigns.DeleteJourneyAsync("welcome", None));
        Assert.False(await campaigns.DeleteJourneyAsync("welcome", None));
        Assert.Equal(0, await TestStores.CountAsync(store, "journey_entries"));
        Assert.Equal("cancelled", (await campaigns.GetMessageByKeyAsync("k", None))!.Status);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Entries_EnterOnceAndLastEntry(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        Assert.Null(await campaigns.LastEntryAsync("welcome", "c1", None));
        Assert.True((await campaigns.TryEnterAsync("welcome", "c1", 1, "s1", now, "A", """{"cart":3}""", None)).Value);
        Assert.False((await campaigns.TryEnterAsync("welcome", "c1", 1, "other", now, "B", null, None)).Value);
        clock.Advance(TimeSpan.FromDays(30));
        Assert.True((await campaigns.TryEnterAsync("welcome", "c1", 2, "s1", clock.GetUtcNow(), "B", null, None)).Value);
        var last = (await campaigns.LastEntryAsync("welcome", "c1", None))!;
        Assert.Equal((2, "B", clock.GetUtcNow(), "active"), (last.Occurrence, last.Variant, last.EnteredAt, last.Status));
        var first = (await campaigns.GetEntryAsync(new EntryKey("welcome", "c1", 1), None))!;
        Assert.Equal(("s1", "A", """{"cart":3}""", (DateTimeOffset?)now), (first.StepId, first.Variant, first.ContextJson, first.DueAt));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Entries_ClaimAdvanceExit(string engine)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.SaveJourneyAsync(new JourneyDraft("welcome", "Welcome", "{}", "active"), null, None);
        await campaigns.SaveJourneyAsync(new JourneyDraft("paused", "Paused", "{}", "paused"), null, None);
        await campaigns.TryEnterAsync("welcome", "c1", 1, "s1", now.AddMinutes(-2), null, null, None);
        await campaigns.TryEnterAsync("welcome", "c2", 1, "s1", now.AddMinutes(-1), null, null, None);
        await campaigns.TryEnterAsync("welcome", "c3", 1, "s1", now.AddHours(1), null, null, None);
        await campaigns.TryEnterAsync("welcome", "c4", 1, "wait", null, null, null, None);
        await campaigns.TryEnterAsync("paused", "c1", 1, "s1", now.AddMinutes(-5), null, null, None);

        var claimed = (await campaigns.ClaimDueEntriesAsync("w1", now, 10, Lease, None)).Value;
        Assert.Equal(["c1", "c2"], claimed.Select(e => e.CustomerId));
        Assert.All(claimed, e => Assert.Equal("w1", e.LeaseOwner));
        Assert.Empty((await campaigns.ClaimDueEntriesAsync("w2", now, 10, Lease, None)).Value);

        var next = new EntryAdvance("s2", now.AddDays(1), ContextJson: """{"sent":1}""");
        Assert.False((await campaigns.AdvanceEntryAsync(claimed[0].Key, "w2", "s1", next, None)).Value); // not our lease
        Assert.False((await campaigns.AdvanceEntryAsync(claimed[0].Key, "w1", "s0", next, None)).Value); // not the expected step
        Assert.True((await campaigns.AdvanceEntryAsync(claimed[0].Key, "w1", "s1", next, None)).Value);
        Assert.False((await campaigns.AdvanceEntryAsync(claimed[0].Key, "w1", "s1", next, None)).Value); // done already
        var advanced = (await campaigns.GetEntryAsync(claimed[0].Key, None))!;
        Assert.Equal(("s2", (DateTimeOffset?)now.AddDays(1), """{"sent":1}""", (string?)null), (advanced.StepId, advanced.DueAt, advanced.ContextJson, advanced.LeaseOwner));

        // c2 pays while w1 holds it: the exit wins and w1's advance is refused.
        Assert.Equal(1, (await campaigns.ExitActiveEntriesAsync("welcome", "c2", "paid", None)).Value);
        Assert.False((await campaigns.AdvanceEntryAsync(claimed[1].Key, "w1", "s1", next, None)).Value);
        var exited = (await campaigns.GetEntryAsync(claimed[1].Key, None))!;
        Assert.Equal(("exited", "paid"), (exited.Status, exited.ExitReason));

        // A crashed worker's lease runs out and the entry is claimed again.
        await campaigns.TryEnterAsync("welcome", "c5", 1, "s1", now, null, null, None);
        Assert.Single((await campaigns.ClaimDueEntriesAsync("crashed", now, 10, Lease, None)).Value);
        clock.Advance(TimeSpan.FromMinutes(1));
        var reclaimed = Assert.Single((await campaigns.ClaimDueEntriesAsync("w3", clock.GetUtcNow(), 10, Lease, None)).Value);
        Assert.Equal("c5", reclaimed.CustomerId);
        Assert.False((await campaigns.AdvanceEntryAsync(reclaimed.Key, "crashed", "s1", next, None)).Value);
        Assert.True((await campaigns.AdvanceEntryAsync(reclaimed.Key, "w3", "s1", new EntryAdvance("end", null, "completed"), None)).Value);
        Assert.Equal("completed", (await campaigns.GetEntryAsync(reclaimed.Key, None))!.Status);

        // Every journey: c1 leaves both.
        Assert.Equal(2, (await campaigns.ExitActiveEntriesAsync(null, "c1", "unsubscribed", None)).Value);
    }
}
