using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>
/// An attribution question as <c>POST /v1/attribution</c> (<c>lookback_days</c>, <c>half_life_days</c>) and
/// <c>flywheel report attribution</c> (<c>--lookback 30d</c>, <c>--half-life 12h</c>, converted to days first) receive it.
/// </summary>
internal sealed record AttributionInput(string? From, string? To, string? By, int? LookbackDays, double? HalfLifeDays);

/// <summary>A checked attribution question; <see cref="Query"/>'s range is filled in from the data when the question gave none.</summary>
internal sealed record AttributionPlan(DateOnly? From, DateOnly? To, AttributionQuery Query);

/// <summary>The one place an attribution question is checked and run, for both surfaces.</summary>
internal static class AttributionQuestion
{
    public static Result<AttributionPlan> Check(AttributionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ReportInput.Range(input.From, input.To).TryGetValue(out var range, out var badRange)) return badRange;
        var by = AttributionDimension.Channel;
        if (input.By is not null && (!Enum.TryParse(input.By, ignoreCase: true, out by) || !Enum.IsDefined(by) || input.By.Any(char.IsAsciiDigit)))
            return Error.Invalid("by", $"'{input.By}' is not channel, campaign or kol");
        var day = range.From ?? range.To ?? new DateOnly(2020, 1, 1);
        var query = new AttributionQuery(range.From ?? day, range.To ?? range.From ?? day, by, input.LookbackDays ?? 30, input.HalfLifeDays ?? 7);
        if (query.Validate() is { } invalid)
            return invalid with { Path = invalid.Path switch { "lookback" => "lookback_days", "half-life" => "half_life_days", var other => other } };
        return new AttributionPlan(range.From, range.To, query);
    }

    public static Result<AttributionReport> Run(AttributionPlan plan, EventIndex index, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (first, last) = LocalCalendar.DataRange(index, today);
        return AttributionEngine.Run(index, plan.Query with { From = plan.From ?? first, To = plan.To ?? last });
    }
}
