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
            specs[f] = new Spec(name, code, type is null, cutoff);
            if (name == "events" && code > 0) minCountCutoff = Math.Min(minCountCutoff, cutoff);
        }

        var counts = new double[fields.Count][];
        var rows = new int[fields.Count][];
        var lists = new OrderPass.CsrBuilder?[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            switch (specs[f].Name)
            {
                case "events": counts[f] = new double[n]; break;
                case "channels": lists[f] = new OrderPass.CsrBuilder(n); break;
                default: rows[f] = new int[n]; break;
            }
        }

        var (eventTime, eventType, eventChannel) = (index.EventTime, index.EventType, index.EventChannel);
        var (orderTime, orderChannel) = (index.OrderPaidTime, index.OrderChannel);
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
            int es = index.EventStart[v], ee = index.EventStart[v + 1], os = index.OrderStart[v], oe = index.OrderStart[v + 1];

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
                        if (spec.Name == "events" && eventType[e] == spec.Type && t >= spec.Cutoff && (spec.Cutoff == int.MinValue || t <= now)) counts[f][i]++;
                    }
                }
            }

            for (var f = 0; f < specs.Length; f++)
            {
                var spec = specs[f];
                switch (spec.Name)
                {
                    case "last_event_days":
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
                    case "first_channel":
                    {
                        var fe = es;
                        while (fe < ee && eventChannel[fe] == 0) fe++;
                        var fo = os;
                        while (fo < oe && orderChannel[fo] == 0) fo++;
                        // Encoded as +1 + event row, or -(2 + order row); -1 for none.
                        rows[f][i] = fe < ee && (fo >= oe || eventTime[fe] <= orderTime[fo]) ? fe : fo < oe ? -2 - fo : -1;
                        break;
                    }
                    case "last_channel":
                    {
                        var le = ee - 1;
                        while (le >= es && eventChannel[le] == 0) le--;
                        var lo = oe - 1;
                        while (lo >= os && orderChannel[lo] == 0) lo--;
                        rows[f][i] = le >= es && (lo < os || eventTime[le] > orderTime[lo]) ? le : lo >= os ? -2 - lo : -1;
                        break;
                    }
                    case "channels":
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
            columns[f] = specs[f].Name switch
            {
                "events" => new NumberColumn(counts[f]),
                "last_event_days" => OrderPass.DaysSince(c, rows[f], eventTime),
                "first_channel" or "last_channel" => new TextColumn([.. rows[f].Select(r => r >= 0 ? eventChannel[r] : r <= -2 ? orderChannel[-2 - r] : 0)], channels),
                "channels" => lists[f]!.Build(channels),
                var other => throw new InvalidOperationException($"{other} is not an event field"),
            };
        }
        return columns;
    }

    private readonly record struct Spec(string Name, int Type, bool Any, int Cutoff);
}
