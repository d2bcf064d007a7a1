using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Kpis;

/// <summary>How a KPI range is split into rows.</summary>
internal enum KpiGrouping
{
    Total,
    Day,
    Week,
    Month,
    Channel,
    Campaign,
    Store,
    Category,
    Region,
}

/// <summary>Which earlier ranges a KPI report is compared with (either, both or neither).</summary>
[Flags]
internal enum KpiComparison
{
    None = 0,
    /// <summary>The range of equal length that ends the day before the query's range starts.</summary>
    Previous = 1,
    /// <summary>The same dates one year earlier (29 February becomes 28 February).</summary>
    YearOverYear = 2,
}

/// <summary>
/// A KPI question: a range of local days (both inclusive), how to split it, which part of the business
/// (<see cref="Scope"/>, null for all of it), and which earlier ranges to compare it with.
/// </summary>
internal sealed record KpiQuery(
    DateOnly From,
    DateOnly To,
    KpiGrouping By = KpiGrouping.Total,
    Scope? Scope = null,
    KpiComparison Compare = KpiComparison.None)
{
    /// <summary>
    /// Index times are seconds as int from 2020 (ADR 0002), which reach from late 1951 to early 2088; reports keep to
    /// whole years inside that, comparison ranges included.
    /// </summary>
    public static readonly DateOnly EarliestDay = new(1970, 1, 1);
    public static readonly DateOnly LatestDay = new(2087, 12, 31);

    /// <summary>Days in the range.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The equally long range just before this one.</summary>
    public (DateOnly From, DateOnly To) PreviousRange => (From.AddDays(-Days), From.AddDays(-1));

    /// <summary>The same dates a year earlier; 29 February maps to 28 February, so the range can be a day shorter.</summary>
    public (DateOnly From, DateOnly To) YearAgoRange => (From.AddYears(-1), To.AddYears(-1));

    /// <summary>The grouping names surfaces accept, for messages.</summary>
    public const string GroupingNames = "total, day, week, month, channel, campaign, store, category or region";

    /// <summary>A grouping by name (case ignored); null for anything else, numbers included.</summary>
    public static KpiGrouping? ParseGrouping(string text) =>
        Enum.TryParse<KpiGrouping>(text, ignoreCase: true, out var by) && Enum.IsDefined(by) && !text.Any(char.IsAsciiDigit) ? by : null;

    /// <summary>
    /// Comparisons from option or query values, each "previous" or "yoy", repeated or comma-separated
    /// ("previous,yoy"). Anything else, an empty value included, is an error naming "compare".
    /// </summary>
    public static Result<KpiComparison> ParseComparisons(IEnumerable<string?> values)
    {
        var compare = KpiComparison.None;
        foreach (var value in values)
            foreach (var part in (value ?? "").Split(','))
                switch (part.Trim())
                {
                    case "previous": compare |= KpiComparison.Previous; break;
                    case "yoy": compare |= KpiComparison.YearOverYear; break;
                    case var other: return Error.Invalid("compare", $"'{other}' is not previous or yoy");
                }
        return compare;
    }

    public Error? Validate()
    {
        if (To < From) return Error.Invalid("to", $"the range ends ({To:yyyy-MM-dd}) before it starts ({From:yyyy-MM-dd})");
        if (To.DayNumber - From.DayNumber > 3660) return Error.Invalid("to", "a range of more than ten years");
        if (From < EarliestDay) return Error.Invalid("from", $"{From:yyyy-MM-dd} is before {EarliestDay:yyyy-MM-dd}, the earliest day a report covers");
        if (To > LatestDay) return Error.Invalid("to", $"{To:yyyy-MM-dd} is after {LatestDay:yyyy-MM-dd}, the latest day a report covers");
        if (!Enum.IsDefined(By)) return Error.Invalid("by", $"unknown grouping {By}");
        if ((Compare & ~(KpiComparison.Previous | KpiComparison.YearOverYear)) != 0) return Error.Invalid("compare", $"unknown comparison {Compare}");
        var earliest = From;
        if (Compare.HasFlag(KpiComparison.Previous) && PreviousRange.From < earliest) earliest = PreviousRange.From;
        if (Compare.HasFlag(KpiComparison.YearOverYear) && YearAgoRange.From < earliest) earliest = YearAgoRange.From;
        if (earliest < EarliestDay)
            return Error.Invalid("compare", $"the comparison range would start on {earliest:yyyy-MM-dd}, before {EarliestDay:yyyy-MM-dd}");
        return Scope?.Validate();
    }
}
