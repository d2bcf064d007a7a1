using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Tests.Channels;

public sealed class ChannelResilienceTests
{
    private const string Secret = "sms-secret-0123456789";
    private static readonly HttpClient Http = new();

    // Tiny backoff keeps the tests fast; the retry delays run on real timers, the breaker's clock is FakeClock.
    private static readonly ResilienceOptions Fast = new()
    {
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        BreakAfter = 50,
    };

    [Fact]
    public async Task Send_Gateway500_IsTransientAfterRetries()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(500, "oops") };
        var clock = new FakeClock();
        var channel = new ChannelResilience(new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), clock), Fast, clock);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("500", result.Error);
        Assert.Equal(3, receiver.Count);
    }

    [Fact]
    public async Task Send_500Then200_IsDeliveredOnRetry_WithSameIdempotencyKey()
    {
        await using var receiver = new HttpReceiver
        {
            Respond = n => n == 1 ? new Reply(503) : new Reply(200, """{"message_id":"gw-2"}"""),
        };
        var clock = new FakeClock();
        var channel = new ChannelResilience(new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), clock), Fast, clock);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered("gw-2"), result);
        Assert.Equal(2, receiver.Count);
        Assert.Single(receiver.Requests.Select(r => r.BodyText).Distinct());
    }

    [Fact]
    public async Task Send_Permanent_IsNotRetried()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(400) };
        var clock = new FakeClock();
        var channel = new ChannelResilience(new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), clock), Fast, clock);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Equal(1, receiver.Count);
    }

    [Fact]
    public async Task Send_HangingReceiver_IsTransientByAttemptTimeout()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, Hang: true) };
        var options = Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(300), MaxRetries = 1 };
        var inner = new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), TimeProvider.System);
        var channel = new ChannelResilience(inner, options, TimeProvider.System);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("timed out after 300 ms", result.Error);
        Assert.Equal(2, await receiver.WaitForCountAsync(2));
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterFailures_ThenHalfOpensOnTheClock()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(500) };
        var clock = new FakeClock();
        var options = Fast with { MaxRetries = 0, BreakAfter = 3, BreakDuration = TimeSpan.FromSeconds(30) };
        var channel = new ChannelResilience(new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), clock), options, clock);
        var message = Messages.For(ChannelKind.Sms, "13800138000");

        for (var i = 0; i < 3; i++)
            Assert.Equal(DeliveryOutcome.Transient, (await channel.SendAsync(message, CancellationToken.None)).Outcome);
        Assert.Equal(3, receiver.Count);

        for (var i = 0; i < 5; i++)
        {
            var open = await channel.SendAsync(message, CancellationToken.None);
            Assert.Equal(DeliveryOutcome.Transient, open.Outcome);
            Assert.Contains("circuit open", open.Error);
        }

        Assert.Equal(3, receiver.Count);

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Contains("circuit open", (await channel.SendAsync(message, CancellationToken.None)).Error);
        Assert.Equal(3, receiver.Count);

        receiver.Respond = _ => new Reply(200, """{"message_id":"back"}""");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(DeliveryResult.Delivered("back"), await channel.SendAsync(message, CancellationToken.None));
        Assert.Equal(4, receiver.Count);
    }

    [Fact]
    public async Task CircuitBreaker_OpenStopsRetriesMidSend()
    {
        var inner = new ScriptedChannel(_ => DeliveryResult.Transient("busy"));
        var clock = new FakeClock();
        var options = Fast with { MaxRetries = 5, BreakAfter = 2 };
        var channel = new ChannelResilience(inner, options, clock);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Webhook, "x"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("circuit open", result.Error);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Send_InnerThrows_IsTransientAndRetried()
    {
        var inner = new ScriptedChannel(n => n < 3 ? throw new InvalidOperationException("boom") : DeliveryResult.Delivered("ok"));
        var clock = new FakeClock();
        var channel = new ChannelResilience(inner, Fast, clock);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Webhook, "x"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered("ok"), result);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task Send_InnerAlwaysThrows_ReturnsTransientNotException()
    {
        var inner = new ScriptedChannel(_ => throw new InvalidOperationException("boom"));
        var channel = new ChannelResilience(inner, Fast with { MaxRetries = 0 }, new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.Webhook, "x"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("boom", result.Error);
    }

    [Fact]
    public async Task Send_CallerCancelled_Throws()
    {
        var inner = new ScriptedChannel(_ => DeliveryResult.Delivered("x"));
        var channel = new ChannelResilience(inner, Fast, new FakeClock());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => channel.SendAsync(Messages.For(ChannelKind.Webhook, "x"), cts.Token));
    }

    [Fact]
    public void Constructor_BadOptions_NamesTheField()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new ChannelResilience(new ScriptedChannel(_ => DeliveryResult.Delivered(null)), new ResilienceOptions { BreakAfter = 1 }, new FakeClock()));
        Assert.Contains("resilience.break_after", e.Message);
    }

    private sealed class ScriptedChannel(Func<int, DeliveryResult> script) : IChannel
    {
        private int _calls;

        public int Calls => _calls;

        public ChannelKind Kind => ChannelKind.Webhook;

        public Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(script(Interlocked.Increment(ref _calls)));
        }
    }
}
