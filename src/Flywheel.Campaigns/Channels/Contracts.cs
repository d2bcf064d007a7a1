namespace Flywheel.Campaigns.Channels;

/// <summary>The ways Flywheel reaches a customer.</summary>
internal enum ChannelKind
{
    Email,
    Sms,
    WeCom,
    Webhook,
}

/// <summary>Why a message is sent: marketing messages need marketing consent and count against frequency caps; transactional ones do not.</summary>
internal enum MessagePurpose
{
    Marketing,
    Transactional,
}

/// <summary>
/// One rendered message, ready for a channel. <see cref="IdempotencyKey"/> is the queue's unique key (journey, step,
/// customer, occurrence): channels pass it on to providers (SMTP Message-ID, the SMS/webhook body) so a provider can
/// drop a repeat too.
/// </summary>
internal sealed record OutboundMessage(
    long MessageId,
    string IdempotencyKey,
    ChannelKind Channel,
    MessagePurpose Purpose,
    string CustomerId,
    string Recipient,
    string? Subject,
    string Text,
    string? Html,
    string? UnsubscribeUrl,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>How one delivery attempt ended.</summary>
internal enum DeliveryOutcome
{
    /// <summary>The provider accepted the message.</summary>
    Delivered,

    /// <summary>A failure a later attempt may get past (timeout, 5xx, SMTP 4xx, open circuit).</summary>
    Transient,

    /// <summary>A failure no retry fixes (bad address, 4xx, SMTP 5xx): the message goes to the dead letters at once.</summary>
    Permanent,
}

internal sealed record DeliveryResult(DeliveryOutcome Outcome, string? ProviderMessageId, string? Error)
{
    public static DeliveryResult Delivered(string? providerMessageId) => new(DeliveryOutcome.Delivered, providerMessageId, null);

    public static DeliveryResult Transient(string error) => new(DeliveryOutcome.Transient, null, error);

    public static DeliveryResult Permanent(string error) => new(DeliveryOutcome.Permanent, null, error);
}

/// <summary>A delivery channel. Implementations never throw for a delivery failure: they answer with a <see cref="DeliveryResult"/>.</summary>
internal interface IChannel
{
    ChannelKind Kind { get; }

    Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct);
}
