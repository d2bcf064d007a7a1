using Flywheel.Analytics.Contracts;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Cohorts;

/// <summary>The length of a cohort and of each period after it, in the store's time zone.</summary>
internal enum CohortPeriod
{
    /// <summary>A local week starting Monday.</summary>
    Week,
    /// <summary>A local calendar month.</summary>
    Month,
}

internal enum CohortEntryKind
{
    FirstPurchase,
    FirstEvent,
    Signup,
}

/// <summary>
/// What puts a visitor into a cohort: their first paid order ever, their first event of a type ever, or their first
/// <c>signup</c> event. A visitor whose entry falls before the query's range is not a new entrant, so not counted.
/// </summary>
internal sealed record CohortEntry(CohortEntryKind Kind, string? EventType = null)
{
    public static CohortEntry FirstPurchase { get; } = new(CohortEntryKind.FirstPurchase);
    public static CohortEntry Signup { get; } = new(CohortEntryKind.Signup);
    public static CohortEntry FirstEvent(string eventType) => new(CohortEntryKind.FirstEvent, eventType);

    /// <summary>first_purchase, signup or first:&lt;event_type&gt;; null for anything else.</summary>
    public static CohortEntry? Parse(string text) => text switch
    {
        "first_purchase" => FirstPurchase,
        "signup" => Signup,
        _ when text.StartsWith("first:", StringComparison.Ordinal) && text.Length > 6 => FirstEvent(text[6..]),
        _ => null,
    };

    public override string ToString() => Kind switch
    {
        CohortEntryKind.FirstPurchase => "first_purchase",
        CohortEntryKind.Signup => "signup",
        _ => "first:" + EventType,
    };
}

/// <summary>What makes a cohort member active in a period.</summary>
internal enum CohortReturn
{
    /// <summary>A paid order in the period.</summary>
    Purchase,
    /// <summary>Any event, or a paid order, in the period.</summary>
    AnyEvent,
}

/// <summary>
/// A retention question: visitors whose entry falls on a local day in [<paramref name="From"/>, <paramref name="To"/>]
/// (both inclusive), grouped by the <paramref name="Period"/> of their entry, followed for <paramref name="Periods"/>
/// periods (1..36). <paramref name="Scope"/> chooses the members: region and customers by who they are; channel,
/// campaign and category by their entry (the entry event, or the first order — its last-touch campaign, its largest
/// line's category); store by their first order, so only for first-purchase cohorts. Members' later activity counts
/// whatever its channel, store or category (docs/kpis.md, "Scope").
/// </summary>
internal sealed record CohortQuery(
    DateOnly From,
    DateOnly To,
    CohortPeriod Period,
    CohortEntry Entry,
    CohortReturn Return,
    int Periods = CohortQuery.DefaultPeriods,
    Scope? Scope = null)
{
    public const int DefaultPeriods = 12;
    public const int MaxPeriods = 36;

    public Error? Validate() =>
        LocalCalendar.CheckDay("from", From) ?? LocalCalendar.CheckDay("to", To) ?? (To < From ? Error.Invalid("to", $"the range ends ({To:yyyy-MM-dd}) before it starts ({From:yyyy-MM-dd})")
        : To.DayNumber - From.DayNumber > 3660 ? Error.Invalid("to", "a range of more than ten years")
        : Periods is < 1 or > MaxPeriods ? Error.Invalid("periods", $"{Periods} is outside 1..{MaxPeriods}")
        : Entry is null ? Error.Invalid("entry", "an entry is required")
        : Entry.Kind == CohortEntryKind.FirstEvent && string.IsNullOrWhiteSpace(Entry.EventType) ? Error.Invalid("entry", "first:<event_type> needs an event type")
        : !Enum.IsDefined(Period) ? Error.Invalid("period", $"unknown period {Period}")
        : !Enum.IsDefined(Return) ? Error.Invalid("return", $"unknown return {Return}")
        : Scope?.Store is not null && Entry.Kind != CohortEntryKind.FirstPurchase
            ? Error.Invalid("store", $"a {Entry} cohort starts with an event, and events have no store: use entry first_purchase")
        : Scope?.Validate());
}

/// <summary>
/// One period after a cohort's entry. <see cref="Active"/>: members who returned in it (offset 0 counts the entry
/// itself, so a purchase cohort's offset 0 is its whole size). <see cref="Revenue"/>: GMV in fen of the members' paid
/// orders in the period, from their entry on; <see cref="Orders"/>: how many.
/// </summary>
internal sealed record CohortCell(int Offset, long Active, long Revenue, long Orders)
{
    /// <summary>Active / size of the cohort, as a fraction.</summary>
    public double Rate(long size) => size > 0 ? (double)Active / size : 0;
}

