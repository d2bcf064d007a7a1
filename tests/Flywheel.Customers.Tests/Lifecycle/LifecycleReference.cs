using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Contracts;
using Flywheel.Customers.Lifecycle;

namespace Flywheel.Customers.Tests.Lifecycle;

/// <summary>
/// LifecycleEngine as it was before it was made fast (one customer at a time, lists per customer, medians of doubles):
/// the reference the engine's results must equal.
/// </summary>
internal static class LifecycleReference
{
    private const double MinimumRhythmDays = LifecycleEngine.MinimumRhythmDays;
    private const double DefaultRhythmDays = LifecycleEngine.DefaultRhythmDays;

    public static IReadOnlyList<LifecycleState> Run(EventIndex index, DateOnly asOf, Func<int, double?>? pAlive = null)
    {
        var calendar = new LocalCalendar(index.TimeZone);
        var end = calendar.StartOf(asOf.AddDays(1));
        var asOfDay = asOf.DayNumber;
        var storeRhythm = StoreRhythm(index, calendar, end);
        var states = new List<LifecycleState>();
        var days = new List<int>();
        for (var v = 0; v < index.VisitorCount; v++)
        {
            if (!index.IsCustomer[v]) continue;
            days.Clear();
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                if (index.OrderPaidTime[o] < end) days.Add(calendar.DayOf(index.OrderPaidTime[o]));
            var alive = pAlive?.Invoke(v);
            if (days.Count == 0)
            {
                states.Add(new LifecycleState(index.VisitorKeys[v], v, LifecycleStages.Prospect, 0, null, null, alive));
                continue;
            }
            var since = asOfDay - days[^1];
            var rhythm = Math.Max(MinimumRhythmDays, days.Count >= 2 ? Median(Gaps(days, days.Count)) : storeRhythm);
            var ratio = since / rhythm;
            string stage;
            if (ratio > 6 || (alive is < 0.05 && ratio > 3)) stage = LifecycleStages.Churned;
            else if (ratio > 3) stage = LifecycleStages.Lapsed;
            else if (ratio > 1.5 || alive is < 0.3) stage = LifecycleStages.AtRisk;
            else if (days.Count == 1) stage = LifecycleStages.New;
            else if (IsComeback(days, storeRhythm)) stage = LifecycleStages.Reactivated;
            else stage = LifecycleStages.Active;
            states.Add(new LifecycleState(index.VisitorKeys[v], v, stage, days.Count, since, rhythm, alive));
        }
        return states;
    }

    /// <summary>
    /// The last order ended a silence of more than three times the rhythm the customer had before it (or, with one
    /// earlier order, the store's): they had lapsed, and came back.
    /// </summary>
    private static bool IsComeback(List<int> days, double storeRhythm)
    {
        var lastGap = days[^1] - days[^2];
        var before = days.Count >= 3 ? Median(Gaps(days, days.Count - 1)) : storeRhythm;
        return lastGap > 3 * Math.Max(MinimumRhythmDays, before);
    }

    private static List<double> Gaps(List<int> days, int count)
    {
        var gaps = new List<double>(count - 1);
        for (var i = 1; i < count; i++) gaps.Add(days[i] - days[i - 1]);
        return gaps;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /// <summary>The median gap between the first and second order of customers who have two, or the default.</summary>
    private static double StoreRhythm(EventIndex index, LocalCalendar calendar, int end)
    {
        var gaps = new List<double>();
        for (var v = 0; v < index.VisitorCount; v++)
        {
            var o = index.OrderStart[v];
            if (index.OrderStart[v + 1] - o < 2 || index.OrderPaidTime[o + 1] >= end) continue;
            gaps.Add(calendar.DayOf(index.OrderPaidTime[o + 1]) - calendar.DayOf(index.OrderPaidTime[o]));
        }
        return gaps.Count == 0 ? DefaultRhythmDays : Median(gaps);
    }
}
