using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Kpis;

/// <summary>
/// KPIs over the event index: one pass over each visitor's events and orders. Pure: no I/O, no clock.
/// </summary>
internal static class KpiEngine
{
    private const int SessionGapSeconds = 30 * 60;
    private const string NoneKey = "(none)";

    /// <summary>The rows of the query's own range (comparisons are not run: see <see cref="Report"/>).</summary>
    public static Result<IReadOnlyList<KpiRow>> Run(EventIndex index, KpiQuery query)
    {
        if (query.Validate() is { } invalid) return invalid;
        var scope = ScopeFilter.Resolve(index, query.Scope);
        if (!scope.TryGetValue(out var filter, out var error)) return error;
        return Compute(index, query.From, query.To, query.By, filter);
    }

    /// <summary>
    /// The query's rows, each beside its partner in each comparison the query asks for.
    /// <list type="bullet">
    /// <item>Previous period: day, week and month rows pair by position with the rows of the previous range (day 1
    /// with its day 1, the first week with its first week); a row past the end of the previous range's rows pairs with
    /// null.</item>
    /// <item>Year ago: each day, week or month row pairs with the same dates a year earlier (29 February → 28
    /// February), measured as one group: positions would not do, because a year earlier the weekdays have moved and
    /// the weeks are cut differently.</item>
    /// <item>The total and keyed rows (channel ...) pair by key with the comparison range's rows; a key with nothing
    /// there pairs with an empty row.</item>
    /// </list>
    /// </summary>
    public static Result<KpiReport> Report(EventIndex index, KpiQuery query)
    {
        if (query.Validate() is { } invalid) return invalid;
        var scope = ScopeFilter.Resolve(index, query.Scope);
        if (!scope.TryGetValue(out var filter, out var error)) return error;
        var rows = Compute(index, query.From, query.To, query.By, filter);
        IReadOnlyList<KpiRow?>? previous = null, yearAgo = null;
        if (query.Compare.HasFlag(KpiComparison.Previous))
        {
            var (from, to) = query.PreviousRange;
            previous = Pair(rows, Compute(index, from, to, query.By, filter), query, day => day.AddDays(-query.Days));
        }
        if (query.Compare.HasFlag(KpiComparison.YearOverYear))
        {
            var (from, to) = query.YearAgoRange;
            yearAgo = query.By is KpiGrouping.Week or KpiGrouping.Month
                ? SameDatesYearAgo(index, query, filter)
                : Pair(rows, Compute(index, from, to, query.By, filter), query, day => day.AddYears(-1));
        }
        var compared = new KpiComparedRow[rows.Count];
        for (var i = 0; i < rows.Count; i++) compared[i] = new KpiComparedRow(rows[i], previous?[i], yearAgo?[i]);
        return new KpiReport(query, compared);
    }

    private static KpiRow?[] Pair(IReadOnlyList<KpiRow> rows, IReadOnlyList<KpiRow> earlier, KpiQuery query, Func<DateOnly, DateOnly> earlierDay)
    {
        var pairs = new KpiRow?[rows.Count];
        switch (query.By)
        {
            case KpiGrouping.Week or KpiGrouping.Month:
                for (var i = 0; i < rows.Count && i < earlier.Count; i++) pairs[i] = earlier[i];
                break;
            case KpiGrouping.Day:
                var byDay = earlier.ToDictionary(r => r.Key, StringComparer.Ordinal);
                for (var i = 0; i < rows.Count; i++)
                    pairs[i] = byDay.GetValueOrDefault(DayKey(earlierDay(query.From.AddDays(i))));
                break;
            default:
                var byKey = earlier.ToDictionary(r => r.Key, StringComparer.Ordinal);
                for (var i = 0; i < rows.Count; i++)
                    pairs[i] = byKey.GetValueOrDefault(rows[i].Key) ?? KpiRow.Empty(rows[i].Key, rows[i].Visitors is not null, rows[i].Spend is not null);
                break;
        }
        return pairs;
    }

