using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;

namespace Flywheel.Customers.Segments;

/// <summary>
/// Every order field a rule uses, for every window it uses, in one pass over each customer's paid orders. Orders are
/// sorted by paid time within a customer, so the pass walks back from the newest and stops at the oldest window's
/// start unless a field needs the first order. Only the sums some field needs are kept.
/// </summary>
internal static class OrderPass
{
    private static bool Windowed(string name) => name is "orders" or "gmv" or "aov" or "refunds" or "categories";

    public static IReadOnlyList<SegmentColumn> Run(FieldContext c, IReadOnlyList<BoundField> fields)
    {
        var index = c.Index;
        var n = c.Count;
        var windows = new List<TimeWindow?>();
        var slots = new int[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            slots[f] = -1;
            if (!Windowed(fields[f].Definition.Name)) continue;
            var window = fields[f].Arguments.Window(0);
            slots[f] = windows.IndexOf(window);
            if (slots[f] < 0)
            {
                slots[f] = windows.Count;
                windows.Add(window);
            }
        }
        var w = windows.Count;
        var cutoffs = windows.Select(c.IndexSince).ToArray();
        var minCutoff = w == 0 ? int.MaxValue : cutoffs.Min();
        var counts = new int[w][];
        var nets = new long[w][];
        var refunded = new long[w][];
        var categories = new CsrBuilder?[w];
        for (var f = 0; f < fields.Count; f++)
        {
            var s = slots[f];
            switch (fields[f].Definition.Name)
            {
                case "orders": counts[s] ??= new int[n]; break;
                case "gmv": nets[s] ??= new long[n]; break;
                case "aov": (counts[s], nets[s]) = (counts[s] ?? new int[n], nets[s] ?? new long[n]); break;
                case "refunds": refunded[s] ??= new long[n]; break;
                case "categories": categories[s] ??= new CsrBuilder(n); break;
            }
        }
        var names = fields.Select(f => f.Definition.Name).ToHashSet(StringComparer.Ordinal);
        var needFirst = names.Overlaps(["first_order_date", "days_since_first_order", "first_order_channel"]);
        var needLast = names.Overlaps(["last_order_date", "days_since_last_order"]);
        var firstOrder = needFirst ? new int[n] : [];
        var lastOrder = needLast ? new int[n] : [];

        var (start, time, gmv, refund, category) = (index.OrderStart, index.OrderPaidTime, index.OrderGmv, index.OrderRefund, index.OrderCategory);
        var now = c.IndexNow;
        if (w == 1 && categories[0] is null)
            OneWindow(c, start, time, gmv, refund, cutoffs[0], now, counts[0], nets[0], refunded[0], needFirst ? firstOrder : null, needLast ? lastOrder : null);
        else
        for (var i = 0; i < n; i++)
        {
            for (var s = 0; s < w; s++) categories[s]?.StartRow(i);
            int first = -1, last = -1;
            var v = c.Visitor(i);
            if (v >= 0)
            {
                for (var o = start[v + 1] - 1; o >= start[v]; o--)
                {
                    var t = time[o];
                    // Refunded in full: not a purchase (but its refund still counts in refunds()).
                    var voided = refund[o] > 0 && refund[o] >= gmv[o];
                    if (!voided)
                    {
                        if (last < 0) last = o;
                        first = o;
                    }
                    if (t < minCutoff)
                    {
                        if (!needFirst && (!needLast || last >= 0)) break;
                        continue;
                    }
                    for (var s = 0; s < w; s++)
                    {
                        var cutoff = cutoffs[s];
                        if (t < cutoff || (cutoff != int.MinValue && t > now)) continue;
                        if (refunded[s] is { } r) r[i] = checked(r[i] + refund[o]);
                        if (voided) continue;
                        if (counts[s] is { } k) k[i]++;
                        if (nets[s] is { } g) g[i] = checked(g[i] + (gmv[o] - refund[o]));
                        categories[s]?.AddDistinct(category[o]);
                    }
                }
            }
            if (needFirst) firstOrder[i] = first;
            if (needLast) lastOrder[i] = last;
        }
        for (var s = 0; s < w; s++) categories[s]?.StartRow(n);

        var columns = new SegmentColumn[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            var s = slots[f];
            columns[f] = fields[f].Definition.Name switch
            {
                "orders" => new NumberColumn(ToDoubles(counts[s])),
                "gmv" => new MoneyColumn(nets[s]),
                "aov" => new MoneyColumn(Averages(nets[s], counts[s])),
                "refunds" => new MoneyColumn(refunded[s]),
                "categories" => categories[s]!.Build(Dictionary(index.Categories)),
                "days_since_last_order" => DaysSince(c, lastOrder, time),
                "days_since_first_order" => DaysSince(c, firstOrder, time),
                "last_order_date" => Dates(c, lastOrder, time),
                "first_order_date" => Dates(c, firstOrder, time),
                "first_order_channel" => Channels(firstOrder, index),
                var other => throw new InvalidOperationException($"{other} is not an order field"),
            };
        }
        return columns;
    }

