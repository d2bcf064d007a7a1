using System.Globalization;

namespace Flywheel.Analytics.Kpis;

/// <summary>
/// How many days of a reporting period (a day, an ISO week, a month) a report saw: the days that are inside both the
/// asked range and the data (first to last day holding an event or a paid order). A period with fewer days covered than
/// it has is <see cref="Partial"/>: a month with 7 days of data, or the week a range starts in on a Thursday, must not
/// read like a whole one.
/// </summary>
internal readonly record struct PeriodCoverage(int DaysCovered, int DaysInPeriod)
{
    /// <summary>Some of the period's days were not seen.</summary>
    public bool Partial => DaysCovered < DaysInPeriod;

    /// <summary>
    /// The days of <paramref name="start"/>..<paramref name="end"/> (inclusive) that lie in every one of the given
    /// inclusive windows; a null window does not limit.
    /// </summary>
    public static PeriodCoverage Of(DateOnly start, DateOnly end, params ReadOnlySpan<(DateOnly From, DateOnly To)?> windows)
    {
        int first = start.DayNumber, last = end.DayNumber;
        var inPeriod = last - first + 1;
        foreach (var window in windows)
        {
            if (window is not { } w) continue;
            first = Math.Max(first, w.From.DayNumber);
            last = Math.Min(last, w.To.DayNumber);
        }
        return new PeriodCoverage(Math.Max(0, last - first + 1), inPeriod);
    }

    /// <summary>
    /// The first and last day of a day, week or month row from its key (yyyy-MM-dd, the Monday yyyy-MM-dd, yyyy-MM);
    /// null for any other grouping.
    /// </summary>
    public static (DateOnly Start, DateOnly End)? PeriodOf(KpiGrouping by, string key)
    {
        switch (by)
        {
            case KpiGrouping.Day:
                var day = DateOnly.ParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                return (day, day);
            case KpiGrouping.Week:
                var monday = DateOnly.ParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                return (monday, monday.AddDays(6));
            case KpiGrouping.Month:
                var first = DateOnly.ParseExact(key, "yyyy-MM", CultureInfo.InvariantCulture);
                return (first, first.AddMonths(1).AddDays(-1));
            default:
                return null;
        }
    }
}
