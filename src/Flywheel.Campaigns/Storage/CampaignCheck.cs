using Flywheel.Storage;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Storage;

/// <summary>Input checks shared by the campaign store: each answers an invalid-input error naming the field, or null.</summary>
internal static class CampaignCheck
{
    public const int MaxIdLength = 128;
    public const int MaxKeyLength = 400;
    public const int MaxNameLength = 200;
    public const int MaxTextLength = 2_000;
    public const int MaxBodyLength = 1_000_000;
    public const int MaxJsonLength = 1_000_000;

    /// <summary>An id: 1 to <paramref name="max"/> characters, no control characters.</summary>
    public static Error? Id(string? value, string field, int max = MaxIdLength)
    {
        if (string.IsNullOrEmpty(value)) return Error.Invalid(field, $"{field} is empty; give 1 to {max} characters");
        if (value.Length > max) return Error.Invalid(field, $"{field} is {value.Length} characters ('{value[..Math.Min(20, value.Length)]}...'); at most {max}");
        foreach (var c in value)
            if (char.IsControl(c)) return Error.Invalid(field, $"{field} '{value}' has a control character; ids are printable text");
        return null;
    }

    public static Error? OptionalId(string? value, string field, int max = MaxIdLength) => value is null ? null : Id(value, field, max);

    public static Error? Text(string? value, string field, int max) =>
        value is { Length: var n } && n > max ? Error.Invalid(field, $"{field} is {n} characters; at most {max}") : null;

    public static Error? OneOf(string? value, string field, IReadOnlyList<string> allowed) =>
        value is not null && allowed.Contains(value)
            ? null
            : Error.Invalid(field, $"{field} '{value}' is not one of {string.Join(", ", allowed)}");

    public static Error? Json(string? value, string field, bool required)
    {
        if (value is null) return required ? Error.Invalid(field, $"{field} is missing; give a JSON document") : null;
        if (value.Length > MaxJsonLength) return Error.Invalid(field, $"{field} is {value.Length} characters; at most {MaxJsonLength}");
        try
        {
            using var _ = JsonDocument.Parse(value);
            return null;
        }
        catch (JsonException e)
        {
            return Error.Invalid(field, $"{field} is not valid JSON: {e.Message}");
        }
    }

    public static Error? Time(DateTimeOffset? value, string field) =>
        value is { } t && t.ToUnixTimeMilliseconds() < 0 ? Error.Invalid(field, $"{field} {t:O} is before 1970-01-01; times are Unix milliseconds >= 0") : null;

    public static Error? Owner(string? owner) => Id(owner, "owner");

    public static Error? Lease(TimeSpan lease) =>
        lease <= TimeSpan.Zero || lease > TimeSpan.FromDays(1)
            ? Error.Invalid("lease_duration", $"lease_duration {lease} must be more than zero and at most a day")
            : null;

    public static Error? Max(int max, int limit) =>
        max is < 1 || max > limit ? Error.Invalid("max", $"max is {max}; claim 1 to {limit} at a time") : null;

    public static Error? Message(NewMessage? message, int index)
    {
        var at = $"messages[{index}].";
        if (message is null) return Error.Invalid($"messages[{index}]", "a message is null");
        return Id(message.IdempotencyKey, at + "idempotency_key", MaxKeyLength)
            ?? OneOf(message.SourceKind, at + "source_kind", CampaignValues.SourceKinds)
            ?? Id(message.SourceId, at + "source_id")
            ?? OptionalId(message.StepId, at + "step_id")
            ?? OptionalId(message.Variant, at + "variant")
            ?? Id(message.CustomerId, at + "customer_id")
            ?? Id(message.Channel, at + "channel", 32)
            ?? OneOf(message.Purpose, at + "purpose", CampaignValues.Purposes)
            ?? Text(message.Recipient, at + "recipient", MaxTextLength)
            ?? Text(message.Subject, at + "subject", MaxTextLength)
            ?? Text(message.BodyText, at + "body_text", MaxBodyLength)
            ?? Text(message.BodyHtml, at + "body_html", MaxBodyLength)
            ?? Text(message.UnsubscribeUrl, at + "unsubscribe_url", MaxTextLength)
            ?? Time(message.DueAt, at + "due_at")
            ?? OneOf(message.Status, at + "status", CampaignValues.EnqueueStatuses);
    }
}
