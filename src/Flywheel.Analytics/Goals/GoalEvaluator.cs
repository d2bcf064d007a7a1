using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;

namespace Flywheel.Analytics.Goals;

/// <summary>One channel's change of the metric: current period (start..as-of) minus the baseline period.</summary>
internal sealed record ChannelContribution(string Channel, decimal Baseline, decimal Current, decimal Delta);

/// <summary>A day's value on a goal's path, in the metric's unit (null where a ratio is undefined).</summary>
internal sealed record GoalPoint(DateOnly Day, decimal? Value);

/// <summary>A goal's path by day: the actual values from the start to as-of and the forecast from as-of to the deadline.</summary>
internal sealed record GoalSeries(IReadOnlyList<GoalPoint> Actual, IReadOnlyList<GoalPoint> Forecast);

/// <summary>
/// Where a goal stands on <see cref="AsOf"/>. Values are in the metric's unit (fen for money, counts, fractions/ratios);
/// null when undefined (a ratio with a zero denominator, or the period has not started).
/// Verdict: on_track, at_risk, off_track, or unknown when the target or the forecast is undefined.
/// </summary>
internal sealed record GoalStatus(Goal Goal, DateOnly AsOf, decimal? Baseline, decimal? Target, decimal? Current, decimal? ProgressPercent,
    decimal? Forecast, string Verdict, IReadOnlyList<ChannelContribution> TopChannels);

/// <summary>
/// Evaluates goals over the event index. Pure: no I/O, no clock (today is a parameter).
/// <list type="bullet">
/// <item>Current: the metric over start..min(today, deadline).</item>
/// <item>Forecast, additive metrics (gmv, orders, spend): current plus, for each remaining day, a linear trend (least squares
/// over the de-seasonalised daily series of the last 8 weeks up to as-of) times that weekday's factor (value / centred 7-day
/// moving average, averaged per weekday over the 8 weeks). Decimal arithmetic throughout; the forecast is rounded to a whole fen/unit.</item>
/// <item>Distinct counts (buyers, uv): the same forecast of the daily series scales the current value by
/// (days so far + forecast days) / (days so far) — an approximation, since a buyer can come back on several days.</item>
/// <item>Ratio metrics (cvr, aov, repurchase_rate, roi): computed over the whole period; forecast = current.</item>
/// <item>Progress: additive and distinct-count metrics accumulate from zero, so progress = current / target; ratios move from
/// the baseline, so progress = (current − baseline) / (target − baseline).</item>
/// <item>Verdict for a goal to increase (target ≥ baseline): on_track when forecast ≥ target, at_risk when ≥ 90% of it.
/// For a goal to decrease (target below baseline, e.g. spend −15%): on_track when forecast ≤ target, at_risk when ≤ 110%.</item>
/// <item>Top channels (not for ratios): the 3 channels with the largest |current − baseline|.</item>
/// </list>
/// Channel-scoped goals compute their daily series one day at a time (one index pass per day); fine for quarter-long goals.
/// </summary>
internal static class GoalEvaluator
{
    private const int HistoryDays = 56;

    public static GoalStatus Evaluate(EventIndex index, Goal goal, DateOnly today)
    {
        var metric = goal.Metric;
        var asOf = today < goal.Deadline ? today : goal.Deadline;
        var baseline = Measure(index, goal.BaselineFrom, goal.BaselineTo, goal.Channel, metric);
        decimal? target = goal.Target.IsRelative
            ? baseline is { } b ? Round(b * (1 + goal.Target.Value), metric) : null
            : goal.Target.Value;
        var started = asOf >= goal.Start;
        decimal? current = started ? Measure(index, goal.Start, asOf, goal.Channel, metric)
            : GoalMetrics.IsRatio(metric) ? null : 0m;

        decimal? forecast;
        if (GoalMetrics.IsRatio(metric))
            forecast = current;
        else
        {
            var remaining = ForecastRemaining(index, goal, asOf);
            if (GoalMetrics.IsAdditive(metric)) forecast = Math.Round(current!.Value + remaining, 0, MidpointRounding.AwayFromZero);
            else
            {
                var soFar = started ? Daily(index, goal.Start, asOf, goal.Channel, metric).Sum() : 0m;
                forecast = soFar > 0 ? Math.Round(current!.Value * (soFar + remaining) / soFar, 0, MidpointRounding.AwayFromZero)
                    : Math.Round(remaining, 0, MidpointRounding.AwayFromZero);
            }
        }

        decimal? progress = null;
        if (target is { } t && current is { } c)
        {
            if (!GoalMetrics.IsRatio(metric)) progress = t != 0 ? Math.Round(c / t * 100, 2) : null;
            else if (baseline is { } bl && t != bl) progress = Math.Round((c - bl) / (t - bl) * 100, 2);
        }

        var verdict = Verdict(baseline, target, forecast);
        var top = GoalMetrics.IsRatio(metric) ? [] : TopChannels(index, goal, asOf, started);
        return new GoalStatus(goal, asOf, baseline, target, current, progress, forecast, verdict, top);
    }

