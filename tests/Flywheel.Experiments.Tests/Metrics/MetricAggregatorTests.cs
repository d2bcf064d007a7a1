using CsCheck;
using Flywheel.Experiments.Domain.Metrics;
using Flywheel.Experiments.Domain.Statistics;
using NodaTime;

namespace Flywheel.Experiments.Tests.Metrics;

public class MetricAggregatorTests
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private static readonly long Start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
    private const long Hour = 3_600_000;

    [Fact]
    public void Catalog_HasEightMetrics_WithKindsDirectionsAndGuardrails()
    {
        Assert.Equal(["conversion", "revenue", "orders", "units", "aov", "refund_rate", "unsubscribe_rate", "discount"], MetricCatalog.All.Select(m => m.Key));
        Assert.Equal(MetricKind.Binomial, MetricCatalog.Find("conversion")!.Kind);
        Assert.Equal(MetricKind.Ratio, MetricCatalog.Find("aov")!.Kind);
        Assert.Equal(MetricKind.Ratio, MetricCatalog.Find("refund_rate")!.Kind);
        Assert.Equal(MetricKind.Binomial, MetricCatalog.Find("unsubscribe_rate")!.Kind);
        Assert.Equal(MetricKind.Mean, MetricCatalog.Find("discount")!.Kind);
        Assert.Equal(["refund_rate", "unsubscribe_rate", "discount"], MetricCatalog.All.Where(m => !m.HigherIsBetter).Select(m => m.Key));
        Assert.Equal(["refund_rate", "unsubscribe_rate"], MetricCatalog.Guardrails.Select(m => m.Key));
        Assert.All(MetricCatalog.All, m => Assert.False(string.IsNullOrWhiteSpace(m.NameZh) || string.IsNullOrWhiteSpace(m.NameEn)));
        Assert.Null(MetricCatalog.Find("Conversion"));
    }

    [Fact]
    public void OrderVariants_ControlFirstThenOrdinal_OrTheGivenOrderThenTheRest()
    {
        Assert.Equal(["control", "a", "b"], MetricAggregator.OrderVariants(["b", "control", "a", "b"], null));
        Assert.Equal(["b", "holdout", "a", "control"], MetricAggregator.OrderVariants(["control", "a"], ["b", "holdout"]));
    }

    [Fact]
    public void Compute_WindowEdges_ExposureMillisecondCountsAndWindowEndDoesNot()
    {
        var e = Start + 10 * Hour;
        var orders = new[]
        {
            Order(e - 7 * NaiveMetrics.Day - 1, 1), // before the pre-period
            Order(e - 7 * NaiveMetrics.Day, 10),    // first ms of the pre-period
            Order(e - 1, 100),                      // last ms of the pre-period
            Order(e, 1_000),                        // the exposure's ms: in the window
            Order(e + 7 * NaiveMetrics.Day - 1, 10_000), // last ms of the window
            Order(e + 7 * NaiveMetrics.Day, 100_000),    // the window's end: out
        };
        var result = MetricAggregator.Compute([new ExposedUnit("u", "control", e, orders, [])], [MetricCatalog.Find("revenue")!], 7, e + 30 * NaiveMetrics.Day,
            Shanghai, daily: false);
        var arm = Assert.Single(result.Metrics[0].Arms);
        Assert.Equal((1L, 11_000d, 110d), (arm.Units, arm.Sum, arm.CovariateSum));
        Assert.Equal(11_000d * 110, arm.CovariateCrossSum);
        Assert.Equal(11_000, result.Totals[0].Gmv);
    }

    [Fact]
    public void Compute_RefundKnownAfterAsOf_CountsTheOrderNotTheRefund()
    {
        var e = Start;
        var refunded = new UnitOrder(e + Hour, 5_000, 0, 1, true, e + 50 * Hour, 5_000);
        var unit = new ExposedUnit("u", "control", e, [refunded], []);
        var rate = MetricCatalog.Find("refund_rate")!;
        var early = MetricAggregator.Compute([unit], [rate], 7, e + 49 * Hour, Shanghai, daily: false).Metrics[0].Arms[0];
        var late = MetricAggregator.Compute([unit], [rate], 7, e + 50 * Hour, Shanghai, daily: false).Metrics[0].Arms[0];
        Assert.Equal((0d, 1d), (early.Sum, early.DenominatorSum));
        Assert.Equal((1d, 1d), (late.Sum, late.DenominatorSum));
    }

    [Fact]
    public void Compute_DailyLooks_OnePerLocalDay_UnitsGrowAndTheLastIsTheAnswer()
    {
        // Exposures at 23:30 and 00:30 Shanghai time fall on two local days though an hour apart.
        var first = Start + 23 * Hour + 30 * 60_000;
        var units = new[]
        {
            new ExposedUnit("u1", "control", first, [Order(first + 2 * Hour, 100)], []),
            new ExposedUnit("u2", "b", first + Hour, [Order(first + 50 * Hour, 300)], []),
            new ExposedUnit("u3", "b", first + 3 * NaiveMetrics.Day, [], []),
        };
        var asOf = first + 4 * NaiveMetrics.Day;
        var result = MetricAggregator.Compute(units, [MetricCatalog.Find("revenue")!], 7, asOf, Shanghai, daily: true);
        var looks = result.Metrics[0].Looks;
        Assert.Equal(Enumerable.Range(1, 5).Select(d => new DateOnly(2026, 6, d)), looks.Select(l => l.Day));
        Assert.Equal([(1L, 0L), (1L, 1L), (1L, 1L), (1L, 2L), (1L, 2L)], looks.Select(l => (l.Arms[0].Units, l.Arms[1].Units)));
        Assert.Equal([0d, 100d, 100d, 100d, 100d], looks.Select(l => l.Arms[0].Sum));
        Assert.Equal([0d, 0d, 0d, 300d, 300d], looks.Select(l => l.Arms[1].Sum));
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(), looks[0].Until);
        Assert.Equal(asOf + 1, looks[^1].Until);
        Assert.Equal(result.Metrics[0].Arms, looks[^1].Arms);
    }

    [Fact]
    public void Compute_NoUnits_GivesZeroArmsAndNoLooks()
    {
        var result = MetricAggregator.Compute([], MetricCatalog.All, 7, Start, Shanghai, daily: true, ["control", "b"]);
        Assert.All(result.Metrics, m => Assert.Empty(m.Looks));
        Assert.All(result.Metrics, m => Assert.Equal([new ArmSummary("control", 0, 0, 0), new ArmSummary("b", 0, 0, 0)], m.Arms));
        Assert.Equal([0L, 0L], result.Totals.Select(t => t.Units));
    }

    private static readonly Gen<UnitOrder> GenOrder =
        Gen.Select(Gen.Long[0, 40 * NaiveMetrics.Day], Gen.Long[0, 50_000], Gen.Long[0, 5_000], Gen.Long[1, 5], Gen.Bool, Gen.Long[-4 * NaiveMetrics.Day, 20 * NaiveMetrics.Day],
            (at, paid, discount, items, refunded, refundDelay) => new UnitOrder(Start + at, paid, discount, items, refunded, refundDelay >= -2 * NaiveMetrics.Day ? Start + at + refundDelay : null, // below: no refund time
                refunded ? paid / 2 : 0));

    private static readonly Gen<ExposedUnit> GenUnit =
        Gen.Select(Gen.Int[0, 9999], Gen.Int[0, 2].Select(i => new[] { "control", "b", "c" }[i]), Gen.Long[5 * NaiveMetrics.Day, 30 * NaiveMetrics.Day], GenOrder.List[0, 6],
            Gen.Long[0, 40 * NaiveMetrics.Day].List[0, 2],
            (id, variant, at, orders, withdrawals) => new ExposedUnit("u" + id, variant, Start + at, orders, [.. withdrawals.Select(w => Start + w)]));

    [Fact]
    public void Compute_EqualsTheNaiveReference_ForEveryMetricAndEveryLook()
    {
        Gen.Select(GenUnit.List[0, 40], Gen.Int[1, 14], Gen.Long[0, 45 * NaiveMetrics.Day]).Sample((units, window, asOfOffset) =>
        {
            var asOf = Start + asOfOffset;
            var result = MetricAggregator.Compute(units, MetricCatalog.All, window, asOf, Shanghai, daily: true);
            foreach (var metric in result.Metrics)
            {
                Assert.Equal(NaiveMetrics.Arms(units, metric.Metric.Key, window, asOf, result.Variants), metric.Arms);
                foreach (var look in metric.Looks)
                    Assert.Equal(NaiveMetrics.Arms(units, metric.Metric.Key, window, look.Until - 1, result.Variants), look.Arms);
                for (var i = 1; i < metric.Looks.Count; i++)
                    for (var v = 0; v < result.Variants.Count; v++)
                        Assert.True(metric.Looks[i].Arms[v].Units >= metric.Looks[i - 1].Arms[v].Units);
                if (metric.Looks.Count > 0) Assert.Equal(metric.Arms, metric.Looks[^1].Arms);
            }
            var counted = units.Where(u => u.ExposedAt <= asOf).ToList();
            for (var v = 0; v < result.Variants.Count; v++)
            {
                var arm = counted.Where(u => u.Variant == result.Variants[v]).ToList();
                var t = result.Totals[v];
                Assert.Equal(arm.Count, t.Units);
                Assert.Equal(arm.Sum(u => NaiveMetrics.UnitValue(u, "revenue", window, asOf).X), t.Gmv);
                Assert.Equal(arm.Sum(u => NaiveMetrics.UnitValue(u, "orders", window, asOf).X), t.Orders);
                Assert.Equal(arm.Sum(u => NaiveMetrics.UnitValue(u, "discount", window, asOf).X), t.Discount);
                Assert.Equal(arm.Sum(u => NaiveMetrics.UnitValue(u, "refund_rate", window, asOf).X), t.RefundedOrders);
                Assert.Equal(arm.Sum(u => NaiveMetrics.UnitValue(u, "conversion", window, asOf).X), t.ConvertedUnits);
            }
        }, iter: 300);
    }

    private static UnitOrder Order(long paidAt, long totalPaid) => new(paidAt, totalPaid, 0, 1, false, null, 0);
}
