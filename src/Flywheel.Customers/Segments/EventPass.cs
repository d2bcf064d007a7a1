namespace Flywheel.Customers.Segments;

/// <summary>
/// Every event field a rule uses in one pass over each customer's events (sorted by time within a customer): counts by
/// type and window walking back from the newest, the last event of a type, the first and last touch channel (the
/// earlier of the first event and the first paid order that carry one, likewise for the last; a tie goes to the event
/// for the first touch and to the order for the last), and the channels seen in a window.
/// </summary>
internal static class EventPass
{
    public static IReadOnlyList<SegmentColumn> Run(FieldContext c, IReadOnlyList<BoundField> fields)
    {
        var index = c.Index;
        var n = c.Count;
        var now = c.IndexNow;
        var specs = new Spec[fields.Count];
        var minCountCutoff = int.MaxValue;
        for (var f = 0; f < fields.Count; f++)
        {
            var name = fields[f].Definition.Name;
            var type = fields[f].Arguments.Text(0);
            // -1: the index has never seen the type (nothing counts); 0 with Any: every type.
            var code = type is null ? 0 : index.Types.Find(type);
            var cutoff = name is "events" ? c.IndexSince(fields[f].Arguments.Window(1))
                : name is "channels" ? c.IndexSince(fields[f].Arguments.Window(0))
                : int.MinValue;
            var kind = name switch
            {
                "events" => Kind.Count,
                "last_event_days" => Kind.LastDays,
                "first_channel" => Kind.FirstChannel,
                "last_channel" => Kind.LastChannel,
                "channels" => Kind.Channels,
                _ => throw new InvalidOperationException($"{name} is not an event field"),
            };
            specs[f] = new Spec(kind, code, type is null, cutoff);
            if (kind == Kind.Count && code > 0) minCountCutoff = Math.Min(minCountCutoff, cutoff);
        }

        var counts = new double[fields.Count][];
        var rows = new int[fields.Count][];
        var lists = new OrderPass.CsrBuilder?[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            switch (specs[f].Kind)
            {
                case Kind.Count: counts[f] = new double[n]; break;
                case Kind.Channels: lists[f] = new OrderPass.CsrBuilder(n); break;
                default: rows[f] = new int[n]; break;
            }
        }

        var (eventTime, eventType, eventChannel) = (index.EventTime, index.EventType, index.EventChannel);
        var (orderTime, orderChannel) = (index.OrderPaidTime, index.OrderChannel);
        var (eventStart, orderStart) = (index.EventStart, index.OrderStart);
        for (var i = 0; i < n; i++)
        {
            foreach (var list in lists) list?.StartRow(i);
            var v = c.Visitor(i);
            if (v < 0)
            {
                for (var f = 0; f < fields.Count; f++)
                    if (rows[f] is { } none) none[i] = -1;
                continue;
            }
            int es = eventStart[v], ee = eventStart[v + 1], os = orderStart[v], oe = orderStart[v + 1];

            // Counts of every (type, window) in one walk back from the newest event.
            if (minCountCutoff != int.MaxValue)
            {
                for (var e = ee - 1; e >= es; e--)
                {
                    var t = eventTime[e];
                    if (t < minCountCutoff) break;
                    for (var f = 0; f < specs.Length; f++)
                    {
                        var spec = specs[f];
                        if (spec.Kind == Kind.Count && eventType[e] == spec.Type && t >= spec.Cutoff && (spec.Cutoff == int.MinValue || t <= now)) counts[f][i]++;
                    }
                }
            }

            for (var f = 0; f < specs.Length; f++)
            {
                var spec = specs[f];
                switch (spec.Kind)
                {
                    case Kind.LastDays:
                    {
                        var found = -1;
                        if (spec.Type >= 0)
                            for (var e = ee - 1; e >= es; e--)
                                if (spec.Any || eventType[e] == spec.Type)
                                {
                                    found = e;
                                    break;
                                }
                        rows[f][i] = found;
                        break;
                    }
                    case Kind.FirstChannel:
                    {
                        var fe = es;
                        while (fe < ee && eventChannel[fe] == 0) fe++;
                        var fo = os;
                        while (fo < oe && orderChannel[fo] == 0) fo++;
                        // Encoded as +1 + event row, or -(2 + order row); -1 for none.
                        rows[f][i] = fe < ee && (fo >= oe || eventTime[fe] <= orderTime[fo]) ? fe : fo < oe ? -2 - fo : -1;
                        break;
                    }
                    case Kind.LastChannel:
                    {
                        var le = ee - 1;
                        while (le >= es && eventChannel[le] == 0) le--;
                        var lo = oe - 1;
                        while (lo >= os && orderChannel[lo] == 0) lo--;
                        rows[f][i] = le >= es && (lo < os || eventTime[le] > orderTime[lo]) ? le : lo >= os ? -2 - lo : -1;
                        break;
                    }
                    case Kind.Channels:
                    {
                        var list = lists[f]!;
                        for (var e = ee - 1; e >= es && eventTime[e] >= spec.Cutoff; e--)
                            if (spec.Cutoff == int.MinValue || eventTime[e] <= now) list.AddDistinct(eventChannel[e]);
                        for (var o = oe - 1; o >= os && orderTime[o] >= spec.Cutoff; o--)
                            if (spec.Cutoff == int.MinValue || orderTime[o] <= now) list.AddDistinct(orderChannel[o]);
                        break;
                    }
                }
            }
        }
        foreach (var list in lists) list?.StartRow(n);

        var channels = OrderPass.Dictionary(index.Channels);
        var columns = new SegmentColumn[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            columns[f] = specs[f].Kind switch
            {
                Kind.Count => new NumberColumn(counts[f]),
                Kind.LastDays => OrderPass.DaysSince(c, rows[f], eventTime),
                Kind.Channels => lists[f]!.Build(channels),
                _ => new TextColumn(Touches(rows[f], eventChannel, orderChannel), channels),
            };
        }
        return columns;
    }

    /// <summary>Channel codes of touches encoded as an event row (≥ 0), an order row (-2 - row) or none (-1).</summary>
    private static int[] Touches(int[] rows, ushort[] eventChannel, ushort[] orderChannel)
    {
        var codes = new int[rows.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            var r = rows[i];
            codes[i] = r >= 0 ? eventChannel[r] : r <= -2 ? orderChannel[-2 - r] : 0;
        }
        return codes;
    }

    private enum Kind { Count, LastDays, FirstChannel, LastChannel, Channels }

    private readonly record struct Spec(Kind Kind, int Type, bool Any, int Cutoff);
}