    /// <summary>on_track / at_risk / off_track; a goal whose target is below its baseline is a goal to decrease.</summary>
    public static string Verdict(decimal? baseline, decimal? target, decimal? forecast)
    {
        if (target is not { } t || forecast is not { } f) return "unknown";
        var decrease = baseline is { } b && t < b;
        if (decrease) return f <= t ? "on_track" : f <= t * 1.1m ? "at_risk" : "off_track";
        return f >= t ? "on_track" : f >= t * 0.9m ? "at_risk" : "off_track";
    }

    /// <summary>The sum over the days after as-of (or from the start, if later) through the deadline of trend × weekday factor.</summary>
    private static decimal ForecastRemaining(EventIndex index, Goal goal, DateOnly asOf)
    {
        decimal sum = 0;
        foreach (var value in ForecastDays(index, goal, asOf).Values) sum += value;
        return sum;
    }

    /// <summary>
    /// Each day's forecast after as-of (or from the start, if later) through the deadline: trend × weekday factor, never below 0.
    /// Empty when the goal's period is over.
    /// </summary>
    private static (DateOnly First, decimal[] Values) ForecastDays(EventIndex index, Goal goal, DateOnly asOf)
    {
        var first = asOf >= goal.Start ? asOf.AddDays(1) : goal.Start;
        if (first > goal.Deadline) return (first, []);
        var values = new decimal[goal.Deadline.DayNumber - first.DayNumber + 1];
        // History: the 8 weeks ending on as-of (or the day before the start, when the goal has not started yet).
        var historyEnd = asOf >= goal.Start ? asOf : goal.Start.AddDays(-1);
        var historyStart = historyEnd.AddDays(-(HistoryDays - 1));
        var y = Daily(index, historyStart, historyEnd, goal.Channel, goal.Metric);
        var factors = WeekdayFactors(y, historyStart);
        // De-seasonalise (days whose weekday factor is 0 carry no trend information) and fit y = a + b·x by least squares.
        decimal n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var f = factors[(int)historyStart.AddDays(i).DayOfWeek];
            if (f == 0) continue;
            var z = y[i] / f;
            n++;
            sx += i;
            sy += z;
            sxx += (decimal)i * i;
            sxy += i * z;
        }
        if (n == 0) return (first, values);
        var denominator = n * sxx - sx * sx;
        var slope = denominator != 0 ? (n * sxy - sx * sy) / denominator : 0;
        var intercept = (sy - slope * sx) / n;
        for (var d = 0; d < values.Length; d++)
        {
            var day = first.AddDays(d);
            var x = day.DayNumber - historyStart.DayNumber;
            var value = (intercept + slope * x) * factors[(int)day.DayOfWeek];
            if (value > 0) values[d] = value;
        }
        return (first, values);
    }

    /// <summary>
    /// The goal's path by day, for a chart: <see cref="GoalSeries.Actual"/>, the metric from the start through each day up to
    /// as-of (cumulative for additive metrics; distinct counts and ratios measured over start..day); and
    /// <see cref="GoalSeries.Forecast"/>, from as-of (where it equals the current value) to the deadline, where it equals
    /// <see cref="GoalStatus.Forecast"/>. Before the start the actual path is empty and the forecast starts on the start day.
    /// Distinct counts and ratios cost one index pass per day so far.
    /// </summary>
    public static GoalSeries Series(EventIndex index, GoalStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var goal = status.Goal;
        var metric = goal.Metric;
        var asOf = status.AsOf;
        var started = asOf >= goal.Start;
        var actual = new List<GoalPoint>();
        if (started)
        {
            if (GoalMetrics.IsAdditive(metric))
            {
                decimal running = 0;
                var daily = Daily(index, goal.Start, asOf, goal.Channel, metric);
                for (var i = 0; i < daily.Length; i++) actual.Add(new GoalPoint(goal.Start.AddDays(i), running += daily[i]));
            }
            else
                for (var day = goal.Start; day <= asOf; day = day.AddDays(1))
                    actual.Add(new GoalPoint(day, Measure(index, goal.Start, day, goal.Channel, metric)));
        }

        var forecast = new List<GoalPoint>();
        if (started) forecast.Add(new GoalPoint(asOf, status.Current));
        if (GoalMetrics.IsRatio(metric))
        {
            // A ratio's forecast is its current value: a flat line to the deadline.
            if (started && asOf < goal.Deadline) forecast.Add(new GoalPoint(goal.Deadline, status.Current));
            return new GoalSeries(actual, forecast);
        }
        var (first, values) = ForecastDays(index, goal, asOf);
        var current = status.Current ?? 0;
        var soFar = GoalMetrics.IsAdditive(metric) || !started ? 0m : Daily(index, goal.Start, asOf, goal.Channel, metric).Sum();
        decimal remaining = 0;
        for (var d = 0; d < values.Length; d++)
        {
            remaining += values[d];
            // The same expressions as Evaluate's forecast, so the last point is the status's forecast exactly.
            var value = GoalMetrics.IsAdditive(metric) ? current + remaining
                : soFar > 0 ? current * (soFar + remaining) / soFar
                : remaining;
            forecast.Add(new GoalPoint(first.AddDays(d), Math.Round(value, 0, MidpointRounding.AwayFromZero)));
        }
        return new GoalSeries(actual, forecast);
    }

    /// <summary>
    /// Weekday factors by classical decomposition: each day's value over the centred 7-day moving average (the trend
    /// without the weekly cycle), averaged per weekday and normalised to a mean of 1. A pure trend gives factors of
    /// exactly 1; a flat weekly pattern gives each weekday's share. All 1 when the history has no usable day.
    /// </summary>
    internal static decimal[] WeekdayFactors(decimal[] daily, DateOnly first)
    {
        var sums = new decimal[7];
        var counts = new int[7];
        for (var i = 3; i + 3 < daily.Length; i++)
        {
            decimal window = 0;
            for (var k = i - 3; k <= i + 3; k++) window += daily[k];
            if (window == 0) continue;
            var dow = (int)first.AddDays(i).DayOfWeek;
            sums[dow] += daily[i] * 7 / window;
            counts[dow]++;
        }
        var factors = new decimal[7];
        if (counts.Any(c => c == 0))
        {
            Array.Fill(factors, 1m);
            return factors;
        }
        for (var d = 0; d < 7; d++) factors[d] = sums[d] / counts[d];
        var mean = factors.Sum() / 7;
        if (mean == 0)
        {
            Array.Fill(factors, 1m);
            return factors;
        }
        for (var d = 0; d < 7; d++) factors[d] /= mean;
        return factors;
    }

    /// <summary>The metric's daily values from..to (inclusive), optionally of one channel.</summary>
    internal static decimal[] Daily(EventIndex index, DateOnly from, DateOnly to, string? channel, string metric)
    {
        var days = to.DayNumber - from.DayNumber + 1;
        var values = new decimal[days];
        if (channel is null)
        {
            var rows = KpiEngine.Run(index, new KpiQuery(from, to, KpiGrouping.Day)).Value;
            for (var i = 0; i < rows.Count && i < days; i++) values[i] = Value(rows[i], metric) ?? 0;
            return values;
        }
        for (var i = 0; i < days; i++)
        {
            var day = from.AddDays(i);
            values[i] = Measure(index, day, day, channel, metric) ?? 0;
        }
        return values;
    }

    /// <summary>The metric over from..to (inclusive), optionally of one channel.</summary>
    internal static decimal? Measure(EventIndex index, DateOnly from, DateOnly to, string? channel, string metric)
    {
        if (channel is null) return Value(KpiEngine.Run(index, new KpiQuery(from, to)).Value[0], metric);
        var row = KpiEngine.Run(index, new KpiQuery(from, to, KpiGrouping.Channel)).Value
            .FirstOrDefault(r => string.Equals(r.Key, channel, StringComparison.Ordinal));
        return row is null ? (GoalMetrics.IsRatio(metric) ? null : 0) : Value(row, metric);
    }

    private static IReadOnlyList<ChannelContribution> TopChannels(EventIndex index, Goal goal, DateOnly asOf, bool started)
    {
        var before = KpiEngine.Run(index, new KpiQuery(goal.BaselineFrom, goal.BaselineTo, KpiGrouping.Channel)).Value
            .ToDictionary(r => r.Key, r => Value(r, goal.Metric) ?? 0, StringComparer.Ordinal);
        var now = started
            ? KpiEngine.Run(index, new KpiQuery(goal.Start, asOf, KpiGrouping.Channel)).Value.ToDictionary(r => r.Key, r => Value(r, goal.Metric) ?? 0, StringComparer.Ordinal)
            : new Dictionary<string, decimal>(StringComparer.Ordinal);
        return before.Keys.Union(now.Keys)
            .Where(k => goal.Channel is null || string.Equals(k, goal.Channel, StringComparison.Ordinal))
            .Select(k =>
            {
                var b = before.GetValueOrDefault(k);
                var c = now.GetValueOrDefault(k);
                return new ChannelContribution(k, b, c, c - b);
            })
            .Where(x => x.Delta != 0)
            .OrderByDescending(x => Math.Abs(x.Delta)).ThenBy(x => x.Channel, StringComparer.Ordinal)
            .Take(3)
            .ToList();
    }

    /// <summary>The metric of a KPI row, in its unit (fen, count, fraction).</summary>
    public static decimal? Value(KpiRow row, string metric) => metric switch
    {
        "gmv" => row.Gmv,
        "orders" => row.Orders,
        "buyers" => row.Buyers,
        "uv" => row.Visitors,
        "spend" => row.Spend,
        "aov" => row.Aov,
        "cvr" => (decimal?)row.Cvr,
        "repurchase_rate" => (decimal?)row.RepurchaseRate,
        "roi" => (decimal?)row.Roi,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric"),
    };

    private static decimal Round(decimal value, string metric) =>
        GoalMetrics.IsRatio(metric) && !GoalMetrics.IsMoney(metric) ? value : Math.Round(value, 0, MidpointRounding.AwayFromZero);
}
