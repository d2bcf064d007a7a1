using Flywheel.Analytics.Index;
using Flywheel.Analytics.Time;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Kpis;

public enum KpiGrouping
{
    Total,
    Day,
    Week,
    Month,
    Channel,
}

/// <summary>A KPI question: a range of local days (both inclusive) and how to split it.</summary>
public sealed record KpiQuery(DateOnly From, DateOnly To, KpiGrouping By = KpiGrouping.Total)
{
    public Error? Validate() =>
        To < From ? Error.Invalid("to", $"the range ends ({To:yyyy-MM-dd}) before it starts ({From:yyyy-MM-dd})")
        : To.DayNumber - From.DayNumber > 3660 ? Error.Invalid("to", "a range of more than ten years")
        : null;
}

/// <summary>
/// The measured KPIs of one group (a day, a week, a month, a channel, or the total). Money is fen; ratios are
/// fractions, null when their denominator is zero. Definitions: docs/kpis.md.
/// </summary>
public sealed record KpiRow(
    string Key,
    long Gmv,
    long Refunds,
    long Orders,
    long Units,
    long OrdersRefunded,
    long Buyers,
    long RepeatBuyers,
    long NewBuyers,
    long Visitors,
    long PageViews,
    long Sessions,
    long Impressions,
    long Clicks,
    long Spend)
{
    public long GmvNet => Gmv - Refunds;
    public long ReturningBuyers => Buyers - NewBuyers;
    public double? Cvr => Ratio(Buyers, Visitors);
    public long? Aov => Orders > 0 ? DivideHalfUp(Gmv, Orders) : null;
    public double? UnitsPerOrder => Ratio(Units, Orders);
    public double? RepurchaseRate => Ratio(RepeatBuyers, Buyers);
    public double? RefundRate => Ratio(OrdersRefunded, Orders);
    public double? Ctr => Ratio(Clicks, Impressions);
    /// <summary>Cost per click in fen, half up.</summary>
    public long? Cpc => Clicks > 0 ? DivideHalfUp(Spend, Clicks) : null;
    /// <summary>Cost per thousand impressions in fen, half up.</summary>
    public long? Cpm => Impressions > 0 ? DivideHalfUp(checked(Spend * 1000), Impressions) : null;
    /// <summary>Customer acquisition cost: spend / new buyers, fen, half up.</summary>
    public long? Cac => NewBuyers > 0 ? DivideHalfUp(Spend, NewBuyers) : null;
    /// <summary>ROI as Flywheel defines it: GMV / ad spend (the same number marketplaces call ROAS).</summary>
    public double? Roi => Ratio(Gmv, Spend);

    private static double? Ratio(long numerator, long denominator) => denominator > 0 ? (double)numerator / denominator : null;

    /// <summary>Non-negative division rounded half up (0.5 fen goes up), the one rounding rule for money averages.</summary>
    public static long DivideHalfUp(long numerator, long denominator) => (numerator * 2 + denominator) / (denominator * 2);
}

/// <summary>
/// KPIs over the event index: one pass over each visitor's events and orders. Pure: no I/O, no clock.
/// </summary>
public static class KpiEngine
{
    private const int SessionGapSeconds = 30 * 60;