    /// <summary>
    /// Week or month rows a year earlier: one pass over the year-ago range, each of its days in the group of the row
    /// whose date maps to it. 28 February of a common year receives both 28 and 29 February of a leap year and stays
    /// with the first; 29 February of a leap year is no current date's year-ago day, so it is in no row (it is in the
    /// year-ago total). Partner keys are the year-ago date of the row's first day (yyyy-MM-dd, or yyyy-MM for months).
    /// </summary>
    private static KpiRow[] SameDatesYearAgo(EventIndex index, KpiQuery query, ScopeFilter filter)
    {
        var keys = Keys(index, query.By, query.From, query.To, out var groupOfDay);
        var (from, to) = query.YearAgoRange;
        var discard = keys.Count;
        var yearAgoGroup = new int[to.DayNumber - from.DayNumber + 1];
        Array.Fill(yearAgoGroup, discard);
        var partnerKeys = new string[keys.Count];
        for (var d = 0; d < groupOfDay.Length; d++)
        {
            var day = query.From.AddDays(d).AddYears(-1);
            var at = day.DayNumber - from.DayNumber;
            if (yearAgoGroup[at] == discard) yearAgoGroup[at] = groupOfDay[d];
            partnerKeys[groupOfDay[d]] ??= query.By == KpiGrouping.Week ? DayKey(day) : day.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        }
        var rows = Compute(index, from, to, query.By, filter, ([.. partnerKeys, "(no row)"], yearAgoGroup));
        return [.. rows.Take(keys.Count)];
    }

    private static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The rows of one range. <paramref name="periods"/>, for day, week and month groupings only, replaces the usual
    /// keys and group of each day of the range.
    /// </summary>
    private static List<KpiRow> Compute(EventIndex index, DateOnly fromDay, DateOnly toDay, KpiGrouping by, ScopeFilter filter,
        (List<string> Keys, int[] GroupOfDay)? periods = null)
    {
        var calendar = new LocalCalendar(index.TimeZone);
        var days = new DayTable(calendar, fromDay, toDay);
        List<string> keys;
        int[] groupOfDay;
        if (periods is { } given) (keys, groupOfDay) = given;
        else keys = Keys(index, by, fromDay, toDay, out groupOfDay);
        var pass = new Pass(
            index,
            days,
            keys.Count,
            Traffic: by != KpiGrouping.Store && filter.Scope.TrafficAttributable,
            OrderCampaigns: by == KpiGrouping.Campaign || filter.NeedsOrderCampaign ? new OrderCampaigns(index) : null,
            PageViewTypes: PageViewTypes(index));

        var acc = by switch
        {
            KpiGrouping.Total => Run(pass, new TotalGroup(), filter),
            KpiGrouping.Day or KpiGrouping.Week or KpiGrouping.Month when days.AllWhole => Run(pass, new WholeDayGroup(days, groupOfDay), filter),
            KpiGrouping.Day or KpiGrouping.Week or KpiGrouping.Month => Run(pass, new PeriodGroup(days, groupOfDay), filter),
            KpiGrouping.Channel => Run(pass, new ChannelGroup(index.EventChannel, index.OrderChannel), filter),
            KpiGrouping.Campaign => Run(pass, new CampaignGroup(index.EventCampaign), filter),
            KpiGrouping.Store => Run(pass, new StoreGroup(index.OrderStore), filter),
            KpiGrouping.Category => Run(pass, new CategoryGroup(index.EventSku, index.SkuCategory, index.OrderCategory), filter),
            _ => Run(pass, new RegionGroup(index.VisitorProvince), filter),
        };

        var spend = by is not (KpiGrouping.Store or KpiGrouping.Category or KpiGrouping.Region) && filter.Scope.SpendAttributable;
        if (spend)
        {
            int firstDay = fromDay.DayNumber, lastDay = toDay.DayNumber;
            for (var s = 0; s < index.SpendDay.Length; s++)
            {
                var day = index.SpendDay[s];
                if (day < firstDay || day > lastDay || !filter.Spend(s)) continue;
                var b = by switch
                {
                    KpiGrouping.Total => 0,
                    KpiGrouping.Channel => index.SpendChannel[s],
                    KpiGrouping.Campaign => index.SpendCampaign[s],
                    _ => groupOfDay[day - firstDay],
                };
                var at = b * Stride;
                // Sums of money are checked: an overflow is an error the caller reports (docs: the CSV contract's bounds), never a wrapped total.
                acc[at + Spend] = checked(acc[at + Spend] + index.SpendCost[s]);
                acc[at + Impressions] += index.SpendImpressions[s];
                acc[at + Clicks] += index.SpendClicks[s];
            }
        }

        var keyed = by is not (KpiGrouping.Total or KpiGrouping.Day or KpiGrouping.Week or KpiGrouping.Month);
        var rows = new List<KpiRow>(keys.Count);
        for (var b = 0; b < keys.Count; b++)
        {
            var at = b * Stride;
            if (keyed && acc.AsSpan(at, Stride).IndexOfAnyExcept(0L) < 0) continue;
            rows.Add(new KpiRow(keys[b], acc[at + Gmv], acc[at + Refunds], acc[at + Orders], acc[at + Units], acc[at + OrdersRefunded], acc[at + Buyers],
                acc[at + RepeatBuyers], acc[at + NewBuyers],
                pass.Traffic ? acc[at + Visitors] : null, pass.Traffic ? acc[at + PageViews] : null, pass.Traffic ? acc[at + Sessions] : null,
                spend ? acc[at + Impressions] : null, spend ? acc[at + Clicks] : null, spend ? acc[at + Spend] : null));
        }
        if (keyed)
            rows = [.. rows.OrderByDescending(r => r.Gmv).ThenByDescending(r => r.Visitors ?? 0).ThenBy(r => r.Key, StringComparer.Ordinal)];
        return rows;
    }

