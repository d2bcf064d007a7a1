using Flywheel.Experiments.Domain.Metrics;
using Flywheel.Experiments.Domain.Statistics;

namespace Flywheel.Experiments.Tests.Metrics;

/// <summary>
/// The slow, obviously-correct reference: every unit's value, denominator and covariate computed straight from the definitions,
/// then summed. Tests compare <see cref="MetricAggregator"/> (and the store read) with it.
/// </summary>
internal static class NaiveMetrics
{
    public const long Day = 86_400_000;

    public static (long X, long D, long C) UnitValue(ExposedUnit u, string metric, int windowDays, long asOf)
    {
        long e = u.ExposedAt, end = e + windowDays * Day, pre = e - windowDays * Day;
        var inWindow = u.Orders.Where(o => o.PaidAt >= e && o.PaidAt < end && o.PaidAt <= asOf).ToList();
        var before = u.Orders.Where(o => o.PaidAt >= pre && o.PaidAt < e).ToList();
        var refunded = inWindow.Count(o => o.Refunded && Math.Max(o.RefundedAt ?? o.PaidAt, o.PaidAt) <= asOf);
        var withdrew = u.Withdrawals.Any(t => t >= e && t < end && t <= asOf);
        var withdrewBefore = u.Withdrawals.Any(t => t >= pre && t < e);
        return metric switch
        {
            MetricCatalog.Conversion => (inWindow.Count > 0 ? 1 : 0, 0, before.Count > 0 ? 1 : 0),
            MetricCatalog.Revenue => (inWindow.Sum(o => o.TotalPaid), 0, before.Sum(o => o.TotalPaid)),
            MetricCatalog.Orders => (inWindow.Count, 0, before.Count),
            MetricCatalog.Units => (inWindow.Sum(o => o.Items), 0, before.Sum(o => o.Items)),
            MetricCatalog.Aov => (inWindow.Sum(o => o.TotalPaid), inWindow.Count, 0),
            MetricCatalog.RefundRate => (refunded, inWindow.Count, 0),
            MetricCatalog.UnsubscribeRate => (withdrew ? 1 : 0, 0, withdrewBefore ? 1 : 0),
            MetricCatalog.Discount => (inWindow.Sum(o => o.Discount), 0, before.Sum(o => o.Discount)),
            _ => throw new ArgumentException(metric),
        };
    }

    /// <summary>The arms of one metric, in <paramref name="variants"/>' order, over units exposed at or before <paramref name="asOf"/>.</summary>
    public static IReadOnlyList<ArmSummary> Arms(IEnumerable<ExposedUnit> units, string metric, int windowDays, long asOf, IReadOnlyList<string> variants)
    {
        var counted = units.Where(u => u.ExposedAt <= asOf).ToList();
        return [.. variants.Select(v =>
        {
            var values = counted.Where(u => u.Variant == v).Select(u => UnitValue(u, metric, windowDays, asOf)).ToList();
            return new ArmSummary(v, values.Count, values.Sum(t => (double)t.X), values.Sum(t => (double)t.X * t.X), values.Sum(t => (double)t.D),
                values.Sum(t => (double)t.D * t.D), values.Sum(t => (double)t.X * t.D), values.Sum(t => (double)t.C), values.Sum(t => (double)t.C * t.C),
                values.Sum(t => (double)t.X * t.C));
        })];
    }
}
