using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;

namespace Flywheel.Customers.Clv;

/// <summary>One purchase for <see cref="ClvSummaries.FromTransactions"/>: who, on which local day, and its value in minor units.</summary>
internal readonly record struct ClvTransaction(string CustomerId, DateOnly Day, long Amount);

/// <summary>
/// The customers of a fit: <see cref="CustomerIds"/>[i] has summary <see cref="Customers"/>[i] (in the index's visitor order, or
/// ordinal id order from transactions). Times are in <see cref="Unit"/>s; spend in the transactions' minor units.
/// </summary>
internal sealed record ClvDataset(IReadOnlyList<string> CustomerIds, IReadOnlyList<CustomerSummary> Customers, DateOnly CalibrationEnd, ClvUnit Unit);

/// <summary>
/// Customer summaries (x, t_x, T, z̄) from transactions, by the conventions of the CDNOW analyses (and of lifetimes'
/// summary_data_from_transaction_data with freq "D"): a purchase is a local calendar day with at least one paid order,
/// so orders on the same day are one purchase with their values added; the first purchase day is the customer's birth;
/// x is the number of later purchase days up to and including the calibration end; t_x and T are the days from the
/// first purchase day to the last purchase day and to the calibration end, divided by the unit's length (7 for weeks);
/// z̄ is the mean value of the repeat purchase days (the first is left out, as Gamma-Gamma models repeat spend).
/// Customers whose first purchase comes after the calibration end are not in the data set.
/// </summary>
internal static class ClvSummaries
{
    /// <summary>
    /// Every customer with a paid order on or before <paramref name="calibrationEnd"/> (in the index's time zone). A
    /// purchase's value is the orders' total_paid minus their refunds, in fen (so a refunded order still counts as a
    /// purchase — it happened — but adds nothing to spend).
    /// </summary>
    public static ClvDataset FromIndex(EventIndex index, DateOnly calibrationEnd, ClvUnit unit)
    {
        ArgumentNullException.ThrowIfNull(index);
        var calendar = new LocalCalendar(index.TimeZone);
        var end = calibrationEnd.DayNumber;
        var ids = new List<string>();
        var customers = new List<CustomerSummary>();
        var days = new List<(int Day, long Amount)>();
        for (var v = 0; v < index.VisitorCount; v++)
        {
            var (from, to) = (index.OrderStart[v], index.OrderStart[v + 1]);
            if (from == to || !index.IsCustomer[v]) continue;
            Collect(index, calendar, from, to, days);
            if (Summarize(days, end, unit) is { } summary)
            {
                ids.Add(index.VisitorKeys[v]);
                customers.Add(summary);
            }
        }
        return new ClvDataset(ids, customers, calibrationEnd, unit);
    }

    /// <summary>One customer's summary at <paramref name="asOf"/>, or null when the index has no paid order of theirs by then.</summary>
    public static CustomerSummary? Of(EventIndex index, string customerId, DateOnly asOf, ClvUnit unit)
    {
        ArgumentNullException.ThrowIfNull(index);
        var v = index.FindVisitor(customerId);
        if (v < 0 || !index.IsCustomer[v]) return null;
        var days = new List<(int Day, long Amount)>();
        Collect(index, new LocalCalendar(index.TimeZone), index.OrderStart[v], index.OrderStart[v + 1], days);
        return Summarize(days, asOf.DayNumber, unit);
    }

    /// <summary>
    /// Every visitor's summary at <paramref name="asOf"/> in one pass over the index, by visitor: what <see cref="Of"/>
    /// gives for each customer, null for anonymous visitors and customers with no paid order by then.
    /// </summary>
    public static CustomerSummary?[] ByVisitor(EventIndex index, DateOnly asOf, ClvUnit unit)
    {
        ArgumentNullException.ThrowIfNull(index);
        var summaries = new CustomerSummary?[index.VisitorCount];
        ByVisitor(index, asOf, unit, (v, summary) => summaries[v] = summary);
        return summaries;
    }