/// <summary>
/// A cohort: its key (<c>yyyy-MM</c> for months, the Monday <c>yyyy-MM-dd</c> for weeks), size, and one cell per offset
/// 0..Periods-1 — null where the period starts after the last event or order in the index (not yet observed, which is
/// not the same as nobody returning). <see cref="Coverage"/> has, per offset, how many of that period's days the data
/// reaches: the period holding the last day with data is partial unless the data ends on its last day, and a period
/// after it has no day covered.
/// </summary>
internal sealed record CohortRow(string Key, DateOnly Start, long Size, IReadOnlyList<CohortCell?> Cells, IReadOnlyList<PeriodCoverage> Coverage);

/// <summary>
/// Retention cohorts over the event index: one pass per visitor over their contiguous orders and events, with period
/// boundaries precomputed as index times so no per-event calendar lookup is needed. Pure: no I/O, no clock.
/// Cohorts with no members are left out.
/// </summary>
internal static class CohortEngine
{
    public static Result<IReadOnlyList<CohortRow>> Run(EventIndex index, CohortQuery query)
    {
        if (query.Validate() is { } invalid) return invalid;
        var entryType = -1;
        if (query.Entry.Kind == CohortEntryKind.FirstEvent)
        {
            entryType = index.Types.Find(query.Entry.EventType!);
            if (entryType < 0) return Error.Invalid("entry", $"no event of type '{query.Entry.EventType}' in the store");
        }
        else if (query.Entry.Kind == CohortEntryKind.Signup)
        {
            // A store with no signups yet has empty signup cohorts, not an error.
            entryType = index.Types.Find("signup");
            if (entryType < 0) return Array.Empty<CohortRow>();
        }
        var resolved = ScopeFilter.Resolve(index, query.Scope);
        if (!resolved.TryGetValue(out var scope, out var scopeError)) return scopeError;
        var filtered = !scope.IsAll;
        var campaigns = scope.NeedsOrderCampaign ? new OrderCampaigns(index) : null;

        var calendar = new LocalCalendar(index.TimeZone);
        var rangeStart = calendar.StartOf(query.From);
        var rangeEnd = calendar.StartOf(query.To.AddDays(1));
        var firstPeriod = PeriodOf(query.From, query.Period);
        var cohorts = Distance(firstPeriod, PeriodOf(query.To, query.Period), query.Period) + 1;
        var periods = query.Periods;
        var grid = cohorts + periods - 1;
        // bounds[g] is the index time at which grid period g starts; bounds[grid] ends the last one.
        var bounds = new int[grid + 1];
        var starts = new DateOnly[grid + 1];
        for (var g = 0; g <= grid; g++)
        {
            starts[g] = query.Period == CohortPeriod.Week ? firstPeriod.AddDays(7 * g) : firstPeriod.AddMonths(g);
            bounds[g] = calendar.StartOf(starts[g]);
        }

        var size = new long[cohorts];
        var active = new long[cohorts * periods];
        var revenue = new long[cohorts * periods];
        var orders = new long[cohorts * periods];
        var lastTime = int.MinValue;
        var purchaseEntry = query.Entry.Kind == CohortEntryKind.FirstPurchase;
        var anyEvent = query.Return == CohortReturn.AnyEvent;
        var eventStart = index.EventStart;
        var eventTime = index.EventTime;
        var eventType = index.EventType;
        var orderStart = index.OrderStart;
        var orderTime = index.OrderPaidTime;
        var orderGmv = index.OrderGmv;
        var windowEnd = bounds[grid];

        for (var v = 0; v < index.VisitorCount; v++)
        {
            int e0 = eventStart[v], e1 = eventStart[v + 1], o0 = orderStart[v], o1 = orderStart[v + 1];
            if (e1 > e0 && eventTime[e1 - 1] > lastTime) lastTime = eventTime[e1 - 1];
            if (o1 > o0 && orderTime[o1 - 1] > lastTime) lastTime = orderTime[o1 - 1];

            int entryTime, firstEvent;
            if (purchaseEntry)
            {
                if (o1 == o0) continue;
                entryTime = orderTime[o0];
                firstEvent = e0;
                while (firstEvent < e1 && eventTime[firstEvent] < entryTime) firstEvent++;
            }
            else
            {
                firstEvent = e0;
                while (firstEvent < e1 && eventType[firstEvent] != entryType) firstEvent++;
                if (firstEvent == e1) continue;
                entryTime = eventTime[firstEvent];
            }
            if (entryTime < rangeStart || entryTime >= rangeEnd) continue;
            if (filtered && !InScope(scope, campaigns, v, purchaseEntry ? o0 : firstEvent, entryTime, purchaseEntry)) continue;

            var c = Array.BinarySearch(bounds, entryTime);
            if (c < 0) c = ~c - 1;
            size[c]++;
            var limit = c + periods; // first grid period past this cohort's window
            var end = limit <= grid ? bounds[limit] : windowEnd;
            ulong seen = 0;
            var cell = c * periods - c; // cell index of grid period g is cell + g

            var g = c;
            for (var o = o0; o < o1; o++)
            {
                var t = orderTime[o];
                if (t < entryTime) continue;
                if (t >= end) break;
                while (t >= bounds[g + 1]) g++;
                revenue[cell + g] = checked(revenue[cell + g] + orderGmv[o]);
                orders[cell + g]++;
                seen |= 1UL << (g - c);
            }
            if (anyEvent)
            {
                g = c;
                for (var e = firstEvent; e < e1; e++)
                {
                    var t = eventTime[e];
                    if (t >= end) break;
                    while (t >= bounds[g + 1]) g++;
                    seen |= 1UL << (g - c);
                }
            }
            while (seen != 0)
            {
                var k = System.Numerics.BitOperations.TrailingZeroCount(seen);
                active[c * periods + k]++;
                seen &= seen - 1;
            }
        }

        // The grid period holding the last observed time; later periods have not been seen yet.
        int lastGrid;
        if (lastTime == int.MinValue || lastTime < bounds[0]) lastGrid = -1;
        else if (lastTime >= windowEnd) lastGrid = grid;
        else
        {
            lastGrid = Array.BinarySearch(bounds, lastTime);
            if (lastGrid < 0) lastGrid = ~lastGrid - 1;
        }

        // How much of each grid period the data reaches: up to the day of the last observed time.
        var lastDay = lastTime == int.MinValue ? DateOnly.MinValue : DateOnly.FromDayNumber(calendar.DayOf(lastTime));
        var coverage = new PeriodCoverage[grid];
        for (var g = 0; g < grid; g++) coverage[g] = PeriodCoverage.Of(starts[g], starts[g + 1].AddDays(-1), (DateOnly.MinValue, lastDay));

        var rows = new List<CohortRow>();
        for (var c = 0; c < cohorts; c++)
        {
            if (size[c] == 0) continue;
            var cells = new CohortCell?[periods];
            for (var k = 0; k < periods; k++)
                cells[k] = c + k > lastGrid ? null : new CohortCell(k, active[c * periods + k], revenue[c * periods + k], orders[c * periods + k]);
            rows.Add(new CohortRow(Key(starts[c], query.Period), starts[c], size[c], cells, coverage.AsSpan(c, periods).ToArray()));
        }
        return rows;
    }

