namespace Flywheel.Analytics.Kpis;

/// <summary>
/// The measured KPIs of one group (a day, a week, a month, a channel ..., or the total). Money is fen; ratios are
/// fractions, null when their denominator is zero. Traffic (<see cref="Visitors"/>, <see cref="PageViews"/>,
/// <see cref="Sessions"/>) is null when the scope or grouping cannot apply to events (a store); ad spend
/// (<see cref="Spend"/>, <see cref="Impressions"/>, <see cref="Clicks"/>) is null when it cannot apply to spend rows
/// (a store, category, region or customer filter or grouping), and so are the ratios built on them. Definitions:
/// docs/kpis.md.
/// </summary>
internal sealed record KpiRow(
    string Key,
    long Gmv,
    long Refunds,
    long Orders,
    long Units,
    long OrdersRefunded,
    long Buyers,
    long RepeatBuyers,
    long NewBuyers,
    long? Visitors,
    long? PageViews,
    long? Sessions,
    long? Impressions,
    long? Clicks,
    long? Spend)
{
    public long GmvNet => Gmv - Refunds;
    public long ReturningBuyers => Buyers - NewBuyers;
    public double? Cvr => Visitors is { } uv ? Ratio(Buyers, uv) : null;
    public long? Aov => Orders > 0 ? DivideHalfUp(Gmv, Orders) : null;
    public double? UnitsPerOrder => Ratio(Units, Orders);
    public double? RepurchaseRate => Ratio(RepeatBuyers, Buyers);
    public double? RefundRate => Ratio(OrdersRefunded, Orders);
    public double? Ctr => Clicks is { } clicks && Impressions is { } impressions ? Ratio(clicks, impressions) : null;
    /// <summary>Cost per click in fen, half up.</summary>
    public long? Cpc => Spend is { } spend && Clicks is > 0 ? DivideHalfUp(spend, Clicks.Value) : null;
    /// <summary>Cost per thousand impressions in fen, half up.</summary>
    public long? Cpm => Spend is { } spend && Impressions is > 0 ? DivideHalfUp((Int128)spend * 1000, Impressions.Value) : null;
    /// <summary>Customer acquisition cost: spend / new buyers, fen, half up.</summary>
    public long? Cac => Spend is { } spend && NewBuyers > 0 ? DivideHalfUp(spend, NewBuyers) : null;
    /// <summary>ROI as Flywheel defines it: GMV / ad spend (the same number marketplaces call ROAS).</summary>
    public double? Roi => Spend is { } spend ? Ratio(Gmv, spend) : null;

    /// <summary>A row with nothing in it, keeping which parts are measurable.</summary>
    public static KpiRow Empty(string key, bool traffic, bool spend) =>
        new(key, 0, 0, 0, 0, 0, 0, 0, 0, traffic ? 0 : null, traffic ? 0 : null, traffic ? 0 : null, spend ? 0 : null, spend ? 0 : null, spend ? 0 : null);

    private static double? Ratio(long numerator, long denominator) => denominator > 0 ? (double)numerator / denominator : null;

    /// <summary>Non-negative division rounded half up (0.5 fen goes up), the one rounding rule for money averages.</summary>
    public static long DivideHalfUp(long numerator, long denominator) => DivideHalfUp((Int128)numerator, denominator);

    /// <summary>The same, exact in 128 bits (no overflow of numerator × 2); a quotient beyond a long throws <see cref="OverflowException"/>.</summary>
    public static long DivideHalfUp(Int128 numerator, long denominator) => checked((long)((numerator * 2 + denominator) / ((Int128)denominator * 2)));
}