    public static Result<IReadOnlyList<KpiRow>> Run(EventIndex index, KpiQuery query)
    {
        if (query.Validate() is { } invalid) return invalid;
        var calendar = new LocalCalendar(index.TimeZone);
        var start = calendar.StartOf(query.From);
        var end = calendar.StartOf(query.To.AddDays(1));
        var buckets = new Buckets(query, index, calendar);
        var n = buckets.Count;
        var pageView = index.Types.Find("page_view");
        var productView = index.Types.Find("product_view");

        // Visitors are independent: split them across cores, each part with its own accumulators, then add the parts.
        // Distinct counts add up because no visitor is in two parts.
        var parts = Math.Clamp(Environment.ProcessorCount, 1, 8);
        var partials = new long[parts][,];
        Parallel.For(0, parts, part =>
        {
            var from = (int)((long)index.VisitorCount * part / parts);
            var to = (int)((long)index.VisitorCount * (part + 1) / parts);
            partials[part] = Accumulate(index, buckets, n, from, to, start, end, pageView, productView);
        });
        var acc = new long[n, 14];
        foreach (var partial in partials)
            for (var b = 0; b < n; b++)
                for (var i = 0; i < 14; i++)
                    acc[b, i] += partial[b, i];
        var firstDay = query.From.DayNumber;
        var lastDay = query.To.DayNumber;
        for (var s = 0; s < index.SpendDay.Length; s++)
        {
            var day = index.SpendDay[s];
            if (day < firstDay || day > lastDay) continue;
            var b = buckets.OfSpend(s, day);
            acc[b, Spend] += index.SpendCost[s];
            acc[b, Impressions] += index.SpendImpressions[s];
            acc[b, Clicks] += index.SpendClicks[s];
        }

        var rows = new List<KpiRow>(n);
        for (var b = 0; b < n; b++)
        {
            if (query.By == KpiGrouping.Channel && IsEmpty(acc, b)) continue;
            rows.Add(new KpiRow(buckets.Key(b), acc[b, Gmv], acc[b, Refunds], acc[b, Orders], acc[b, Units], acc[b, OrdersRefunded], acc[b, Buyers],
                acc[b, RepeatBuyers], acc[b, NewBuyers], acc[b, Visitors], acc[b, PageViews], acc[b, Sessions], acc[b, Impressions], acc[b, Clicks], acc[b, Spend]));
        }
        if (query.By == KpiGrouping.Channel)
            rows = [.. rows.OrderByDescending(r => r.Gmv).ThenByDescending(r => r.Visitors).ThenBy(r => r.Key, StringComparer.Ordinal)];
        return rows;
    }

    private static long[,] Accumulate(EventIndex index, Buckets buckets, int n, int fromVisitor, int toVisitor, int start, int end, int pageView, int productView)
    {
        var acc = new long[n, 14];
        var lastVisitor = new int[n];
        var lastBuyer = new int[n];
        var lastRepeat = new int[n];
        var ordersOfVisitor = new int[n];
        Array.Fill(lastVisitor, -1);
        Array.Fill(lastBuyer, -1);
        Array.Fill(lastRepeat, -1);

        for (var v = fromVisitor; v < toVisitor; v++)
        {
            long previous = long.MinValue / 2;
            var cursor = -1;
            for (var e = index.EventStart[v]; e < index.EventStart[v + 1]; e++)
            {
                var t = index.EventTime[e];
                var newSession = t - previous > SessionGapSeconds;
                previous = t;
                if (t < start || t >= end) continue;
                var b = buckets.OfEvent(e, t, ref cursor);
                if (lastVisitor[b] != v)
                {
                    lastVisitor[b] = v;
                    acc[b, Visitors]++;
                }
                int type = index.EventType[e];
                if (type == pageView || type == productView) acc[b, PageViews]++;
                if (newSession) acc[b, Sessions]++;
            }
            cursor = -1;
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
            {
                var t = index.OrderPaidTime[o];
                if (t < start || t >= end) continue;
                var b = buckets.OfOrder(o, t, ref cursor);
                acc[b, Gmv] += index.OrderGmv[o];
                acc[b, Refunds] += index.OrderRefund[o];
                acc[b, Orders]++;
                acc[b, Units] += index.OrderUnits[o];
                if (index.OrderRefund[o] > 0) acc[b, OrdersRefunded]++;
                if (lastBuyer[b] != v)
                {
                    lastBuyer[b] = v;
                    ordersOfVisitor[b] = 0;
                    acc[b, Buyers]++;
                    // A new buyer's first order ever falls in this group.
                    var first = index.FirstOrderTime[v];
                    var firstCursor = -1;
                    if (first >= start && first < end && buckets.OfOrder(index.OrderStart[v], first, ref firstCursor) == b) acc[b, NewBuyers]++;
                }
                if (++ordersOfVisitor[b] == 2 && lastRepeat[b] != v)
                {
                    lastRepeat[b] = v;
                    acc[b, RepeatBuyers]++;
                }
            }
        }
        return acc;
    }

