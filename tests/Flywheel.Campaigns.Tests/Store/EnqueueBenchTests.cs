using System.Diagnostics;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using Xunit.Abstractions;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Store;

/// <summary>
/// How long 100,000 broadcast messages take to enqueue (planner batches of 5,000, progress in the same transaction),
/// printed, not asserted: <c>dotnet test --filter EnqueueBench --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(nameof(CampaignConcurrencyTests))]
public sealed class EnqueueBenchTests(ITestOutputHelper output) : IDisposable
{
    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    [Theory]
    [Trait("Category", "Bench")]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task EnqueueBench_BroadcastMessages(string engine)
    {
        // FLYWHEEL_BENCH_MESSAGES=1000000 for the million-message figure (then without the EnqueueAsync half).
        var total = int.TryParse(Environment.GetEnvironmentVariable("FLYWHEEL_BENCH_MESSAGES"), out var n) && n > 0 ? n / 5_000 * 5_000 : 100_000;
        const int batchSize = 5_000;
        var (store, campaigns, clock) = await OpenAsync(engine);
        using var _s = store;
        await campaigns.SaveBroadcastAsync(new BroadcastDraft("bench", "bench", "{}", null), None);
        await campaigns.SetBroadcastStatusAsync("bench", "planning", null, None);
        var due = clock.GetUtcNow();
        string? cursor = null;
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < total; start += batchSize)
        {
            var messages = new NewMessage[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                var customer = $"c{start + i:D7}";
                messages[i] = new NewMessage($"b:bench:{customer}", "broadcast", "bench", null, "A", customer, "email", "marketing",
                    $"{customer}@example.com", "双11 预售开始", $"你好 {customer}, 预售开始了", null, $"https://shop.example/u/{customer}", due);
            }
            var batch = (await campaigns.AppendBroadcastBatchAsync("bench", new BroadcastBatch(cursor, messages[^1].CustomerId, batchSize, messages), None)).Value;
            cursor = batch.Broadcast.PlanCursor;
        }
        watch.Stop();
        Assert.Equal(total, (await campaigns.GetBroadcastAsync("bench", None))!.Enqueued);
        output.WriteLine($"{engine}: {total:N0} broadcast messages in {watch.ElapsedMilliseconds} ms ({total * 1000.0 / watch.ElapsedMilliseconds:F0}/s)");
        if (total > 100_000) return;
        var plain = Stopwatch.StartNew();
        Assert.Equal(total, (await campaigns.EnqueueAsync(Enumerable.Range(0, total).Select(i => Message($"j:{i}", $"c{i:D7}")).ToArray(), None)).Value);
        plain.Stop();
        output.WriteLine($"{engine}: EnqueueAsync of {total:N0} journey messages in {plain.ElapsedMilliseconds} ms");
    }
}
