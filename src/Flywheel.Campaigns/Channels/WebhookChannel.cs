namespace Flywheel.Campaigns.Channels;

/// <summary>
/// A generic signed webhook: POSTs every message field as JSON (snake_case) with the <see cref="Signatures"/>
/// headers. 2xx is delivered; the receiver's <c>id</c> property, when its answer is a JSON object with one, becomes
/// the provider message id.
/// </summary>
internal sealed class WebhookChannel(HttpClient http, WebhookOptions options, TimeProvider time) : IChannel
{
    public ChannelKind Kind => ChannelKind.Webhook;

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
    {
        var body = ChannelJson.Serialize(new WebhookBody(
            message.MessageId,
            message.IdempotencyKey,
            message.CustomerId,
            message.Channel.ToString().ToLowerInvariant(),
            message.Purpose.ToString().ToLowerInvariant(),
            message.Recipient,
            message.Subject,
            message.Text,
            message.Html,
            message.UnsubscribeUrl,
            message.Metadata ?? new Dictionary<string, string>()));
        var answer = await HttpDelivery.PostJsonAsync(
            http, options.Url, body, options.Secret, time, options.Timeout ?? HttpOptionChecks.DefaultTimeout, ct).ConfigureAwait(false);
        if (answer.Failure is not null)
            return answer.Failure;
        return answer.IsSuccess
            ? DeliveryResult.Delivered(HttpDelivery.ReadProperty(answer.Body, "id"))
            : HttpDelivery.Failure(answer.Status, answer.Body);
    }

    private sealed record WebhookBody(
        long MessageId,
        string IdempotencyKey,
        string CustomerId,
        string Channel,
        string Purpose,
        string Recipient,
        string? Subject,
        string Text,
        string? Html,
        string? UnsubscribeUrl,
        IReadOnlyDictionary<string, string> Metadata);
}
