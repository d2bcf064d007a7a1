using Flywheel.Experiments.Domain.Metrics;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Experiments.Storage;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using static Flywheel.Experiments.Tests.Metrics.MetricStore;

namespace Flywheel.Experiments.Tests.Metrics;

/// <summary>
/// A hand-made store whose every sum is worked out below. Window 7 days; as of 2026-06-16 00:00 (+08) unless the data's end is asked for.
/// <list type="bullet">
/// <item>c1 (control, exposed 06-10 10:00): O1 06-09 10 000 (pre-period); O2 06-10 12:00 2 × 10 500 − 1 000 = 20 000, 2 items; O4 06-12
/// 8 000 refunded 06-13; O3 06-16 08:00 5 000 (in the window, after the as-of time); O9 06-18 10:00 (after the window).</item>
/// <item>c2 (control, exposed 06-11 09:00): no orders; withdrew sms marketing consent 06-12 (and email transactional, which does not count).</item>
/// <item>c3 (b, exposed 06-10 20:00): O5 06-11 3 × 11 000 − 3 000 = 30 000; O6 pending, O7 cancelled (neither counts); O8 06-05 4 000 (pre-period);
/// O10 06-03 19:00 (before the pre-period, which starts 06-03 20:00).</item>
/// <item>c4 (b, exposed 06-14): nothing. c5 (b, exposed 06-16 10:00, after the as-of time): O11 06-16 12:00 7 000.</item>
/// </list>
/// </summary>
public class ExperimentMetricsTests
{
    private static readonly long AsOf = At(6, 16, 0);

