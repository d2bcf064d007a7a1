namespace Flywheel.Experiments.Domain.Metrics;

/// <summary>
/// A paid order of a unit's customer (see <c>OrderOutcome</c> in Ingestion's contracts): paid time (Unix ms), GMV, discount and
/// refunded money in fen, items bought, whether a refund is recorded and when (null: the record does not say, taken as known when paid).
/// </summary>
internal readonly record struct UnitOrder(long PaidAt, long TotalPaid, long Discount, long Items, bool Refunded, long? RefundedAt, long RefundAmount)
{
    /// <summary>When the refund became known: its time, never before the payment.</summary>
    public long RefundKnownAt => Math.Max(RefundedAt ?? PaidAt, PaidAt);
}

/// <summary>
/// An exposed unit: its id, the variant it saw, its first exposure (Unix ms), and its customer's paid orders and withdrawals of
/// marketing consent (Unix ms) at any time (the aggregation picks the window and the pre-period). A unit with no known customer has none.
/// </summary>
internal sealed record ExposedUnit(string UnitId, string Variant, long ExposedAt, IReadOnlyList<UnitOrder> Orders, IReadOnlyList<long> Withdrawals);

/// <summary>One day's look for the sequential test: the arms as known at <see cref="Until"/> (exclusive, Unix ms: the end of the local day, or just after the as-of time on its day).</summary>
internal sealed record DailyLook(DateOnly Day, long Until, IReadOnlyList<Statistics.ArmSummary> Arms);

/// <summary>A metric's arms (in the result's variant order) at the as-of time, and its daily cumulative looks when asked for.</summary>
internal sealed record MetricArms(MetricDefinition Metric, IReadOnlyList<Statistics.ArmSummary> Arms, IReadOnlyList<DailyLook> Looks);

/// <summary>
/// An arm's totals over its units' windows at the as-of time, exact (long fen, checked sums): the units counted, those that
/// bought and those that withdrew marketing consent, paid orders, GMV, discount, items, refunded orders and refunded money.
/// </summary>
internal sealed record ArmTotals(string Variant, long Units, long ConvertedUnits, long Orders, long Gmv, long Discount, long Items, long RefundedOrders,
    long RefundAmount, long UnsubscribedUnits);
