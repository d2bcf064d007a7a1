using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;

namespace Flywheel.Customers.Lifecycle;

/// <summary>A customer's stage as of a day, with the figures it came from.</summary>
internal sealed record LifecycleState(string CustomerId, int Visitor, string Stage, int Orders, int? DaysSinceLastOrder, double? RhythmDays, double? PAlive);

/// <summary>
/// Lifecycle stages from each customer's own purchase rhythm: the typical gap between their orders (for one-order
/// customers, the store's median gap between a first and second order), compared with the days since their last order;
/// P(alive) from a fitted BG/NBD model, when given, marks the long-silent as churned sooner. Pure: no I/O, no clock.
/// </summary>
internal static class LifecycleEngine
{
    /// <summary>Gaps shorter than this are not a rhythm (two orders the same week say little about the next).</summary>
    public const double MinimumRhythmDays = 7;
    /// <summary>The store rhythm when no customer has two orders yet.</summary>
    public const double DefaultRhythmDays = 30;

    /// <summary>Customers per parallel chunk (the chunks' states are joined in visitor order).</summary>
    private const int Chunk = 16_384;

    /// <summary>
    /// Every customer's state as of <paramref name="asOf"/>, in visitor order. <paramref name="pAlive"/> is asked once per
    /// customer, from several threads at once (chunks of customers are staged in parallel), so it must be thread-safe.
    /// </summary>
    public static IReadOnlyList<LifecycleState> Run(EventIndex index, DateOnly asOf, Func<int, double?>? pAlive = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        var calendar = new LocalCalendar(index.TimeZone);
        var end = calendar.StartOf(asOf.AddDays(1));
        var storeRhythm = StoreRhythm(index, calendar, end);
        var parts = new List<LifecycleState>[(index.VisitorCount + Chunk - 1) / Chunk];
        Parallel.For(0, parts.Length, () => new Scratch(index.TimeZone), (k, _, scratch) =>
        {
            parts[k] = RunChunk(index, k * Chunk, Math.Min(index.VisitorCount, (k + 1) * Chunk), end, asOf.DayNumber, storeRhythm, pAlive, scratch);
            return scratch;
        }, _ => { });
        var states = new List<LifecycleState>(parts.Sum(p => p.Count));
        foreach (var part in parts) states.AddRange(part);
        return states;
    }

    /// <summary>A thread's calendar and buffers: a customer's order days and the gaps between them.</summary>
    private sealed class Scratch(string timeZone)
    {
        public LocalCalendar Calendar { get; } = new(timeZone);
        public int[] Days = new int[64];
        public int[] Gaps = new int[64];
    }

    private static List<LifecycleState> RunChunk(EventIndex index, int from, int to, int end, int asOfDay, double storeRhythm, Func<int, double?>? pAlive,
        Scratch scratch)
    {
        var states = new List<LifecycleState>(to - from);
        for (var v = from; v < to; v++)
        {
            if (!index.IsCustomer[v]) continue;
            var (first, last) = (index.OrderStart[v], index.OrderStart[v + 1]);
            if (last - first > scratch.Days.Length)
            {
                scratch.Days = new int[Math.Max(last - first, 2 * scratch.Days.Length)];
                scratch.Gaps = new int[scratch.Days.Length];
            }
            var days = scratch.Days;
            var n = 0;
            for (var o = first; o < last; o++)
                if (index.OrderPaidTime[o] < end) days[n++] = scratch.Calendar.DayOf(index.OrderPaidTime[o]);
            var alive = pAlive?.Invoke(v);
            if (n == 0)
            {
                states.Add(new LifecycleState(index.VisitorKeys[v], v, LifecycleStages.Prospect, 0, null, null, alive));
                continue;
            }
            var since = asOfDay - days[n - 1];
            var rhythm = Math.Max(MinimumRhythmDays, n >= 2 ? MedianGap(days, n, scratch.Gaps) : storeRhythm);
            var ratio = since / rhythm;
            string stage;
            if (ratio > 6 || (alive is < 0.05 && ratio > 3)) stage = LifecycleStages.Churned;
            else if (ratio > 3) stage = LifecycleStages.Lapsed;
            else if (ratio > 1.5 || alive is < 0.3) stage = LifecycleStages.AtRisk;
            else if (n == 1) stage = LifecycleStages.New;
            else if (IsComeback(days, n, storeRhythm, scratch.Gaps)) stage = LifecycleStages.Reactivated;
            else stage = LifecycleStages.Active;
            states.Add(new LifecycleState(index.VisitorKeys[v], v, stage, n, since, rhythm, alive));
        }
        return states;
    }

    /// <summary>
    /// The last order ended a silence of more than three times the rhythm the customer had before it (or, with one
    /// earlier order, the store's): they had lapsed, and came back.
    /// </summary>
    private static bool IsComeback(int[] days, int n, double storeRhythm, int[] gaps)
    {
        var lastGap = days[n - 1] - days[n - 2];
        var before = n >= 3 ? MedianGap(days, n - 1, gaps) : storeRhythm;
        return lastGap > 3 * Math.Max(MinimumRhythmDays, before);
    }

    /// <summary>The median of the gaps between the first <paramref name="count"/> days (at least two), in <paramref name="gaps"/>.</summary>
    private static double MedianGap(int[] days, int count, int[] gaps)
    {
        for (var i = 1; i < count; i++) gaps[i - 1] = days[i] - days[i - 1];
        return Median(gaps.AsSpan(0, count - 1));
    }

    /// <summary>The median of whole numbers (sorted in place): the middle one, or the mean of the middle two.</summary>
    private static double Median(Span<int> values)
    {
        values.Sort();
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : ((double)values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /// <summary>The median gap between the first and second order of customers who have two, or the default.</summary>
    internal static double StoreRhythm(EventIndex index, LocalCalendar calendar, int end)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(calendar);
        var gaps = new List<int>();
        for (var v = 0; v < index.VisitorCount; v++)
        {
            var o = index.OrderStart[v];
            if (index.OrderStart[v + 1] - o < 2 || index.OrderPaidTime[o + 1] >= end) continue;
            gaps.Add(calendar.DayOf(index.OrderPaidTime[o + 1]) - calendar.DayOf(index.OrderPaidTime[o]));
        }
        return gaps.Count == 0 ? DefaultRhythmDays : Median(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(gaps));
    }
}