    /// <summary>Row keys by group number; for day, week and month also the group of each day of the range.</summary>
    private static List<string> Keys(EventIndex index, KpiGrouping by, DateOnly fromDay, DateOnly toDay, out int[] groupOfDay)
    {
        groupOfDay = [];
        var keys = new List<string>();
        switch (by)
        {
            case KpiGrouping.Total:
                keys.Add("total");
                break;
            case KpiGrouping.Day or KpiGrouping.Week or KpiGrouping.Month:
                var count = toDay.DayNumber - fromDay.DayNumber + 1;
                groupOfDay = new int[count];
                for (var d = 0; d < count; d++)
                {
                    var date = fromDay.AddDays(d);
                    var key = by switch
                    {
                        KpiGrouping.Day => DayKey(date),
                        KpiGrouping.Week => DayKey(LocalCalendar.WeekOf(date)),
                        _ => date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                    };
                    // Periods come in order, so a new key is always the next group.
                    if (keys.Count == 0 || !string.Equals(keys[^1], key, StringComparison.Ordinal)) keys.Add(key);
                    groupOfDay[d] = keys.Count - 1;
                }
                break;
            default:
                var table = by switch
                {
                    KpiGrouping.Channel => index.Channels,
                    KpiGrouping.Campaign => index.Campaigns,
                    KpiGrouping.Store => index.Stores,
                    KpiGrouping.Category => index.Categories,
                    _ => index.Provinces,
                };
                for (var c = 0; c < table.Count; c++) keys.Add(table.Decode(c) ?? NoneKey);
                break;
        }
        return keys;
    }

    /// <summary>1 for the event types that count as page views, by type code.</summary>
    private static int[] PageViewTypes(EventIndex index)
    {
        var table = new int[Math.Max(1, index.Types.Count)];
        foreach (var type in (string[])["page_view", "product_view"])
            if (index.Types.Find(type) is var code and > 0) table[code] = 1;
        return table;
    }

    /// <summary>What one query's pass over the visitors needs besides the grouping and the filter.</summary>
    private sealed record Pass(EventIndex Index, DayTable Days, int Groups, bool Traffic, OrderCampaigns? OrderCampaigns, int[] PageViewTypes);

    private static long[] Run<TGroup>(Pass pass, TGroup group, ScopeFilter filter) where TGroup : struct, IGroup =>
        // Two instantiations: the whole business takes a path with no filter code in it at all.
        filter.IsAll ? Split(pass, group, new NoFilter()) : Split(pass, group, new Filter(filter));

    /// <summary>
    /// Visitors are independent: split them across cores, each part with its own accumulators, then add the parts.
    /// Distinct counts add up because no visitor is in two parts.
    /// </summary>
    private static long[] Split<TGroup, TFilter>(Pass pass, TGroup group, TFilter filter) where TGroup : struct, IGroup where TFilter : struct, IFilter
    {
        var visitors = pass.Index.VisitorCount;
        var parts = Math.Clamp(Math.Min(Environment.ProcessorCount, visitors / 1024), 1, 8);
        var partials = new long[parts][];
        if (parts == 1) partials[0] = Accumulate(pass, group, filter, 0, visitors);
        else
            Parallel.For(0, parts, part =>
                partials[part] = Accumulate(pass, group, filter, (int)((long)visitors * part / parts), (int)((long)visitors * (part + 1) / parts)));
        var acc = partials[0];
        for (var p = 1; p < parts; p++)
            for (var i = 0; i < acc.Length; i++) acc[i] = checked(acc[i] + partials[p][i]);
        return acc;
    }

