namespace Flywheel.Analytics.Kpis;

/// <summary>
/// A row of the query's range beside its partners in the comparison ranges: null when that comparison was not asked
/// for, or when the row has no partner (see <see cref="KpiEngine.Report"/>).
/// </summary>
internal sealed record KpiComparedRow(KpiRow Row, KpiRow? Previous, KpiRow? YearAgo)
{
    /// <summary>The partner in one comparison.</summary>
    public KpiRow? Partner(KpiComparison comparison) => comparison switch
    {
        KpiComparison.Previous => Previous,
        KpiComparison.YearOverYear => YearAgo,
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "one comparison"),
    };
}

/// <summary>
/// A KPI report with its comparisons. <paramref name="Data"/>: the first and last day holding an event or a paid order,
/// when known, so day, week and month rows can say how much of their period the data covers (<see cref="Coverage"/>).
/// </summary>
internal sealed record KpiReport(KpiQuery Query, IReadOnlyList<KpiComparedRow> Rows, (DateOnly First, DateOnly Last)? Data = null)
{
    /// <summary>Whether rows are periods of time (day, week, month), which have a <see cref="Coverage"/>.</summary>
    public bool ByTime => Query.By is KpiGrouping.Day or KpiGrouping.Week or KpiGrouping.Month;

    /// <summary>
    /// How many of a day, week or month row's days are inside both the report's range and the data; null for other
    /// groupings. A month cut by the range, or with data ending on its 7th, is partial.
    /// </summary>
    public PeriodCoverage? Coverage(KpiRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (PeriodCoverage.PeriodOf(Query.By, row.Key) is not { } period) return null;
        return PeriodCoverage.Of(period.Start, period.End, (Query.From, Query.To), Data);
    }

    /// <summary>The comparisons asked for, previous first.</summary>
    public IEnumerable<KpiComparison> Comparisons
    {
        get
        {
            if (Query.Compare.HasFlag(KpiComparison.Previous)) yield return KpiComparison.Previous;
            if (Query.Compare.HasFlag(KpiComparison.YearOverYear)) yield return KpiComparison.YearOverYear;
        }
    }

    /// <summary>The range of one comparison.</summary>
    public (DateOnly From, DateOnly To) RangeOf(KpiComparison comparison) =>
        comparison == KpiComparison.Previous ? Query.PreviousRange : Query.YearAgoRange;
}

/// <summary>How one KPI moved from a comparison value to the current one.</summary>
internal static class KpiChange
{
    /// <summary>Current − before, null when either is null.</summary>
    public static long? Absolute(long? current, long? before) => current is { } c && before is { } b ? c - b : null;

    /// <summary>Current − before, null when either is null.</summary>
    public static double? Absolute(double? current, double? before) => current is { } c && before is { } b ? c - b : null;

    /// <summary>(current − before) / before as a fraction; null when either is null or before is 0.</summary>
    public static double? Relative(double? current, double? before) =>
        current is { } c && before is { } b && b != 0 ? (c - b) / b : null;
}
