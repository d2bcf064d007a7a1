using Flywheel.Experiments.Domain.Statistics;
using NodaTime;

namespace Flywheel.Experiments.Domain.Metrics;

/// <summary>What <see cref="MetricAggregator.Compute"/> found: the variants in order, each metric's arms (and looks), each arm's totals.</summary>
internal sealed record MetricsComputation(IReadOnlyList<string> Variants, IReadOnlyList<MetricArms> Metrics, IReadOnlyList<ArmTotals> Totals,
    long UnitsExposedAfterAsOf);

/// <summary>
/// Turns exposed units and their outcomes into per-arm sufficient statistics. Pure: the as-of time and the time zone are arguments.
/// <list type="bullet">
/// <item>A unit counts when its first exposure E is at or before the as-of time. Its window is [E, E + window days) (24-hour days);
/// an outcome counts when it falls in the window and is known by the as-of time: an order at its paid time, its refund at the refund's
/// time (the paid time when the record has none), a consent withdrawal at its time.</item>
/// <item>CUPED covariate (mean and binomial metrics): the same metric over the pre-period [E − window, E), all of it known at E.</item>
/// <item>Daily looks: for each local day from the first counted exposure's to the as-of time's, the arms using only units exposed by the
/// end of that day and outcomes known by then; the last look is the final answer.</item>
/// </list>
/// Sums are exact (Int128) until they become an <see cref="ArmSummary"/>'s doubles, so a look is the same whatever order units came in.
/// </summary>
internal static class MetricAggregator
{
    /// <summary>The longest window: a year.</summary>
    public const int MaxWindowDays = 366;

    private const long DayMs = 86_400_000;

    // The sums of an arm per metric, after the unit count: Σx, Σx², Σd, Σd², Σx·d, Σc, Σc², Σx·c (x the value or numerator, d the
    // denominator, c the covariate).
    private const int Fields = 8;

