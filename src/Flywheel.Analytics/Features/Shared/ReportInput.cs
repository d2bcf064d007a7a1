using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Shared;

/// <summary>The filters every report takes, as the user gave them: null is "no filter", an empty value is a mistake.</summary>
internal sealed record ScopeInput(string? Channel = null, string? Campaign = null, string? Store = null, string? Category = null, string? Region = null)
{
    public Scope ToScope() => new(Channel, Campaign, Store, Category, Region);
}

/// <summary>
/// What the report questions share: days and ranges checked the same way for every surface. Errors name the request's fields
/// (<c>from</c>, <c>to</c>, ...); the HTTP edge writes them as JSON paths, the command line as its options (<c>CliContext.FailFieldAsync</c>).
/// </summary>
internal static class ReportInput
{
    /// <summary>A from/to pair, either absent: each day as yyyy-MM-dd within the supported days, and to not before from.</summary>
    public static Result<(DateOnly? From, DateOnly? To)> Range(string? from, string? to)
    {
        if (!LocalCalendar.ParseDay(from, "from").TryGetValue(out var fromDay, out var badFrom)) return badFrom;
        if (!LocalCalendar.ParseDay(to, "to").TryGetValue(out var toDay, out var badTo)) return badTo;
        if (fromDay is { } f && toDay is { } t && t < f) return Error.Invalid("to", $"{t:yyyy-MM-dd} is before from ({f:yyyy-MM-dd})");
        return (fromDay, toDay);
    }
}
