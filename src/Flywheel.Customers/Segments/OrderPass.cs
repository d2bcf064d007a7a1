using Flywheel.Analytics.Index;

namespace Flywheel.Customers.Segments;

/// <summary>
/// Every order field a rule uses, for every window it uses, in one pass over each customer's paid orders. Orders are
/// sorted by paid time within a customer, so the pass walks back from the newest and stops at the oldest window's
/// start unless a field needs the first order.
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
        for (var s = 0; s < w; s++)
        {
            counts[s] = new int[n];
            nets[s] = new long[n];
            refunded[s] = new long[n];
        }
        for (var f = 0; f < fields.Count; f++)
            if (fields[f].Definition.Name == "categories") categories[slots[f]] ??= new CsrBuilder(n);
        var names = fields.Select(f => f.Definition.Name).ToHashSet(StringComparer.Ordinal);
        var needFirst = names.Overlaps(["first_order_date", "days_since_first_order", "first_order_channel"]);
        var needLast = names.Overlaps(["last_order_date", "days_since_last_order"]);
        var firstOrder = new int[n];
        var lastOrder = new int[n];

        var (time, gmv, refund, category) = (index.OrderPaidTime, index.OrderGmv, index.OrderRefund, index.OrderCategory);
        var now = c.IndexNow;
        for (var i = 0; i < n; i++)
        {
            foreach (var list in categories) list?.StartRow(i);
            int first = -1, last = -1;
            var v = c.Visitor(i);
            if (v >= 0)
            {
                for (var o = index.OrderStart[v + 1] - 1; o >= index.OrderStart[v]; o--)
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
                        if (t < cutoffs[s] || (cutoffs[s] != int.MinValue && t > now)) continue;
                        refunded[s][i] += refund[o];
                        if (voided) continue;
                        counts[s][i]++;
                        nets[s][i] += gmv[o] - refund[o];
                        categories[s]?.AddDistinct(category[o]);
                    }
                }
            }
            firstOrder[i] = first;
            lastOrder[i] = last;
        }
        foreach (var list in categories) list?.StartRow(n);

        var columns = new SegmentColumn[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            var s = slots[f];
            columns[f] = fields[f].Definition.Name switch
            {
                "orders" => new NumberColumn([.. counts[s].Select(x => (double)x)]),
                "gmv" => new MoneyColumn(nets[s]),
                "aov" => new MoneyColumn([.. Enumerable.Range(0, n).Select(i => counts[s][i] == 0 ? MoneyColumn.Missing
                    // Half away from zero, in integers (net is never negative: refunds are below the amount paid).
                    : (2 * nets[s][i] + counts[s][i]) / (2L * counts[s][i]))]),
                "refunds" => new MoneyColumn(refunded[s]),
                "categories" => categories[s]!.Build(Dictionary(index.Categories)),
                "days_since_last_order" => DaysSince(c, lastOrder, time),
                "days_since_first_order" => DaysSince(c, firstOrder, time),
                "last_order_date" => Dates(c, lastOrder, time),
                "first_order_date" => Dates(c, firstOrder, time),
                "first_order_channel" => new TextColumn([.. firstOrder.Select(o => o < 0 ? 0 : (int)index.OrderChannel[o])], Dictionary(index.Channels)),
                var other => throw new InvalidOperationException($"{other} is not an order field"),
            };
        }
        return columns;
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
