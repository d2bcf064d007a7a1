using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Tests.Channels;

public sealed class ChannelOptionsTests
{
    private static readonly Uri Url = new("https://gateway.example/send");

    [Fact]
    public void Validate_GoodOptions_NoErrors()
    {
        var options = new ChannelOptions
        {
            Smtp = new SmtpOptions("smtp.example", 587, "news@shop.example", "飞轮商城"),
            Sms = new SmsOptions(Url, "0123456789abcdef"),
            WeCom = new WeComOptions(new Uri("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")),
            Webhook = new WebhookOptions(Url, "0123456789abcdef"),
        };

        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("smtp.port")]
    [InlineData("smtp.from_address")]
    [InlineData("sms.secret")]
    [InlineData("sms.url")]
    [InlineData("webhook.timeout")]
    [InlineData("resilience.max_retries")]
    public void Validate_BadField_IsNamed(string field)
    {
        var options = new ChannelOptions
        {
            Smtp = new SmtpOptions("smtp.example", field == "smtp.port" ? 0 : 25, field == "smtp.from_address" ? "not-an-address" : "a@b.example"),
            Sms = new SmsOptions(field == "sms.url" ? new Uri("ftp://x.example/") : Url, field == "sms.secret" ? "short" : "0123456789abcdef"),
            Webhook = new WebhookOptions(Url, "0123456789abcdef", field == "webhook.timeout" ? TimeSpan.Zero : null),
            Resilience = new ResilienceOptions { MaxRetries = field == "resilience.max_retries" ? 99 : 2 },
        };

        var error = Assert.Single(options.Validate());
        Assert.Equal("channels." + field, error.Path);
    }

    [Fact]
    public void Registry_Create_OffersConfiguredKindsOnly()
    {
        var options = new ChannelOptions { Sms = new SmsOptions(Url, "0123456789abcdef"), Webhook = new WebhookOptions(Url, "0123456789abcdef") };

        var registry = ChannelRegistry.Create(options, new HttpClient(), TimeProvider.System).Value;

        Assert.Equal([ChannelKind.Sms, ChannelKind.Webhook], registry.Kinds.Order());
        Assert.True(registry.TryGet(ChannelKind.Sms, out var sms));
        Assert.IsType<ChannelResilience>(sms);
        Assert.Equal(ChannelKind.Sms, sms.Kind);
        Assert.False(registry.TryGet(ChannelKind.Email, out _, out var error));
        Assert.Contains("channels.smtp", error!.Message);
    }

    [Fact]
    public void Registry_Create_BadOptions_IsErrorNamingField()
    {
        var result = ChannelRegistry.Create(new ChannelOptions { Sms = new SmsOptions(Url, "x") }, new HttpClient(), TimeProvider.System);

        Assert.False(result.IsSuccess);
        Assert.Equal("channels.sms.secret", result.Error!.Path);
    }

    [Fact]
    public void Registry_TwoChannelsOfOneKind_Throws()
    {
        var a = new SmsChannel(new HttpClient(), new SmsOptions(Url, "0123456789abcdef"), TimeProvider.System);
        Assert.Throws<ArgumentException>(() => new ChannelRegistry([a, a]));
    }
}