    private static long[] Accumulate<TGroup, TFilter>(Pass pass, TGroup group, TFilter filter, int fromVisitor, int toVisitor)
        where TGroup : struct, IGroup where TFilter : struct, IFilter
    {
        var index = pass.Index;
        var n = pass.Groups;
        var acc = new long[n * Stride];
        var lastVisitor = new int[n];
        var lastBuyer = new int[n];
        var ordersOfVisitor = new int[n];
        Array.Fill(lastVisitor, -1);
        Array.Fill(lastBuyer, -1);
        int start = pass.Days.Start, end = pass.Days.End;
        var eventStart = index.EventStart;
        var eventTime = index.EventTime;
        var eventType = index.EventType;
        var pageView = pass.PageViewTypes;
        var orderStart = index.OrderStart;
        var orderTime = index.OrderPaidTime;
        var campaigns = pass.OrderCampaigns;

        // Counters cannot overflow a long, and index times are ordered ints, so the hot loops skip overflow checks.
        unchecked
        {
            for (var v = fromVisitor; v < toVisitor; v++)
            {
                if (!filter.Visitor(v)) continue;
                if (pass.Traffic)
                {
                    int e0 = eventStart[v], e1 = eventStart[v + 1];
                    // Rows are in time order: start at the first one in the range, stop at the first one past it.
                    var e = e0 < e1 && eventTime[e0] < start ? LowerBound(eventTime, e0, e1, start) : e0;
                    long previous = e > e0 ? eventTime[e - 1] : long.MinValue / 2;
                    for (; e < e1; e++)
                    {
                        var t = eventTime[e];
                        if (t >= end) break;
                        // A session starts after 30 minutes without an event, counting every event of the visitor.
                        var newSession = t - previous > SessionGapSeconds;
                        previous = t;
                        if (!filter.Event(e)) continue;
                        var b = group.Event(e, t, v);
                        var at = b * Stride;
                        if (lastVisitor[b] != v)
                        {
                            lastVisitor[b] = v;
                            acc[at + Visitors]++;
                        }
                        acc[at + PageViews] += pageView[eventType[e]];
                        if (newSession) acc[at + Sessions]++;
                    }
                }

                int o0 = orderStart[v], o1 = orderStart[v + 1];
                if (o0 == o1 || orderTime[o1 - 1] < start || orderTime[o0] >= end) continue;
                var cursor = OrderCampaigns.Cursor.Start;
                // A guest order (a visitor that is no customer) counts in GMV and orders but makes no buyer.
                var buyer = index.IsCustomer[v];
                for (var o = o0; o < o1; o++)
                {
                    var t = orderTime[o];
                    if (t < start) continue;
                    if (t >= end) break;
                    var campaign = campaigns is null ? StringTable.None : campaigns.Of(v, t, ref cursor);
                    if (!filter.Order(o, campaign)) continue;
                    var b = group.Order(o, t, v, campaign);
                    var at = b * Stride;
                    acc[at + Gmv] = checked(acc[at + Gmv] + index.OrderGmv[o]);
                    acc[at + Refunds] = checked(acc[at + Refunds] + index.OrderRefund[o]);
                    acc[at + Orders]++;
                    acc[at + Units] += index.OrderUnits[o];
                    if (index.OrderRefund[o] > 0) acc[at + OrdersRefunded]++;
                    if (!buyer) continue;
                    // A new buyer counts where their first paid order ever is counted.
                    if (o == o0) acc[at + NewBuyers]++;
                    if (lastBuyer[b] != v)
                    {
                        lastBuyer[b] = v;
                        ordersOfVisitor[b] = 0;
                        acc[at + Buyers]++;
                    }
                    if (++ordersOfVisitor[b] == 2) acc[at + RepeatBuyers]++;
                }
            }
        }
        return acc;
    }

    /// <summary>The first row in [from, to) whose time is at least <paramref name="time"/>.</summary>
    private static int LowerBound(int[] times, int from, int to, int time)
    {
        while (from < to)
        {
            var mid = (int)(((uint)from + (uint)to) >> 1);
            if (times[mid] < time) from = mid + 1;
            else to = mid;
        }
        return from;
    }

    // Accumulator slots; each group has Stride of them (a power of two, so a group's slots are a shift away).
    private const int Stride = 16;
    private const int Gmv = 0, Refunds = 1, Orders = 2, Units = 3, OrdersRefunded = 4, Buyers = 5, RepeatBuyers = 6, NewBuyers = 7,
        Visitors = 8, PageViews = 9, Sessions = 10, Impressions = 11, Clicks = 12, Spend = 13;

    /// <summary>
    /// Local midnights of a range as index times. The day of a time is one division by 86,400 from the first midnight,
    /// then a step or two to correct for days that are not 24 hours long (daylight saving, zone changes): no zone lookup
    /// and no per-visitor state.
    /// </summary>
    private sealed class DayTable
    {
        private readonly int[] _midnight;

