using System.Globalization;
using System.Text.Json;
using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Tests.Channels;

public sealed class SmsChannelTests
{
    private const string Secret = "sms-secret-0123456789";
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Send_PostsSignedJson_AndReadsProviderId()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, """{"message_id":"gw-981","status":"queued"}""") };
        var clock = new FakeClock();
        var channel = new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), clock);
        var message = Messages.For(ChannelKind.Sms, "+8613800138000");

        var result = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered("gw-981"), result);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        var timestamp = request.Header(Signatures.TimestampHeader)!;
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), timestamp);
        Assert.True(Signatures.Verify(Secret, timestamp, request.Body, request.Header(Signatures.SignatureHeader)));
        Assert.False(Signatures.Verify("another-secret-0123456", timestamp, request.Body, request.Header(Signatures.SignatureHeader)));

        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("+8613800138000", json.RootElement.GetProperty("to").GetString());
        Assert.Equal(message.Text, json.RootElement.GetProperty("text").GetString());
        Assert.Equal(message.IdempotencyKey, json.RootElement.GetProperty("message_id").GetString());
    }

    [Fact]
    public async Task Send_ConfiguredIdProperty_ReadsNumericId()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(202, """{"sid":123456789}""") };
        var channel = new SmsChannel(Http, new SmsOptions(receiver.Url, Secret, ProviderIdProperty: "sid"), new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered("123456789"), result);
    }

    [Theory]
    [InlineData(500, "Transient")]
    [InlineData(503, "Transient")]
    [InlineData(429, "Transient")]
    [InlineData(400, "Permanent")]
    [InlineData(401, "Permanent")]
    [InlineData(422, "Permanent")]
    public async Task Send_ErrorStatus_MapsToOutcome(int status, string expected)
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(status, """{"error":"nope"}""") };
        var channel = new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(Enum.Parse<DeliveryOutcome>(expected), result.Outcome);
        Assert.Contains(status.ToString(CultureInfo.InvariantCulture), result.Error);
        Assert.Equal(1, receiver.Count);
    }

    [Fact]
    public async Task Send_HangingGateway_IsTransientByTimeout()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, Hang: true) };
        var channel = new SmsChannel(Http, new SmsOptions(receiver.Url, Secret, Timeout: TimeSpan.FromMilliseconds(300)), TimeProvider.System);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("300 ms", result.Error);
    }

    [Fact]
    public async Task Send_NothingListening_IsTransient()
    {
        var url = new Uri($"http://127.0.0.1:{HttpReceiver.FreePort()}/sms");
        var channel = new SmsChannel(Http, new SmsOptions(url, Secret), new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.Sms, "13800138000"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
    }

    [Fact]
    public async Task Send_CallerCancels_Throws()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, Hang: true) };
        var channel = new SmsChannel(Http, new SmsOptions(receiver.Url, Secret), TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => channel.SendAsync(Messages.For(ChannelKind.Sms, "1"), cts.Token));
    }
}