    /// <summary>
    /// The common case (every windowed field of the rule uses one window, no categories), with the sums in locals: a
    /// third of the general loop's time over a million customers.
    /// </summary>
    private static void OneWindow(FieldContext c, int[] start, int[] time, long[] gmv, long[] refund, int cutoff, int now,
        int[]? counts, long[]? nets, long[]? refunded, int[]? firstOrder, int[]? lastOrder)
    {
        var bounded = cutoff != int.MinValue;
        var (needFirst, needLast) = (firstOrder is not null, lastOrder is not null);
        for (var i = 0; i < c.Count; i++)
        {
            int first = -1, last = -1, count = 0;
            long net = 0, refunds = 0;
            var v = c.Visitor(i);
            if (v >= 0)
            {
                for (var o = start[v + 1] - 1; o >= start[v]; o--)
                {
                    var t = time[o];
                    // The amount is read only when needed: over a million customers the pass is bound by memory reads.
                    var back = refund[o];
                    var voided = back > 0 && back >= gmv[o];
                    if (!voided)
                    {
                        if (last < 0) last = o;
                        first = o;
                    }
                    if (t < cutoff)
                    {
                        if (!needFirst && (!needLast || last >= 0)) break;
                        continue;
                    }
                    if (bounded && t > now) continue;
                    refunds = checked(refunds + back);
                    if (voided) continue;
                    count++;
                    if (nets is not null) net = checked(net + (gmv[o] - back));
                }
            }
            if (counts is not null) counts[i] = count;
            if (nets is not null) nets[i] = net;
            if (refunded is not null) refunded[i] = refunds;
            if (firstOrder is not null) firstOrder[i] = first;
            if (lastOrder is not null) lastOrder[i] = last;
        }
    }

    private static double[] ToDoubles(int[] counts)
    {
        var values = new double[counts.Length];
        for (var i = 0; i < values.Length; i++) values[i] = counts[i];
        return values;
    }

    /// <summary>net / count in fen, half away from zero in integers (net is never negative: refunds are below the amount paid).</summary>
    private static long[] Averages(long[] nets, int[] counts)
    {
        var values = new long[counts.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = counts[i] == 0 ? MoneyColumn.Missing : (long)(((Int128)nets[i] * 2 + counts[i]) / ((Int128)counts[i] * 2));
        return values;
    }

    private static TextColumn Channels(int[] rows, EventIndex index)
    {
        var codes = new int[rows.Length];
        for (var i = 0; i < codes.Length; i++) codes[i] = rows[i] < 0 ? 0 : index.OrderChannel[rows[i]];
        return new TextColumn(codes, Dictionary(index.Channels));
    }

    /// <summary>Calendar days from the local date of <c>time[rows[i]]</c> to today; missing where the row is -1.</summary>
    internal static NumberColumn DaysSince(FieldContext c, int[] rows, int[] time)
    {
        var today = c.Today.DayNumber;
        var values = new double[rows.Length];
        for (var i = 0; i < values.Length; i++) values[i] = rows[i] < 0 ? double.NaN : today - c.LocalDay(time[rows[i]]);
        return new NumberColumn(values);
    }

    private static DateColumn Dates(FieldContext c, int[] rows, int[] time)
    {
        var values = new int[rows.Length];
        for (var i = 0; i < values.Length; i++) values[i] = rows[i] < 0 ? DateColumn.Missing : c.LocalDay(time[rows[i]]);
        return new DateColumn(values);
    }

    /// <summary>An index dictionary as a column dictionary (code 0: missing).</summary>
    internal static string?[] Dictionary(StringTable table)
    {
        var values = new string?[table.Count];
        for (var code = 1; code < values.Length; code++) values[code] = table.Decode(code);
        return values;
    }

    /// <summary>Builds a <see cref="TextListColumn"/> row by row with codes of an index dictionary, each code once per row.</summary>
    internal sealed class CsrBuilder(int rows)
    {
        private readonly int[] _start = new int[rows + 1];
        private readonly List<int> _codes = [];
        private int _row;

        public void StartRow(int row)
        {
            _start[row] = _codes.Count;
            _row = row;
        }

        public void AddDistinct(int code)
        {
            if (code == 0) return;
            for (var k = _start[_row]; k < _codes.Count; k++)
                if (_codes[k] == code) return;
            _codes.Add(code);
        }

        public TextListColumn Build(IReadOnlyList<string?> dictionary) => new(_start, [.. _codes], dictionary);
    }
}