        public DayTable(LocalCalendar calendar, DateOnly from, DateOnly to)
        {
            var count = to.DayNumber - from.DayNumber + 1;
            _midnight = new int[count + 1];
            for (var d = 0; d <= count; d++) _midnight[d] = calendar.StartOf(from.AddDays(d));
        }

        /// <summary>Every day of the range is 24 hours long (no clock change in it): the day is the division alone.</summary>
        public bool AllWhole
        {
            get
            {
                for (var d = 1; d < _midnight.Length; d++)
                    if (_midnight[d] - _midnight[d - 1] != 86400) return false;
                return true;
            }
        }

        public int Start => _midnight[0];
        public int End => _midnight[^1];
        public int[] Midnights => _midnight;
    }

    private interface IGroup
    {
        /// <summary>The group of event row <paramref name="e"/> at <paramref name="time"/> (in the range), of visitor <paramref name="v"/>.</summary>
        int Event(int e, int time, int v);

        /// <summary>The group of order row <paramref name="o"/>, whose last-touch campaign is <paramref name="campaign"/>.</summary>
        int Order(int o, int time, int v, int campaign);
    }

    private readonly struct TotalGroup : IGroup
    {
        public int Event(int e, int time, int v) => 0;
        public int Order(int o, int time, int v, int campaign) => 0;
    }

    private readonly struct PeriodGroup(DayTable days, int[] groupOfDay) : IGroup
    {
        private readonly int[] _midnight = days.Midnights;
        private readonly int[] _groupOfDay = groupOfDay;

        public int Event(int e, int time, int v) => _groupOfDay[Day(time)];
        public int Order(int o, int time, int v, int campaign) => _groupOfDay[Day(time)];

        private int Day(int time)
        {
            var midnight = _midnight;
            var d = Math.Min((int)((uint)(time - midnight[0]) / 86400u), midnight.Length - 2);
            while (time < midnight[d]) d--;
            while (time >= midnight[d + 1]) d++;
            return d;
        }
    }

    /// <summary>Periods of a range without clock changes (China has none): one division per row.</summary>
    private readonly struct WholeDayGroup(DayTable days, int[] groupOfDay) : IGroup
    {
        private readonly int _start = days.Start;
        private readonly int[] _groupOfDay = groupOfDay;

        public int Event(int e, int time, int v) => _groupOfDay[(int)((uint)(time - _start) / 86400u)];
        public int Order(int o, int time, int v, int campaign) => _groupOfDay[(int)((uint)(time - _start) / 86400u)];
    }

    private readonly struct ChannelGroup(ushort[] eventChannel, ushort[] orderChannel) : IGroup
    {
        public int Event(int e, int time, int v) => eventChannel[e];
        public int Order(int o, int time, int v, int campaign) => orderChannel[o];
    }

    private readonly struct CampaignGroup(int[] eventCampaign) : IGroup
    {
        public int Event(int e, int time, int v) => eventCampaign[e];
        public int Order(int o, int time, int v, int campaign) => campaign;
    }

    /// <summary>Events have no store: a store grouping never asks for an event's group.</summary>
    private readonly struct StoreGroup(ushort[] orderStore) : IGroup
    {
        public int Event(int e, int time, int v) => throw new InvalidOperationException("events have no store");
        public int Order(int o, int time, int v, int campaign) => orderStore[o];
    }

    /// <summary>An event's category is its SKU's (none without a SKU); an order's is its largest line's.</summary>
    private readonly struct CategoryGroup(int[] eventSku, int[] skuCategory, int[] orderCategory) : IGroup
    {
        public int Event(int e, int time, int v) => skuCategory[eventSku[e]];
        public int Order(int o, int time, int v, int campaign) => orderCategory[o];
    }

    private readonly struct RegionGroup(ushort[] province) : IGroup
    {
        public int Event(int e, int time, int v) => province[v];
        public int Order(int o, int time, int v, int campaign) => province[v];
    }

    private interface IFilter
    {
        bool Visitor(int v);
        bool Event(int e);
        bool Order(int o, int campaign);
    }

    private readonly struct NoFilter : IFilter
    {
        public bool Visitor(int v) => true;
        public bool Event(int e) => true;
        public bool Order(int o, int campaign) => true;
    }

    private readonly struct Filter(ScopeFilter scope) : IFilter
    {
        public bool Visitor(int v) => scope.Visitor(v);
        public bool Event(int e) => scope.Event(e);
        public bool Order(int o, int campaign) => scope.Order(o, campaign);
    }
}