    /// <summary>Whether a visitor whose entry is order or event row <paramref name="entry"/> belongs to the scope.</summary>
    private static bool InScope(ScopeFilter scope, OrderCampaigns? campaigns, int v, int entry, int entryTime, bool purchase)
    {
        if (!scope.Visitor(v)) return false;
        if (!purchase) return scope.Event(entry);
        var cursor = OrderCampaigns.Cursor.Start;
        return scope.Order(entry, campaigns is null ? StringTable.None : campaigns.Of(v, entryTime, ref cursor));
    }

    /// <summary>The first day of the period holding the day: Monday of its week, or the 1st of its month.</summary>
    public static DateOnly PeriodOf(DateOnly day, CohortPeriod period) =>
        period == CohortPeriod.Week ? LocalCalendar.WeekOf(day) : LocalCalendar.MonthOf(day);

    private static int Distance(DateOnly from, DateOnly to, CohortPeriod period) =>
        period == CohortPeriod.Week ? (to.DayNumber - from.DayNumber) / 7 : (to.Year - from.Year) * 12 + to.Month - from.Month;

    public static string Key(DateOnly start, CohortPeriod period) =>
        start.ToString(period == CohortPeriod.Week ? "yyyy-MM-dd" : "yyyy-MM", CultureInfo.InvariantCulture);
}