    private static async Task<FlywheelStore> HandStoreAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        await using (var s = await IngestSession.BeginAsync(store, "test", "hand-made", CancellationToken.None))
        {
            Order(s, "O1", "c1", At(6, 9, 10), 10_000);
            Order(s, "O2", "c1", At(6, 10, 12), 10_500, items: 2, discount: 1_000);
            Order(s, "O4", "c1", At(6, 12, 9), 8_000, status: "refunded", refundedAt: At(6, 13, 9), refundedItems: 1);
            Order(s, "O3", "c1", At(6, 16, 8), 5_000);
            Order(s, "O9", "c1", At(6, 18, 10), 6_000);
            s.RecordConsent("c2", new ConsentChange("sms", "marketing", "withdrawn", At(6, 12, 9), "test"));
            s.RecordConsent("c2", new ConsentChange("email", "transactional", "withdrawn", At(6, 12, 10), "test"));
            Order(s, "O5", "c3", At(6, 11, 10), 11_000, items: 3, discount: 3_000, status: "completed");
            Order(s, "O6", "c3", At(6, 11, 11), 9_000, status: "pending", noPaidAt: true);
            Order(s, "O7", "c3", At(6, 11, 12), 9_000, status: "cancelled");
            Order(s, "O8", "c3", At(6, 5, 10), 4_000);
            Order(s, "O10", "c3", At(6, 3, 19), 2_000);
            Assert.True(s.UpsertCustomer(new CustomerRow { CustomerId = "c4" }).IsSuccess);
            Order(s, "O11", "c5", At(6, 16, 12), 7_000);
            Assert.True(s.Identify("a1", "c1", At(6, 1, 0), null).IsSuccess);
            Assert.True(s.Identify("a3", "c3", At(6, 1, 0), null).IsSuccess);
            await s.CommitAsync(0, 0, CancellationToken.None);
        }
        await ExperimentAsync(store, "exp", [("c1", "control", At(6, 10, 10)), ("c2", "control", At(6, 11, 9)), ("c3", "b", At(6, 10, 20)),
            ("c4", "b", At(6, 14, 10)), ("c5", "b", At(6, 16, 10))]);
        await ExperimentAsync(store, "anon", [("a1", "control", At(6, 10, 10)), ("a2", "control", At(6, 11, 9)), ("a3", "b", At(6, 10, 20))]);
        return store;
    }

    private static async Task<ExperimentMetricsResult> ReadAsync(FlywheelStore store, string key, string unit, long? asOf, bool daily = false, params string[] metrics)
    {
        var result = await ExperimentMetrics.ReadAsync(store, key, unit, 7, metrics, asOf, daily, CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Value;
    }

    private static IReadOnlyList<ArmSummary> Arms(ExperimentMetricsResult r, string metric) => r.Metrics.Single(m => m.Metric.Key == metric).Arms;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_HandStore_EverySumAsWorkedOut(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var r = await ReadAsync(store, "exp", "customer", AsOf);
        Assert.Equal(["control", "b"], r.Variants);
        Assert.Equal(MetricCatalog.All.Select(m => m.Key), r.Metrics.Select(m => m.Metric.Key));
        Assert.Equal(1, r.UnitsExposedAfterAsOf);
        Assert.Equal(AsOf, r.AsOf);
        Assert.False(r.AsOfIsDataEnd);
        Assert.Equal("Asia/Shanghai", r.TimeZone);

        // control: c1 (2 orders, 28 000, 3 items, 1 000 off, 1 refunded; pre: 1 order, 10 000, 1 item), c2 (withdrew).
        // b: c3 (1 order, 30 000, 3 items, 3 000 off; pre: 1 order, 4 000, 1 item), c4 (nothing).
        Assert.Equal([new ArmSummary("control", 2, 1, 1, 0, 0, 0, 1, 1, 1), new ArmSummary("b", 2, 1, 1, 0, 0, 0, 1, 1, 1)], Arms(r, "conversion"));
        Assert.Equal([new ArmSummary("control", 2, 28_000, 784_000_000, 0, 0, 0, 10_000, 100_000_000, 280_000_000),
            new ArmSummary("b", 2, 30_000, 900_000_000, 0, 0, 0, 4_000, 16_000_000, 120_000_000)], Arms(r, "revenue"));
        Assert.Equal([new ArmSummary("control", 2, 2, 4, 0, 0, 0, 1, 1, 2), new ArmSummary("b", 2, 1, 1, 0, 0, 0, 1, 1, 1)], Arms(r, "orders"));
        Assert.Equal([new ArmSummary("control", 2, 3, 9, 0, 0, 0, 1, 1, 3), new ArmSummary("b", 2, 3, 9, 0, 0, 0, 1, 1, 3)], Arms(r, "units"));
        Assert.Equal([new ArmSummary("control", 2, 28_000, 784_000_000, 2, 4, 56_000), new ArmSummary("b", 2, 30_000, 900_000_000, 1, 1, 30_000)], Arms(r, "aov"));
        Assert.Equal([new ArmSummary("control", 2, 1, 1, 2, 4, 2), new ArmSummary("b", 2, 0, 0, 1, 1, 0)], Arms(r, "refund_rate"));
        Assert.Equal([new ArmSummary("control", 2, 1, 1), new ArmSummary("b", 2, 0, 0)], Arms(r, "unsubscribe_rate"));
        Assert.Equal([new ArmSummary("control", 2, 1_000, 1_000_000), new ArmSummary("b", 2, 3_000, 9_000_000)], Arms(r, "discount"));

        Assert.Equal([new ArmTotals("control", 2, 1, 2, 28_000, 1_000, 3, 1, 8_000, 1), new ArmTotals("b", 2, 1, 1, 30_000, 3_000, 3, 0, 0, 0)], r.Totals);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_NoAsOf_MeasuresToTheEndOfTheData(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var r = await ReadAsync(store, "exp", "customer", null, false, "revenue");
        Assert.True(r.AsOfIsDataEnd);
        Assert.Equal(At(6, 18, 10), r.AsOf); // O9, the latest paid order
        Assert.Equal(0, r.UnitsExposedAfterAsOf);
        // Now O3 (5 000) is known for c1 and c5 counts with O11 (7 000); O9 stays outside c1's window.
        Assert.Equal([(2L, 33_000d), (3L, 37_000d)], Arms(r, "revenue").Select(a => (a.Units, a.Sum)));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_AnonymousUnits_StitchedToCustomers_UnlinkedCountWithNothing(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var r = await ReadAsync(store, "anon", "anonymous", AsOf, false, "revenue", "unsubscribe_rate");
        Assert.Equal([new ArmSummary("control", 2, 28_000, 784_000_000, 0, 0, 0, 10_000, 100_000_000, 280_000_000),
            new ArmSummary("b", 1, 30_000, 900_000_000, 0, 0, 0, 4_000, 16_000_000, 120_000_000)], Arms(r, "revenue"));
        // a2 has no customer, so c2's withdrawal is nobody's here.
        Assert.Equal([0d, 0d], Arms(r, "unsubscribe_rate").Select(a => a.Sum));
        Assert.Equal(1, r.UnitsWithoutCustomer);
        // The same ids read as customer units are customers no one knows: all count, with nothing.
        var asCustomers = await ReadAsync(store, "anon", "customer", AsOf, false, "revenue");
        Assert.Equal([(2L, 0d), (1L, 0d)], Arms(asCustomers, "revenue").Select(a => (a.Units, a.Sum)));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_DailyLooks_FromTheFirstExposureToTheAsOfDay(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var r = await ReadAsync(store, "exp", "customer", AsOf, true, "conversion", "refund_rate");
        var conversion = r.Metrics[0].Looks;
        Assert.Equal(Enumerable.Range(10, 7).Select(d => new DateOnly(2026, 6, d)), conversion.Select(l => l.Day));
        Assert.Equal([(1L, 1L), (2L, 1L), (2L, 1L), (2L, 1L), (2L, 2L), (2L, 2L), (2L, 2L)], conversion.Select(l => (l.Arms[0].Units, l.Arms[1].Units)));
        Assert.Equal([(1d, 0d), (1d, 1d), (1d, 1d), (1d, 1d), (1d, 1d), (1d, 1d), (1d, 1d)], conversion.Select(l => (l.Arms[0].Sum, l.Arms[1].Sum)));
        // c1's O4 is paid 06-12 and refunded 06-13: the denominator grows a day before the numerator.
        var refunds = r.Metrics[1].Looks;
        Assert.Equal([(0d, 1d), (0d, 1d), (0d, 2d), (1d, 2d), (1d, 2d), (1d, 2d), (1d, 2d)], refunds.Select(l => (l.Arms[0].Sum, l.Arms[0].DenominatorSum)));
        Assert.Equal(Arms(r, "conversion"), conversion[^1].Arms);
        Assert.Equal(At(6, 11, 0), conversion[0].Until);
        Assert.Equal(AsOf + 1, conversion[^1].Until);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_BadInput_IsAnErrorNamingTheField(string engine)
    {
        using var store = await HandStoreAsync(engine);
        async Task<string?> PathOf(string key, string unit, int window, string[] metrics, long? asOf = null)
        {
            var result = await ExperimentMetrics.ReadAsync(store, key, unit, window, metrics, asOf, false, CancellationToken.None);
            Assert.False(result.IsSuccess);
            return result.Error!.Path;
        }
        Assert.Equal("experiment", await PathOf("nope", "customer", 7, []));
        Assert.Equal("experiment", await PathOf("", "customer", 7, []));
        Assert.Equal("unit", await PathOf("exp", "visitor", 7, []));
        Assert.Equal("window_days", await PathOf("exp", "customer", 0, []));
        Assert.Equal("window_days", await PathOf("exp", "customer", 10_000, []));
        Assert.Equal("metrics[1]", await PathOf("exp", "customer", 7, ["revenue", "cvr"]));
        Assert.Equal("as_of", await PathOf("exp", "customer", 7, [], long.MaxValue));
        Assert.Equal("as_of", await PathOf("exp", "customer", 7, [], -1));
        var looks = await ExperimentMetrics.ReadAsync(store, new MetricsRequest("exp", "customer", 7, [], At(6, 16, 0) + 4_000L * NaiveMetrics.Day, Daily: true),
            CancellationToken.None);
        Assert.Equal("daily", looks.Error?.Path);
        Assert.Equal("not_found", (await ExperimentMetrics.ReadAsync(store, "nope", "customer", 7, [], null, false, CancellationToken.None)).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_GivenVariantOrder_KeepsEmptyArms(string engine)
    {
        using var store = await HandStoreAsync(engine);
        var result = await ExperimentMetrics.ReadAsync(store, new MetricsRequest("exp", "customer", 7, ["orders"], AsOf, Variants: ["b", "holdout", "control"]),
            CancellationToken.None);
        Assert.Equal(["b", "holdout", "control"], result.Value.Variants);
        Assert.Equal([2L, 0L, 2L], result.Value.Metrics[0].Arms.Select(a => a.Units));
        Assert.Equal(["b", "holdout", "control"], result.Value.Totals.Select(t => t.Variant));
    }
}
