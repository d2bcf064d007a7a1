using System.Text.Json;
using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Tests.Channels;

public sealed class WebhookChannelTests
{
    private const string Secret = "webhook-secret-0123456789";
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Send_PostsEveryField_Signed()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, """{"id":"wh-1"}""") };
        var channel = new WebhookChannel(Http, new WebhookOptions(receiver.Url, Secret), new FakeClock());
        var message = Messages.For(ChannelKind.Webhook, "crm") with
        {
            Metadata = new Dictionary<string, string> { ["journey"] = "弃购挽回", ["Step_Id"] = "2" },
        };

        var result = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered("wh-1"), result);
        var request = Assert.Single(receiver.Requests);
        Assert.True(Signatures.Verify(Secret, request.Header(Signatures.TimestampHeader)!, request.Body, request.Header(Signatures.SignatureHeader)));
        var root = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(42, root.GetProperty("message_id").GetInt64());
        Assert.Equal(message.IdempotencyKey, root.GetProperty("idempotency_key").GetString());
        Assert.Equal("cust-1", root.GetProperty("customer_id").GetString());
        Assert.Equal("webhook", root.GetProperty("channel").GetString());
        Assert.Equal("marketing", root.GetProperty("purpose").GetString());
        Assert.Equal(message.Subject, root.GetProperty("subject").GetString());
        Assert.Equal(message.Text, root.GetProperty("text").GetString());
        Assert.Equal(message.Html, root.GetProperty("html").GetString());
        Assert.Equal(message.UnsubscribeUrl, root.GetProperty("unsubscribe_url").GetString());
        Assert.Equal("弃购挽回", root.GetProperty("metadata").GetProperty("journey").GetString());
        Assert.Equal("2", root.GetProperty("metadata").GetProperty("Step_Id").GetString());
    }

    [Fact]
    public async Task Send_TamperedBody_FailsVerification()
    {
        await using var receiver = new HttpReceiver();
        var channel = new WebhookChannel(Http, new WebhookOptions(receiver.Url, Secret), new FakeClock());

        await channel.SendAsync(Messages.For(ChannelKind.Webhook, "crm"), CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        var tampered = request.BodyText.Replace("cust-1", "cust-2", StringComparison.Ordinal);
        Assert.NotEqual(request.BodyText, tampered);
        Assert.False(Signatures.Verify(Secret, request.Header(Signatures.TimestampHeader)!, tampered, request.Header(Signatures.SignatureHeader)));
    }

    [Theory]
    [InlineData(410, "Permanent")]
    [InlineData(500, "Transient")]
    [InlineData(204, "Delivered")]
    public async Task Send_Status_MapsToOutcome(int status, string expected)
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(status) };
        var channel = new WebhookChannel(Http, new WebhookOptions(receiver.Url, Secret), new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.Webhook, "crm"), CancellationToken.None);

        Assert.Equal(Enum.Parse<DeliveryOutcome>(expected), result.Outcome);
    }
}
