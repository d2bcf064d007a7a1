using Flywheel.Primitives;

namespace Flywheel.Grow.Domain.Trials;

/// <summary>
/// A trial-ambassador programme (产品体验官): <see cref="Seats"/> free units of <see cref="Sku"/>, each costing the brand
/// <see cref="UnitCost"/> fen, given to customers or KOCs in exchange for a post, between two local days.
/// </summary>
internal sealed record Trial(string TrialId, string Name, string Sku, int Seats, long UnitCost, DateOnly StartsOn, DateOnly EndsOn, string Status, long CreatedAt);

/// <summary>One applicant of a programme and how far they got; <see cref="ContentId"/> is the post once posted.</summary>
internal sealed record TrialApplicant(string TrialId, string ApplicantId, string Kind, string Status, string? ContentId, long AppliedAt, long? DecidedAt,
    long? ShippedAt, long? PostedAt);

/// <summary>What a new programme is made of, as both surfaces take it: unit_cost in fen, days as yyyy-MM-dd.</summary>
internal sealed record CreateTrialRequest(string? TrialId, string? Name, string? Sku, long? Seats, long? UnitCost, string? StartsOn, string? EndsOn);

/// <summary>An application: who, and whether a customer or a KOC (default customer).</summary>
internal sealed record ApplyRequest(string? ApplicantId, string? Kind);

/// <summary>A move of an applicant: to selected, rejected, shipped or posted (posted names the content item).</summary>
internal sealed record MoveRequest(string? Status, string? ContentId);

/// <summary>The rules of a programme: its fields, and the only ways an applicant may move.</summary>
internal static class TrialRules
{
    public const string Applied = "applied", Selected = "selected", Rejected = "rejected", Shipped = "shipped", Posted = "posted";

    public static readonly IReadOnlyList<string> Kinds = ["customer", "koc"];

    /// <summary>applied → selected or rejected; selected → shipped; shipped → posted. Nothing else, and nothing back.</summary>
    public static readonly IReadOnlyDictionary<string, string> From = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Selected] = Applied, [Rejected] = Applied, [Shipped] = Selected, [Posted] = Shipped,
    };

    public const int MaxSeats = 100_000;

    /// <summary>The programme a request makes, or the error naming its field.</summary>
    public static Result<Trial> Check(CreateTrialRequest request, long now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IdError("trial_id", request.TrialId) is { } bad) return bad;
        if (request.TrialId is "report") return Error.Invalid("trial_id", "'report' is reserved: choose another id");
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) return Error.Invalid("name", "a name of 1 to 200 characters is required");
        if (IdError("sku", request.Sku) is { } sku) return sku;
        if (request.Seats is not (>= 1 and <= MaxSeats)) return Error.Invalid("seats", $"seats is a whole number from 1 to {MaxSeats}");
        if (request.UnitCost is not (>= 0 and <= Content.ContentVocabulary.MaxValue)) return Error.Invalid("unit_cost", "unit_cost is fen, from 0 to 10^12");
        var starts = Day("starts_on", request.StartsOn);
        if (!starts.TryGetValue(out var startsOn, out var error)) return error;
        var ends = Day("ends_on", request.EndsOn);
        if (!ends.TryGetValue(out var endsOn, out error)) return error;
        if (endsOn < startsOn) return Error.Invalid("ends_on", $"ends_on ({endsOn:yyyy-MM-dd}) is before starts_on ({startsOn:yyyy-MM-dd})");
        return new Trial(request.TrialId!, request.Name.Trim(), request.Sku!, (int)request.Seats.Value, request.UnitCost.Value, startsOn, endsOn, "open", now);
    }

    public static Error? IdError(string field, string? id) =>
        string.IsNullOrEmpty(id) || id.Length > 128 || id.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '/')
            ? Error.Invalid(field, $"{field} is required: 1 to 128 characters, no spaces, slashes or control characters")
            : null;

    private static Result<DateOnly> Day(string field, string? text)
    {
        if (text is null) return Error.Invalid(field, $"{field} is required (yyyy-MM-dd)");
        var parsed = Analytics.Contracts.LocalCalendar.ParseDay(text, field);
        if (!parsed.TryGetValue(out var day, out var error)) return error;
        return day!.Value;
    }
}
