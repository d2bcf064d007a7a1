using Flywheel.Experiments.Domain.Metrics;
using Flywheel.Experiments.Storage;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using static Flywheel.Experiments.Tests.Metrics.MetricStore;

namespace Flywheel.Experiments.Tests.Metrics;

/// <summary>
/// A randomized store (a fixed seed, so a failure reproduces): 2 100 exposed customers (more than the contracts' 2 000, so orders and
/// withdrawals are read in one scan) and 300 anonymous units (read by id lists), orders of every status, with and without a paid time,
/// refunds known early, late and never, consent withdrawals. Every arm, look and total must equal <see cref="NaiveMetrics"/> over the spec.
/// </summary>
public class RandomStoreMetricsTests
{
    private sealed record SpecOrder(string Id, string Customer, long PaidAt, long Price, int Items, long Discount, string Status, long? RefundedAt, int RefundedItems,
        bool NoPaidAt);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Read_RandomStore_EqualsTheNaiveRecomputation(string engine)
    {
        var rnd = new Random(20261207);
        var start = At(6, 1, 0);
        long Any(int fromDay, int toDay) => start + rnd.NextInt64(fromDay * NaiveMetrics.Day, toDay * NaiveMetrics.Day);
        string[] statuses = ["paid", "paid", "paid", "shipped", "completed", "refunded", "partially_refunded", "pending", "cancelled"];
        string[] variants = ["control", "control", "b", "c"];

        var orders = new List<SpecOrder>();
        var withdrawals = new Dictionary<string, List<long>>();
        var customerExposures = new List<(string Unit, string Variant, long At)>();
        var anonymousExposures = new List<(string Unit, string Variant, long At)>();
        var links = new Dictionary<string, string>();
        const int customers = 2_100;
        for (var i = 0; i < customers; i++)
        {
            var id = "c" + i;
            for (var k = rnd.Next(0, 3); k > 0; k--)
            {
                var status = statuses[rnd.Next(statuses.Length)];
                var items = rnd.Next(1, 5);
                var price = rnd.NextInt64(100, 20_000);
                var paidAt = Any(0, 42);
                var refundedItems = status switch
                {
                    "refunded" => items,
                    "partially_refunded" => rnd.Next(0, items),
                    "paid" or "completed" => rnd.Next(10) == 0 ? 1 : 0,
                    _ => 0,
                };
                long? refundedAt = refundedItems > 0 || status.Contains("refunded", StringComparison.Ordinal)
                    ? rnd.Next(10) < 7 ? paidAt + rnd.NextInt64(-NaiveMetrics.Day, 10 * NaiveMetrics.Day) : null
                    : null;
                orders.Add(new SpecOrder($"O{orders.Count}", id, paidAt, price, items, rnd.NextInt64(0, price / 2), status, refundedAt, refundedItems,
                    NoPaidAt: rnd.Next(10) == 0));
            }
            if (rnd.Next(10) == 0) withdrawals[id] = [Any(0, 20), Any(25, 42)];
            customerExposures.Add((id, variants[rnd.Next(variants.Length)], Any(6, 40)));
        }
        for (var i = 0; i < 300; i++)
        {
            var id = "a" + i;
            if (rnd.Next(10) < 6) links[id] = "c" + rnd.Next(customers);
            anonymousExposures.Add((id, variants[rnd.Next(variants.Length)], Any(6, 40)));
        }

        using var store = await TestStores.OpenAsync(engine);
        await using (var s = await IngestSession.BeginAsync(store, "test", "random", CancellationToken.None))
        {
            for (var i = 0; i < customers; i++) Assert.True(s.UpsertCustomer(new CustomerRow { CustomerId = "c" + i }).IsSuccess);
            foreach (var o in orders)
                Order(s, o.Id, o.Customer, o.PaidAt, o.Price, o.Items, o.Discount, o.Status, o.RefundedAt, o.RefundedItems, o.NoPaidAt);
            foreach (var (customer, times) in withdrawals)
            {
                s.RecordConsent(customer, new ConsentChange("sms", "marketing", "withdrawn", times[0], "test"));
                s.RecordConsent(customer, new ConsentChange("sms", "marketing", "granted", times[0] + 1_000, "test"));
                s.RecordConsent(customer, new ConsentChange("sms", "marketing", "withdrawn", times[1], "test"));
            }
            foreach (var (anonymous, customer) in links) Assert.True(s.Identify(anonymous, customer, start, null).IsSuccess);
            await s.CommitAsync(0, 0, CancellationToken.None);
        }
        await ExperimentAsync(store, "by-customer", customerExposures);
        await ExperimentAsync(store, "by-browser", anonymousExposures);

        // The spec's outcomes per customer, by the definitions (paid statuses; paid time, else placed time; a refund is an amount or a status).
        var outcomes = orders.Where(o => o.Status is not ("pending" or "cancelled")).GroupBy(o => o.Customer).ToDictionary(g => g.Key, g => g.Select(o =>
        {
            var paidAmount = o.Price * o.Items - o.Discount;
            var refundAmount = o.RefundedItems == o.Items ? paidAmount : paidAmount * o.RefundedItems / o.Items;
            return new UnitOrder(o.NoPaidAt ? o.PaidAt - 60_000 : o.PaidAt, paidAmount, o.Discount, o.Items,
                refundAmount > 0 || o.Status is "refunded" or "partially_refunded", o.RefundedAt, refundAmount);
        }).ToList());
        ExposedUnit Unit((string Unit, string Variant, long At) e, string? customer) => new(e.Unit, e.Variant, e.At,
            customer is not null && outcomes.TryGetValue(customer, out var o) ? o : [], customer is not null && withdrawals.TryGetValue(customer, out var w) ? [w[0], w[1]] : []);

        var asOf = start + 38 * NaiveMetrics.Day;
        foreach (var (key, unit, spec) in new[]
                 {
                     ("by-customer", ExperimentMetrics.CustomerUnit, customerExposures.Select(e => Unit(e, e.Unit)).ToList()),
                     ("by-browser", ExperimentMetrics.AnonymousUnit, anonymousExposures.Select(e => Unit(e, links.GetValueOrDefault(e.Unit))).ToList()),
                 })
        {
            var read = await ExperimentMetrics.ReadAsync(store, key, unit, 10, [], asOf, true, CancellationToken.None);
            Assert.True(read.IsSuccess, read.Error?.ToString());
            var r = read.Value;
            Assert.Equal(["control", "b", "c"], r.Variants);
            Assert.True(r.UnitsExposedAfterAsOf > 0);
            foreach (var metric in r.Metrics)
            {
                Assert.Equal(NaiveMetrics.Arms(spec, metric.Metric.Key, 10, asOf, r.Variants), metric.Arms);
                Assert.True(metric.Looks.Count >= 30);
                // Every fourth look and the last (each is a full naive recomputation).
                foreach (var look in metric.Looks.Where((_, i) => i % 4 == 0 || i == metric.Looks.Count - 1))
                    Assert.Equal(NaiveMetrics.Arms(spec, metric.Metric.Key, 10, look.Until - 1, r.Variants), look.Arms);
            }
            for (var v = 0; v < r.Variants.Count; v++)
            {
                var arm = spec.Where(u => u.Variant == r.Variants[v] && u.ExposedAt <= asOf).ToList();
                long Sum(string metric) => arm.Sum(u => NaiveMetrics.UnitValue(u, metric, 10, asOf).X);
                var refunded = arm.SelectMany(u => u.Orders.Where(o => o.PaidAt >= u.ExposedAt && o.PaidAt < u.ExposedAt + 10 * NaiveMetrics.Day && o.PaidAt <= asOf
                                                                       && o.Refunded && Math.Max(o.RefundedAt ?? o.PaidAt, o.PaidAt) <= asOf)).Sum(o => o.RefundAmount);
                Assert.Equal(new ArmTotals(r.Variants[v], arm.Count, Sum("conversion"), Sum("orders"), Sum("revenue"), Sum("discount"), Sum("units"),
                    Sum("refund_rate"), refunded, Sum("unsubscribe_rate")), r.Totals[v]);
            }
        }
    }
}