    /// <summary>
    /// The arms of <paramref name="metrics"/> over <paramref name="units"/>. Variants are listed in <paramref name="variantOrder"/>'s
    /// order (an arm with no units is kept, all zero), then any other variant seen, in ordinal order; without an order, "control"
    /// comes first, then the rest in ordinal order.
    /// </summary>
    public static MetricsComputation Compute(IReadOnlyList<ExposedUnit> units, IReadOnlyList<MetricDefinition> metrics, int windowDays, long asOf,
        DateTimeZone zone, bool daily, IReadOnlyList<string>? variantOrder = null)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowDays, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowDays, MaxWindowDays);

        var variants = OrderVariants(units.Select(u => u.Variant), variantOrder);
        var variantIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < variants.Count; i++) variantIndex[variants[i]] = i;
        var window = windowDays * DayMs;

        // The days: the first counted exposure's local day to the as-of time's; without daily looks everything lands on one day.
        int LocalDay(long ms) => Instant.FromUnixTimeMilliseconds(ms).InZone(zone).Date.ToDateOnly().DayNumber;
        var counted = units.Where(u => u.ExposedAt <= asOf).ToList();
        var firstDay = counted.Count == 0 ? 0 : LocalDay(counted.Min(u => u.ExposedAt));
        var days = !daily ? 1 : counted.Count == 0 ? 0 : LocalDay(asOf) - firstDay + 1;
        int DayIndex(long ms) => daily ? LocalDay(ms) - firstDay : 0;

        int V = variants.Count, M = metrics.Count, D = Math.Max(days, 1);
        var unitCounts = new long[V * D];
        var sums = new Int128[V * M * Fields * D];
        var totals = new Tally[V];
        var unitTotals = new (long Units, long Converted, long Unsubscribed)[V];
        var metricCodes = metrics.Select(m => Code(m.Key)).ToArray();
        var hasCovariate = metrics.Select(m => m.HasCovariate).ToArray();

        var steps = new List<(long At, int Kind, int Index)>();
        var current = new (long X, long D)[M];
        var covariate = new long[M];
        foreach (var unit in counted)
        {
            var v = variantIndex[unit.Variant];
            long start = unit.ExposedAt, end = checked(start + window), preStart = checked(start - window);

            var pre = default(Tally);
            steps.Clear();
            for (var i = 0; i < unit.Orders.Count; i++)
            {
                var o = unit.Orders[i];
                if (o.PaidAt >= preStart && o.PaidAt < start) pre.AddOrder(o);
                else if (o.PaidAt >= start && o.PaidAt < end && o.PaidAt <= asOf)
                {
                    steps.Add((o.PaidAt, 0, i));
                    if (o.Refunded && o.RefundKnownAt <= asOf) steps.Add((o.RefundKnownAt, 1, i));
                }
            }
            foreach (var at in unit.Withdrawals)
            {
                if (at >= preStart && at < start) pre.Withdrawals++;
                else if (at >= start && at < end && at <= asOf) steps.Add((at, 2, -1));
            }
            // Kind breaks ties so a refund known at its payment's millisecond follows the payment.
            steps.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Kind.CompareTo(b.Kind));

            var day = DayIndex(start);
            unitCounts[v * D + day]++;
            var tally = default(Tally);
            for (var m = 0; m < M; m++)
            {
                current[m] = Value(metricCodes[m], tally);
                covariate[m] = hasCovariate[m] ? Value(metricCodes[m], pre).X : 0;
                Add(sums, Slot(v, m, D, M), D, day, default, current[m], covariate[m], arrival: true);
            }
            for (var s = 0; s < steps.Count;)
            {
                var stepDay = DayIndex(steps[s].At);
                for (; s < steps.Count && DayIndex(steps[s].At) == stepDay; s++)
                {
                    var (_, kind, index) = steps[s];
                    switch (kind)
                    {
                        case 0: tally.AddOrder(unit.Orders[index]); break;
                        case 1: tally.AddRefund(unit.Orders[index]); break;
                        default: tally.Withdrawals++; break;
                    }
                }
                for (var m = 0; m < M; m++)
                {
                    var next = Value(metricCodes[m], tally);
                    if (next == current[m]) continue;
                    Add(sums, Slot(v, m, D, M), D, stepDay, current[m], next, covariate[m], arrival: false);
                    current[m] = next;
                }
            }
            totals[v].Plus(tally);
            unitTotals[v] = (unitTotals[v].Units + 1, unitTotals[v].Converted + (tally.Orders > 0 ? 1 : 0), unitTotals[v].Unsubscribed + (tally.Withdrawals > 0 ? 1 : 0));
        }

        var results = new List<MetricArms>(M);
        for (var m = 0; m < M; m++)
        {
            var looks = new List<DailyLook>(daily ? days : 0);
            var running = new Int128[V * Fields];
            var runningUnits = new long[V];
            ArmSummary[] Arms()
            {
                var arms = new ArmSummary[V];
                for (var v = 0; v < V; v++)
                {
                    var f = v * Fields;
                    arms[v] = new ArmSummary(variants[v], runningUnits[v], (double)running[f], (double)running[f + 1], (double)running[f + 2], (double)running[f + 3],
                        (double)running[f + 4], (double)running[f + 5], (double)running[f + 6], (double)running[f + 7]);
                }
                return arms;
            }
            for (var d = 0; d < days; d++)
            {
                for (var v = 0; v < V; v++)
                {
                    runningUnits[v] += unitCounts[v * D + d];
                    var slot = Slot(v, m, D, M);
                    for (var f = 0; f < Fields; f++) running[v * Fields + f] += sums[slot + f * D + d];
                }
                if (!daily) continue;
                var date = DateOnly.FromDayNumber(firstDay + d);
                var until = Math.Min(zone.AtStartOfDay(LocalDate.FromDateOnly(date.AddDays(1))).ToInstant().ToUnixTimeMilliseconds(), checked(asOf + 1));
                looks.Add(new DailyLook(date, until, Arms()));
            }
            results.Add(new MetricArms(metrics[m], Arms(), looks));
        }

        var armTotals = new List<ArmTotals>(V);
        for (var v = 0; v < V; v++)
        {
            var t = totals[v];
            armTotals.Add(new ArmTotals(variants[v], unitTotals[v].Units, unitTotals[v].Converted, t.Orders, t.Gmv, t.Discount, t.Items, t.Refunded, t.RefundAmount,
                unitTotals[v].Unsubscribed));
        }
        return new MetricsComputation(variants, results, armTotals, units.Count - counted.Count);
    }

    /// <summary>The given order's variants, then others seen in ordinal order; with no order given, "control" first.</summary>
    public static IReadOnlyList<string> OrderVariants(IEnumerable<string> seen, IReadOnlyList<string>? order)
    {
        var result = new List<string>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in order ?? []) if (listed.Add(v)) result.Add(v);
        var rest = seen.Where(v => !listed.Contains(v)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (order is null && rest.Remove("control")) rest.Insert(0, "control");
        result.AddRange(rest);
        return result;
    }

    private static int Slot(int v, int m, int days, int metrics) => (v * metrics + m) * Fields * days;

    /// <summary>Adds the change of a unit's contribution from <paramref name="before"/> to <paramref name="after"/> on <paramref name="day"/>.</summary>
    private static void Add(Int128[] sums, int slot, int days, int day, (long X, long D) before, (long X, long D) after, long c, bool arrival)
    {
        Int128 x0 = before.X, d0 = before.D, x1 = after.X, d1 = after.D;
        sums[slot + day] += x1 - x0;
        sums[slot + days + day] += checked(x1 * x1 - x0 * x0);
        sums[slot + 2 * days + day] += d1 - d0;
        sums[slot + 3 * days + day] += checked(d1 * d1 - d0 * d0);
        sums[slot + 4 * days + day] += checked(x1 * d1 - x0 * d0);
        if (arrival)
        {
            // The covariate is fixed at exposure: it enters once, when the unit does.
            sums[slot + 5 * days + day] += c;
            sums[slot + 6 * days + day] += checked((Int128)c * c);
        }
        sums[slot + 7 * days + day] += checked((x1 - x0) * c);
    }

    /// <summary>A unit's value (numerator) and denominator for a metric, from its tally.</summary>
    private static (long X, long D) Value(int code, in Tally t) => code switch
    {
        0 => (t.Orders > 0 ? 1 : 0, 0),
        1 => (t.Gmv, 0),
        2 => (t.Orders, 0),
        3 => (t.Items, 0),
        4 => (t.Gmv, t.Orders),
        5 => (t.Refunded, t.Orders),
        6 => (t.Withdrawals > 0 ? 1 : 0, 0),
        _ => (t.Discount, 0),
    };

    private static int Code(string key) => key switch
    {
        MetricCatalog.Conversion => 0,
        MetricCatalog.Revenue => 1,
        MetricCatalog.Orders => 2,
        MetricCatalog.Units => 3,
        MetricCatalog.Aov => 4,
        MetricCatalog.RefundRate => 5,
        MetricCatalog.UnsubscribeRate => 6,
        MetricCatalog.Discount => 7,
        _ => throw new ArgumentException($"unknown metric '{key}'", nameof(key)),
    };

    /// <summary>What a unit did (or an arm's units did) so far; checked sums of long fen.</summary>
    private struct Tally
    {
        public long Orders, Gmv, Discount, Items, Refunded, RefundAmount, Withdrawals;

        public void AddOrder(in UnitOrder o)
        {
            Orders++;
            Gmv = checked(Gmv + o.TotalPaid);
            Discount = checked(Discount + o.Discount);
            Items = checked(Items + o.Items);
        }

        public void AddRefund(in UnitOrder o)
        {
            Refunded++;
            RefundAmount = checked(RefundAmount + o.RefundAmount);
        }

        public void Plus(in Tally t)
        {
            Orders = checked(Orders + t.Orders);
            Gmv = checked(Gmv + t.Gmv);
            Discount = checked(Discount + t.Discount);
            Items = checked(Items + t.Items);
            Refunded = checked(Refunded + t.Refunded);
            RefundAmount = checked(RefundAmount + t.RefundAmount);
            Withdrawals = checked(Withdrawals + t.Withdrawals);
        }
    }
}
