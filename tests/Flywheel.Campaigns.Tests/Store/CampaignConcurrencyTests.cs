using System.Collections.Concurrent;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Store;

/// <summary>
/// The exactly-once guarantees under contention, each scenario repeated for several rounds on both engines. Runs alone
/// (its own collection) and closes its pooled PostgreSQL connections after each test.
/// </summary>
[Collection(nameof(CampaignConcurrencyTests))]
public sealed class CampaignConcurrencyTests : IDisposable
{
    private const int Rounds = 3;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_16Workers_2000Messages_EachClaimedExactlyOnce(string engine)
    {
        const int workers = 16, count = 2_000;
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        for (var round = 0; round < Rounds; round++)
        {
            var messages = Enumerable.Range(0, count).Select(i => Message($"r{round}:{i}", $"c{i}", due: now.AddSeconds(-i % 60))).ToArray();
            Assert.Equal(count, (await campaigns.EnqueueAsync(messages, None)).Value);
            var claims = new ConcurrentBag<(long Id, int Worker)>();
            await AllAtOnceAsync(workers, async worker =>
            {
                while (true)
                {
                    var batch = (await campaigns.ClaimAsync($"w{round}-{worker}", now, 25, Lease, None)).Value;
                    if (batch.Count == 0) return 0;
                    foreach (var m in batch)
                    {
                        claims.Add((m.MessageId, worker));
                        Assert.True((await campaigns.MarkDeliveredAsync(m.MessageId, $"w{round}-{worker}", $"p{m.MessageId}", None)).Value);
                    }
                }
            });
            Assert.Equal(count, claims.Count);
            Assert.Equal(count, claims.Select(c => c.Id).Distinct().Count());
            Assert.Equal(count * (round + 1), await TestStores.CountAsync(store, "messages", "status = 'delivered' AND attempts = 1"));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_Concurrent_WithExpiredLeases_NoDuplicates(string engine)
    {
        const int workers = 16, count = 500;
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.EnqueueAsync(Enumerable.Range(0, count).Select(i => Message($"k{i}", $"c{i}", due: now)).ToArray(), None);
        // A crashed worker took half of them; its lease has run out by the time the others claim.
        Assert.Equal(count / 2, (await campaigns.ClaimAsync("crashed", now, count / 2, TimeSpan.FromSeconds(1), None)).Value.Count);
        var later = now.AddMinutes(1);
        var claimed = new ConcurrentBag<long>();
        await AllAtOnceAsync(workers, async worker =>
        {
            while ((await campaigns.ClaimAsync($"w{worker}", later, 10, Lease, None)).Value is { Count: > 0 } batch)
                foreach (var m in batch) claimed.Add(m.MessageId);
            return 0;
        });
        Assert.Equal(count, claimed.Count);
        Assert.Equal(count, claimed.Distinct().Count());
        Assert.Equal(count / 2, await TestStores.CountAsync(store, "messages", "attempts = 2"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FrequencyCap_64ConcurrentReservations_CapOfTwo_ExactlyTwo(string engine)
    {
        const int tasks = 64;
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        for (var round = 0; round < Rounds * 2; round++)
        {
            var day = $"d:2026-11-{10 + round}";
            (string, int)[] windows = [(day, 2), ($"w:2026-W{10 + round}", 5)];
            var results = await AllAtOnceAsync(tasks, i => campaigns.TryReserveFrequencyAsync("c1", round * 1000 + i, windows, None));
            Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
            Assert.Equal(2, results.Count(r => r.Value));
            Assert.Equal(2, await campaigns.FrequencyUsedAsync("c1", day, None));
            Assert.Equal(2, await campaigns.FrequencyUsedAsync("c1", $"w:2026-W{10 + round}", None));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Enqueue_ConcurrentSameKeys_OneRowEach(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        using var _s = store;
        var messages = Messages(300);
        var inserted = await AllAtOnceAsync(8, _ => campaigns.EnqueueAsync(messages, None));
        Assert.Equal(300, inserted.Sum(r => r.Value));
        Assert.Equal(300, await TestStores.CountAsync(store, "messages"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ClaimDueEntries_16Workers_EachEntryOnce(string engine)
    {
        const int workers = 16, count = 600;
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        var now = clock.GetUtcNow();
        await campaigns.SaveJourneyAsync(new JourneyDraft("j", "J", "{}", "active"), null, None);
        for (var i = 0; i < count; i++) await campaigns.TryEnterAsync("j", $"c{i}", 1, "s1", now, null, null, None);
        var claimed = new ConcurrentBag<string>();
        await AllAtOnceAsync(workers, async worker =>
        {
            while ((await campaigns.ClaimDueEntriesAsync($"w{worker}", now, 20, Lease, None)).Value is { Count: > 0 } batch)
                foreach (var e in batch)
                {
                    claimed.Add(e.CustomerId);
                    Assert.True((await campaigns.AdvanceEntryAsync(e.Key, $"w{worker}", "s1", new EntryAdvance("s2", null), None)).Value);
                }
            return 0;
        });
        Assert.Equal(count, claimed.Count);
        Assert.Equal(count, claimed.Distinct().Count());
    }
}
