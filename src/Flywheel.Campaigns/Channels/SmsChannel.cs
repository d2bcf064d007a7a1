namespace Flywheel.Campaigns.Channels;

/// <summary>
/// An HTTP SMS gateway adapter: POSTs <c>{"to": phone, "text": ..., "message_id": idempotency key}</c> signed with
/// <see cref="Signatures"/>, and reads the gateway's id from the JSON answer (<see cref="SmsOptions.ProviderIdProperty"/>).
/// 2xx is delivered, 408/429/5xx and timeouts are transient, any other 4xx is permanent.
/// </summary>
internal sealed class SmsChannel(HttpClient http, SmsOptions options, TimeProvider time) : IChannel
{
    public ChannelKind Kind => ChannelKind.Sms;

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(message.Recipient))
            return DeliveryResult.Permanent("no phone number");
        var body = ChannelJson.Serialize(new SmsBody(message.Recipient, message.Text, message.IdempotencyKey));
        var answer = await HttpDelivery.PostJsonAsync(
            http, options.Url, body, options.Secret, time, options.Timeout ?? HttpOptionChecks.DefaultTimeout, ct).ConfigureAwait(false);
        if (answer.Failure is not null)
            return answer.Failure;
        return answer.IsSuccess
            ? DeliveryResult.Delivered(HttpDelivery.ReadProperty(answer.Body, options.ProviderIdProperty))
            : HttpDelivery.Failure(answer.Status, answer.Body);
    }

    private sealed record SmsBody(string To, string Text, string MessageId);
}
