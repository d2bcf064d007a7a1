using System.Text.Json;
using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Tests.Channels;

public sealed class WeComChannelTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Send_Markdown_PostsRobotFormat_AndOkIsDelivered()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, """{"errcode":0,"errmsg":"ok"}""") };
        var channel = new WeComChannel(Http, new WeComOptions(receiver.Url), new FakeClock());
        var message = Messages.For(ChannelKind.WeCom, "group");

        var result = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        using var json = JsonDocument.Parse(Assert.Single(receiver.Requests).Body);
        Assert.Equal("markdown", json.RootElement.GetProperty("msgtype").GetString());
        Assert.Equal($"**{message.Subject}**\n{message.Text}", json.RootElement.GetProperty("markdown").GetProperty("content").GetString());
        Assert.False(json.RootElement.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task Send_TextFormat_PostsTextContent()
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, """{"errcode":0,"errmsg":"ok"}""") };
        var channel = new WeComChannel(Http, new WeComOptions(receiver.Url, WeComFormat.Text), new FakeClock());
        var message = Messages.For(ChannelKind.WeCom, "group") with { Subject = null };

        await channel.SendAsync(message, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(receiver.Requests).Body);
        Assert.Equal("text", json.RootElement.GetProperty("msgtype").GetString());
        Assert.Equal(message.Text, json.RootElement.GetProperty("text").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData(45009, "Transient")]
    [InlineData(-1, "Transient")]
    [InlineData(93000, "Permanent")]
    [InlineData(40058, "Permanent")]
    public async Task Send_NonzeroErrcode_IsFailure(int errcode, string expected)
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(200, $$"""{"errcode":{{errcode}},"errmsg":"错误"}""") };
        var channel = new WeComChannel(Http, new WeComOptions(receiver.Url), new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.WeCom, "group"), CancellationToken.None);

        Assert.Equal(Enum.Parse<DeliveryOutcome>(expected), result.Outcome);
        Assert.Contains(errcode.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Error);
        Assert.Contains("错误", result.Error);
    }

    [Theory]
    [InlineData(502, "", "Transient")]
    [InlineData(404, "", "Permanent")]
    [InlineData(200, "<html>proxy</html>", "Transient")]
    public async Task Send_HttpErrorOrUnreadableAnswer_MapsToOutcome(int status, string body, string expected)
    {
        await using var receiver = new HttpReceiver { Respond = _ => new Reply(status, body) };
        var channel = new WeComChannel(Http, new WeComOptions(receiver.Url), new FakeClock());

        var result = await channel.SendAsync(Messages.For(ChannelKind.WeCom, "group"), CancellationToken.None);

        Assert.Equal(Enum.Parse<DeliveryOutcome>(expected), result.Outcome);
    }
}
