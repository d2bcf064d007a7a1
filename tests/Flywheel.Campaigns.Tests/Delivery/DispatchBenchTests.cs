using System.Diagnostics;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Tests;
using Xunit.Abstractions;
using static Flywheel.Campaigns.Tests.Delivery.DeliveryHarness;

namespace Flywheel.Campaigns.Tests.Delivery;

/// <summary>
/// Delivery throughput to the loopback aiosmtpd: 2,000 marketing emails (FLYWHEEL_BENCH_EMAILS to change) to distinct customers,
/// every check on (suppression, consent, quiet hours, caps). Printed, not asserted:
/// <c>dotnet test tests/Flywheel.Campaigns.Tests -c Release --no-build --filter "FullyQualifiedName~DispatchBench" --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(nameof(Store.CampaignConcurrencyTests))]
public sealed class DispatchBenchTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Bench")]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task DispatchBench_EmailsToLocalSmtp(string engine)
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("FLYWHEEL_BENCH_EMAILS"), out var n) && n > 0 ? n : 2_000;
        var concurrency = int.TryParse(Environment.GetEnvironmentVariable("FLYWHEEL_BENCH_CONCURRENCY"), out var c) && c > 0 ? c : 8;
        using var h = await OpenAsync(engine, new DateTimeOffset(2026, 11, 16, 10, 0, 0, TimeSpan.FromHours(8)));
        var run = Guid.NewGuid().ToString("N")[..8];
        var customers = Enumerable.Range(0, total).Select(i => ($"c{i:D6}", (string?)$"bench-{run}-{i}@customer.example")).ToArray();
        await h.AddCustomersAsync(customers);
        await h.EnqueueAsync([.. customers.Select(x => Message($"bench:{run}:{x.Item1}", x.Item1, null, h.Now))]);
        var dispatcher = h.Dispatcher(h.Email(), new SendPolicy { BatchSize = 500, Concurrency = concurrency });

        var watch = Stopwatch.StartNew();
        var report = await DrainAsync(dispatcher);
        watch.Stop();

        Assert.Equal(total, report.Delivered);
        output.WriteLine($"{engine}: {total:N0} emails dispatched to aiosmtpd at {Smtp} in {watch.ElapsedMilliseconds} ms " +
            $"({total * 1000.0 / watch.ElapsedMilliseconds:F0} messages/s, concurrency {concurrency})");
    }

    /// <summary>The same pass with a channel that accepts at once: what Flywheel itself (store, checks, caps) sustains.</summary>
    [Theory]
    [Trait("Category", "Bench")]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task DispatchBench_InstantChannel(string engine)
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("FLYWHEEL_BENCH_EMAILS"), out var n) && n > 0 ? n : 2_000;
        using var h = await OpenAsync(engine, new DateTimeOffset(2026, 11, 16, 10, 0, 0, TimeSpan.FromHours(8)));
        var customers = Enumerable.Range(0, total).Select(i => ($"c{i:D6}", (string?)$"c{i}@customer.example")).ToArray();
        await h.AddCustomersAsync(customers);
        await h.EnqueueAsync([.. customers.Select(x => Message($"bench:{x.Item1}", x.Item1, null, h.Now))]);
        var dispatcher = h.Dispatcher(new InstantChannel(), new SendPolicy { BatchSize = 500 });

        var watch = Stopwatch.StartNew();
        var report = await DrainAsync(dispatcher);
        watch.Stop();

        Assert.Equal(total, report.Delivered);
        output.WriteLine($"{engine}: {total:N0} marketing messages through an instant channel in {watch.ElapsedMilliseconds} ms " +
            $"({total * 1000.0 / watch.ElapsedMilliseconds:F0} messages/s, concurrency 8)");
    }

    private sealed class InstantChannel : IChannel
    {
        public ChannelKind Kind => ChannelKind.Email;

        public Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct) =>
            Task.FromResult(DeliveryResult.Delivered("instant-" + message.MessageId));
    }
}