    private static bool IsEmpty(long[,] acc, int b)
    {
        for (var i = 0; i < acc.GetLength(1); i++)
            if (acc[b, i] != 0) return false;
        return true;
    }

    // Accumulator slots.
    private const int Gmv = 0, Refunds = 1, Orders = 2, Units = 3, OrdersRefunded = 4, Buyers = 5, RepeatBuyers = 6, NewBuyers = 7,
        Visitors = 8, PageViews = 9, Sessions = 10, Impressions = 11, Clicks = 12, Spend = 13;

    /// <summary>Maps an event, order or spend row to its group.</summary>
    private sealed class Buckets
    {
        private readonly KpiQuery _query;
        private readonly EventIndex _index;
        private readonly int _firstDay;
        /// <summary>Index time of each local midnight of the range, and of the midnight after it.</summary>
        private readonly int[] _dayStart;
        private readonly int[] _groupOfDay = [];
        private readonly List<string> _keys = [];

        public Buckets(KpiQuery query, EventIndex index, LocalCalendar calendar)
        {
            _query = query;
            _index = index;
            _firstDay = query.From.DayNumber;
            var dayCount = query.To.DayNumber - _firstDay + 1;
            _dayStart = new int[dayCount + 1];
            for (var d = 0; d <= dayCount; d++) _dayStart[d] = calendar.StartOf(DateOnly.FromDayNumber(_firstDay + d));
            switch (query.By)
            {
                case KpiGrouping.Total:
                    _keys.Add("total");
                    break;
                case KpiGrouping.Channel:
                    for (var c = 0; c < index.Channels.Count; c++) _keys.Add(index.Channels.Decode(c) ?? "(none)");
                    break;
                default:
                    var days = query.To.DayNumber - _firstDay + 1;
                    _groupOfDay = new int[days];
                    var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var d = 0; d < days; d++)
                    {
                        var date = DateOnly.FromDayNumber(_firstDay + d);
                        var key = query.By switch
                        {
                            KpiGrouping.Day => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                            KpiGrouping.Week => LocalCalendar.WeekOf(date).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                            _ => date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                        };
                        if (!byKey.TryGetValue(key, out var group))
                        {
                            group = _keys.Count;
                            byKey[key] = group;
                            _keys.Add(key);
                        }
                        _groupOfDay[d] = group;
                    }
                    break;
            }
        }

        public int Count => _keys.Count;

        public string Key(int bucket) => _keys[bucket];

        public int OfEvent(int e, int time, ref int cursor) => _query.By switch
        {
            KpiGrouping.Total => 0,
            KpiGrouping.Channel => _index.EventChannel[e],
            _ => _groupOfDay[Day(time, ref cursor)],
        };

        public int OfOrder(int o, int time, ref int cursor) => _query.By switch
        {
            KpiGrouping.Total => 0,
            KpiGrouping.Channel => _index.OrderChannel[o],
            _ => _groupOfDay[Day(time, ref cursor)],
        };

        /// <summary>
        /// The day of the range holding <paramref name="time"/> (which lies in the range). A visitor's rows come in time
        /// order, so the cursor only moves forward: amortised one comparison per row instead of a zone lookup.
        /// </summary>
        private int Day(int time, ref int cursor)
        {
            // A visitor's first row finds its day by binary search; later rows step forward from there.
            if (cursor < 0 || time < _dayStart[cursor])
            {
                var found = Array.BinarySearch(_dayStart, time);
                cursor = found >= 0 ? found : ~found - 1;
            }
            while (time >= _dayStart[cursor + 1]) cursor++;
            return cursor;
        }

        public int OfSpend(int s, int dayNumber) => _query.By switch
        {
            KpiGrouping.Total => 0,
            KpiGrouping.Channel => _index.SpendChannel[s],
            _ => _groupOfDay[dayNumber - _firstDay],
        };
    }
}