    /// <summary>
    /// Hands every customer with a paid order by <paramref name="asOf"/> to <paramref name="each"/> with their summary
    /// then (what <see cref="Of"/> gives), once each, in one pass over the index: chunks of visitors are summarised in
    /// parallel, each with its own calendar, so <paramref name="each"/> is called from several threads at once (for
    /// different visitors) and in no particular order.
    /// </summary>
    public static void ByVisitor(EventIndex index, DateOnly asOf, ClvUnit unit, Action<int, CustomerSummary> each)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(each);
        var end = asOf.DayNumber;
        const int chunk = 16_384;
        var chunks = (index.VisitorCount + chunk - 1) / chunk;
        Parallel.For(0, chunks, () => (Calendar: new LocalCalendar(index.TimeZone), Days: new List<(int Day, long Amount)>()), (k, _, local) =>
        {
            for (int v = k * chunk, last = Math.Min(index.VisitorCount, v + chunk); v < last; v++)
            {
                var (from, to) = (index.OrderStart[v], index.OrderStart[v + 1]);
                if (from == to || !index.IsCustomer[v]) continue;
                Collect(index, local.Calendar, from, to, local.Days);
                if (Summarize(local.Days, end, unit) is { } summary) each(v, summary);
            }
            return local;
        }, _ => { });
    }

    /// <summary>Summaries from transactions in any order (tests, imports of order histories); customers in ordinal id order.</summary>
    public static ClvDataset FromTransactions(IEnumerable<ClvTransaction> transactions, DateOnly calibrationEnd, ClvUnit unit)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var byCustomer = new SortedDictionary<string, List<(int Day, long Amount)>>(StringComparer.Ordinal);
        foreach (var t in transactions)
        {
            if (!byCustomer.TryGetValue(t.CustomerId, out var list)) byCustomer[t.CustomerId] = list = [];
            list.Add((t.Day.DayNumber, t.Amount));
        }
        var ids = new List<string>();
        var customers = new List<CustomerSummary>();
        var days = new List<(int Day, long Amount)>();
        foreach (var (id, list) in byCustomer)
        {
            list.Sort((a, b) => a.Day.CompareTo(b.Day));
            days.Clear();
            foreach (var (day, amount) in list) AddDay(days, day, amount);
            if (Summarize(days, calibrationEnd.DayNumber, unit) is { } summary)
            {
                ids.Add(id);
                customers.Add(summary);
            }
        }
        return new ClvDataset(ids, customers, calibrationEnd, unit);
    }

    /// <summary>A visitor's paid orders as (local day, net value) per purchase day, in day order (orders are sorted by paid time).</summary>
    private static void Collect(EventIndex index, LocalCalendar calendar, int from, int to, List<(int Day, long Amount)> days)
    {
        days.Clear();
        for (var o = from; o < to; o++)
            AddDay(days, calendar.DayOf(index.OrderPaidTime[o]), index.OrderGmv[o] - index.OrderRefund[o]);
    }

    private static void AddDay(List<(int Day, long Amount)> days, int day, long amount)
    {
        if (days.Count > 0 && days[^1].Day == day) days[^1] = (day, checked(days[^1].Amount + amount));
        else days.Add((day, amount));
    }

    /// <summary>The summary of purchase days sorted by day (distinct), counting those up to <paramref name="endDay"/>; null when none.</summary>
    internal static CustomerSummary? Summarize(List<(int Day, long Amount)> days, int endDay, ClvUnit unit)
    {
        if (days.Count == 0 || days[0].Day > endDay) return null;
        var first = days[0].Day;
        var last = first;
        var repeat = 0;
        long spend = 0;
        for (var i = 1; i < days.Count && days[i].Day <= endDay; i++)
        {
            repeat++;
            last = days[i].Day;
            spend = checked(spend + days[i].Amount);
        }
        double length = ClvUnits.Days(unit);
        return new CustomerSummary(repeat, (last - first) / length, (endDay - first) / length, repeat > 0 ? Math.Max(0, (double)spend / repeat) : 0);
    }
}
