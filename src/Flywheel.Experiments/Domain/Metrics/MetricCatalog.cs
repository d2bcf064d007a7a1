using Flywheel.Experiments.Domain.Statistics;

namespace Flywheel.Experiments.Domain.Metrics;

/// <summary>
/// A metric an experiment can be judged on: its key (in definitions and JSON), its names, how it is aggregated per unit
/// (<see cref="Kind"/>), which direction is good, whether it is a guardrail unless a definition says otherwise, and what counts.
/// </summary>
internal sealed record MetricDefinition(string Key, string NameZh, string NameEn, MetricKind Kind, bool HigherIsBetter, bool Guardrail, string Definition)
{
    /// <summary>Mean and binomial metrics carry a CUPED covariate (the same metric over the pre-period); ratio metrics do not.</summary>
    public bool HasCovariate => Kind != MetricKind.Ratio;
}

/// <summary>
/// The metrics Experiments measures per unit over the exposure window. A unit's outcomes are its customer's paid orders
/// (status paid, shipped, completed, refunded or partially_refunded, at their paid time, else their placed time: the KPI report's
/// orders) and its withdrawals of marketing consent. Money is fen.
/// </summary>
internal static class MetricCatalog
{
    public const string Conversion = "conversion";
    public const string Revenue = "revenue";
    public const string Orders = "orders";
    public const string Units = "units";
    public const string Aov = "aov";
    public const string RefundRate = "refund_rate";
    public const string UnsubscribeRate = "unsubscribe_rate";
    public const string Discount = "discount";

    /// <summary>Every metric, in the order reports list them.</summary>
    public static IReadOnlyList<MetricDefinition> All { get; } =
    [
        new(Conversion, "转化率", "Conversion rate", MetricKind.Binomial, true, false,
            "share of units with at least one paid order in the window"),
        new(Revenue, "人均成交额", "Revenue per unit", MetricKind.Mean, true, false,
            "GMV per unit: the sum of total_paid (goods − discounts + shipping, fen; refunds not subtracted) of the unit's paid orders in the window"),
        new(Orders, "人均订单数", "Orders per unit", MetricKind.Mean, true, false, "paid orders per unit in the window"),
        new(Units, "人均件数", "Items per unit", MetricKind.Mean, true, false, "items bought per unit: the quantities of the lines of its paid orders in the window"),
        new(Aov, "客单价", "Average order value", MetricKind.Ratio, true, false,
            "GMV / paid orders over the arm's units (fen per order; the delta method gives its variance)"),
        new(RefundRate, "退款率", "Refund rate", MetricKind.Ratio, false, true,
            "refunded orders / paid orders in the window: an order counts as refunded when a refund is recorded (an amount refunded, or status refunded or partially_refunded) by the as-of time"),
        new(UnsubscribeRate, "退订率", "Unsubscribe rate", MetricKind.Binomial, false, true,
            "share of units whose customer withdrew marketing consent (any channel) in the window"),
        new(Discount, "人均优惠", "Discount per unit", MetricKind.Mean, false, false,
            "discount per unit: the sum of discount_amount (what promotions and coupons took off, fen) of its paid orders in the window"),
    ];

    private static readonly Dictionary<string, MetricDefinition> ByKey = All.ToDictionary(m => m.Key, StringComparer.Ordinal);

    /// <summary>The metric named <paramref name="key"/> (exact, lower case), or null.</summary>
    public static MetricDefinition? Find(string key) => ByKey.GetValueOrDefault(key);

    /// <summary>The metrics that are guardrails by default: refund rate and unsubscribe rate.</summary>
    public static IReadOnlyList<MetricDefinition> Guardrails { get; } = [.. All.Where(m => m.Guardrail)];
}
