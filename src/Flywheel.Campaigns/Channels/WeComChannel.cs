using System.Text.Json;

namespace Flywheel.Campaigns.Channels;

/// <summary>
/// A WeCom (企业微信) group robot. POSTs <c>{"msgtype":"markdown","markdown":{"content":...}}</c> (or the text type) to
/// the robot URL. WeCom answers HTTP 200 with <c>{"errcode":0,"errmsg":"ok"}</c>; a nonzero errcode is a failure:
/// 45009 (rate limit) and -1 (system busy) are transient, the rest permanent. The robot posts into one group, so
/// <see cref="OutboundMessage.Recipient"/> is not used for addressing.
/// </summary>
internal sealed class WeComChannel(HttpClient http, WeComOptions options, TimeProvider time) : IChannel
{
    public const int RateLimited = 45009;
    public const int SystemBusy = -1;

    public ChannelKind Kind => ChannelKind.WeCom;

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
    {
        var answer = await HttpDelivery.PostJsonAsync(
            http, options.RobotUrl, Body(message), secret: null, time, options.Timeout ?? HttpOptionChecks.DefaultTimeout, ct).ConfigureAwait(false);
        if (answer.Failure is not null)
            return answer.Failure;
        if (!answer.IsSuccess)
            return HttpDelivery.Failure(answer.Status, answer.Body);

        var (errcode, errmsg) = ReadError(answer.Body);
        return errcode switch
        {
            null => DeliveryResult.Transient($"WeCom answered without an errcode: {HttpDelivery.Truncate(answer.Body, 200)}"),
            0 => DeliveryResult.Delivered(null),
            RateLimited or SystemBusy => DeliveryResult.Transient($"WeCom errcode {errcode}: {errmsg}"),
            _ => DeliveryResult.Permanent($"WeCom errcode {errcode}: {errmsg}"),
        };
    }

    internal byte[] Body(OutboundMessage message)
    {
        if (options.Format == WeComFormat.Text)
        {
            var text = string.IsNullOrEmpty(message.Subject) ? message.Text : message.Subject + "\n" + message.Text;
            return ChannelJson.Serialize(new { msgtype = "text", text = new { content = text } });
        }

        var markdown = string.IsNullOrEmpty(message.Subject) ? message.Text : $"**{message.Subject}**\n{message.Text}";
        return ChannelJson.Serialize(new { msgtype = "markdown", markdown = new { content = markdown } });
    }

    private static (long? Code, string? Message) ReadError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("errcode", out var code) || !code.TryGetInt64(out var value))
                return (null, null);
            return (value, root.TryGetProperty("errmsg", out var msg) && msg.ValueKind == JsonValueKind.String ? msg.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
