using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Goals;
using Flywheel.Analytics.Index;

namespace Flywheel.Analytics.Tests.Goals;

public sealed class GoalEvaluatorTests
{
    private static readonly DateOnly DataFrom = new(2026, 4, 1);
    private static readonly DateOnly DataTo = new(2026, 8, 31);

    /// <summary>A flat series with a weekly pattern: jd sells 100.00 on weekdays, douyin 300.00 on Saturdays and Sundays; one order a day.</summary>
    private static (string Channel, long Fen) Pattern(DateOnly day) =>
        day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? ("douyin", 30000) : ("jd", 10000);

    private static long Sum(DateOnly from, DateOnly to, string? channel = null)
    {
        long sum = 0;
        for (var d = from; d <= to; d = d.AddDays(1))
            if (channel is null || Pattern(d).Channel == channel) sum += Pattern(d).Fen;
        return sum;
    }

    private static EventIndex PatternIndex()
    {
        var builder = new EventIndexBuilder.Builder();
        var n = 0;
        for (var d = DataFrom; d <= DataTo; d = d.AddDays(1))
        {
            var (channel, fen) = Pattern(d);
            var paid = new DateTimeOffset(d.Year, d.Month, d.Day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            builder.AddOrder($"u{n++}", paid, channel, null, fen, 0, 1, null);
        }
        return builder.Build("Asia/Shanghai");
    }

    private static Goal Gmv(string target = "+20%", string? channel = null, string metric = "gmv") =>
        Goal.Create("g1", new GoalInput("Q3 GMV", metric, target, "2026-04-01..2026-06-30", "2026-07-01", "2026-09-30", channel)).Value;

    [Fact]
    public void Evaluate_FlatWeeklyPattern_ForecastsTheRestOfThePeriodExactly()
    {
        var status = GoalEvaluator.Evaluate(PatternIndex(), Gmv(), new DateOnly(2026, 8, 31));
        var q2 = Sum(new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30));
        Assert.Equal(q2, status.Baseline);
        Assert.Equal(Math.Round(q2 * 1.2m), status.Target);
        Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 8, 31)), status.Current);
        // September continues the pattern: 30 days of it, weekday by weekday.
        Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)), status.Forecast);
        Assert.Equal(Math.Round(status.Current!.Value / status.Target!.Value * 100, 2), status.ProgressPercent);
        Assert.Equal("off_track", status.Verdict); // a flat quarter is ~1% above Q2, far from +20%
    }

    [Fact]
    public void Evaluate_BeforeTheStart_ForecastsTheWholePeriodFromTheLastEightWeeks()
    {
        var status = GoalEvaluator.Evaluate(PatternIndex(), Gmv(), new DateOnly(2026, 6, 30));
        Assert.Equal(0m, status.Current);
        Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)), status.Forecast);
    }

    [Fact]
    public void Evaluate_ChannelScope_UsesOnlyThatChannel()
    {
        var status = GoalEvaluator.Evaluate(PatternIndex(), Gmv(channel: "douyin"), new DateOnly(2026, 8, 31));
        Assert.Equal(Sum(new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30), "douyin"), status.Baseline);
        Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 8, 31), "douyin"), status.Current);
        Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30), "douyin"), status.Forecast);
        Assert.Equal("douyin", Assert.Single(status.TopChannels).Channel);
    }

    [Fact]
    public void Evaluate_AbsoluteTarget_OnTrackAndTopChannelsByChange()
    {
        // Q3 at the pattern is 92 days; an absolute target just at the forecast is on track.
        var forecast = Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30));
        var goal = Gmv(target: Flywheel.Primitives.MoneyText.Format(forecast));
        Assert.False(goal.Target.IsRelative);
        Assert.Equal(forecast, goal.Target.Value);
        var status = GoalEvaluator.Evaluate(PatternIndex(), goal, new DateOnly(2026, 8, 31));
        Assert.Equal(forecast, status.Target);
        Assert.Equal("on_track", status.Verdict);
        // Two months so far against a three-month baseline: both channels are down. douyin: 18 weekend days of 300.00
        // against 26 (−2,400.00); jd: 44 weekdays of 100.00 against 65 (−2,100.00).
        Assert.Collection(status.TopChannels,
            c =>
            {
                Assert.Equal("douyin", c.Channel);
                Assert.Equal(-240000m, c.Delta);
            },
            c =>
            {
                Assert.Equal("jd", c.Channel);
                Assert.Equal(-210000m, c.Delta);
            });
    }

    [Fact]
    public void Evaluate_RatioMetric_ForecastIsTheCurrentValue()
    {
        var status = GoalEvaluator.Evaluate(PatternIndex(), Gmv(metric: "aov", target: "-15%"), new DateOnly(2026, 8, 31));
        var q3Orders = new DateOnly(2026, 8, 31).DayNumber - new DateOnly(2026, 7, 1).DayNumber + 1;
        var current = Math.Round((decimal)Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 8, 31)) / q3Orders, MidpointRounding.AwayFromZero);
        Assert.Equal(current, status.Current);
        Assert.Equal(status.Current, status.Forecast);
        Assert.Empty(status.TopChannels);
        Assert.Equal(Math.Round(status.Baseline!.Value * 0.85m), status.Target);
    }

    [Fact]
    public void Series_Additive_ActualIsCumulativeToCurrent_ForecastRunsFromCurrentToTheForecast()
    {
        var index = PatternIndex();
        var status = GoalEvaluator.Evaluate(index, Gmv(), new DateOnly(2026, 8, 31));
        var series = GoalEvaluator.Series(index, status);
        Assert.Equal(62, series.Actual.Count);
        Assert.Equal(new DateOnly(2026, 7, 1), series.Actual[0].Day);
        for (var i = 0; i < series.Actual.Count; i++)
            Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 1).AddDays(i)), series.Actual[i].Value);
        Assert.Equal(status.Current, series.Actual[^1].Value);
        // From as-of (the current value) through each September day: the pattern continues, so every point is exact.
        Assert.Equal(31, series.Forecast.Count);
        Assert.Equal(new GoalPoint(new DateOnly(2026, 8, 31), status.Current), series.Forecast[0]);
        for (var i = 1; i < series.Forecast.Count; i++)
            Assert.Equal(Sum(new DateOnly(2026, 7, 1), new DateOnly(2026, 8, 31).AddDays(i)), series.Forecast[i].Value);
        Assert.Equal(new DateOnly(2026, 9, 30), series.Forecast[^1].Day);
        Assert.Equal(status.Forecast, series.Forecast[^1].Value);
    }

    [Fact]
    public void Series_BeforeTheStart_HasNoActual_AndTheForecastStartsOnTheStartDay()
    {
        var index = PatternIndex();
        var status = GoalEvaluator.Evaluate(index, Gmv(), new DateOnly(2026, 6, 30));
        var series = GoalEvaluator.Series(index, status);
        Assert.Empty(series.Actual);
        Assert.Equal(92, series.Forecast.Count);
        Assert.Equal(new GoalPoint(new DateOnly(2026, 7, 1), Pattern(new DateOnly(2026, 7, 1)).Fen), series.Forecast[0]);
        Assert.Equal(status.Forecast, series.Forecast[^1].Value);
    }

    [Fact]
    public void Series_Ratio_ActualIsTheRatioToDate_ForecastIsFlat()
    {
        var index = PatternIndex();
        var status = GoalEvaluator.Evaluate(index, Gmv(metric: "aov", target: "-15%"), new DateOnly(2026, 8, 31));
        var series = GoalEvaluator.Series(index, status);
        Assert.Equal(62, series.Actual.Count);
        Assert.Equal(Pattern(new DateOnly(2026, 7, 1)).Fen, series.Actual[0].Value); // one order on 07-01
        Assert.Equal(status.Current, series.Actual[^1].Value);
        Assert.Equal([new GoalPoint(new DateOnly(2026, 8, 31), status.Current), new GoalPoint(new DateOnly(2026, 9, 30), status.Current)], series.Forecast);
    }

    [Fact]
    public void Series_AfterTheDeadline_EndsOnTheDeadline()
    {
        var index = PatternIndex();
        var goal = Goal.Create("g1", new GoalInput("July", "gmv", "+20%", "2026-06-01..2026-06-30", "2026-07-01", "2026-07-31", null)).Value;
        var status = GoalEvaluator.Evaluate(index, goal, new DateOnly(2026, 8, 31));
        var series = GoalEvaluator.Series(index, status);
        Assert.Equal(31, series.Actual.Count);
        Assert.Equal(status.Current, series.Actual[^1].Value);
        Assert.Equal([new GoalPoint(new DateOnly(2026, 7, 31), status.Current)], series.Forecast);
        Assert.Equal(status.Current, status.Forecast);
    }

    [Theory]
    [InlineData(100, 120, 120, "on_track")]
    [InlineData(100, 120, 108, "at_risk")] // exactly 90%
    [InlineData(100, 120, 107, "off_track")]
    [InlineData(100, 85, 85, "on_track")] // a goal to decrease
    [InlineData(100, 85, 93.5, "at_risk")] // 110% of the target
    [InlineData(100, 85, 94, "off_track")]
    public void Verdict_Thresholds(double baseline, double target, double forecast, string expected) =>
        Assert.Equal(expected, GoalEvaluator.Verdict((decimal)baseline, (decimal)target, (decimal)forecast));

    [Fact]
    public void Verdict_UndefinedTarget_IsUnknown() => Assert.Equal("unknown", GoalEvaluator.Verdict(null, null, 5));

    [Theory]
    [InlineData("ctr", "+20%", "2026-04-01..2026-06-30", "2026-07-01", "2026-09-30", "metric")]
    [InlineData("gmv", "+20%", "2026-04-01..2026-06-30", "2026-07-01", "2026-06-30", "deadline")]
    [InlineData("gmv", "+20%", "2026-06-30..2026-04-01", "2026-07-01", "2026-09-30", "baseline")]
    [InlineData("gmv", "+0%", "2026-04-01..2026-06-30", "2026-07-01", "2026-09-30", "target")]
    [InlineData("gmv", "lots", "2026-04-01..2026-06-30", "2026-07-01", "2026-09-30", "target")]
    [InlineData("gmv", "+20%", "2026-04-01", "2026-07-01", "2026-09-30", "baseline")]
    [InlineData("gmv", "+20%", "2026-04-01..2026-06-30", "July", "2026-09-30", "start")]
    public void Create_BadInput_NamesTheField(string metric, string target, string baseline, string start, string deadline, string path)
    {
        var result = Goal.Create("g", new GoalInput("n", metric, target, baseline, start, deadline, null));
        Assert.False(result.IsSuccess);
        Assert.Equal(path, result.Error!.Path);
    }

    [Fact]
    public void Create_Targets_RelativeAndAbsolute()
    {
        Assert.Equal(new GoalTarget(true, 0.2m), Gmv("+20%").Target);
        Assert.Equal(new GoalTarget(true, -0.15m), Gmv("-15%").Target);
        Assert.Equal(new GoalTarget(false, 12345678m), Gmv("123456.78").Target); // yuan → fen
        Assert.Equal(new GoalTarget(false, 0.05m), Gmv("0.05", metric: "cvr").Target);
        Assert.Equal("+20%", Gmv("+20%").Target.ToText("gmv"));
        Assert.Equal("123456.78", Gmv("123456.78").Target.ToText("gmv"));
    }

    [Fact]
    public void Definition_RoundTripsThroughJson()
    {
        var goal = Gmv("-15%", channel: "jd");
        Assert.Equal(goal, GoalJson.ReadDefinition(GoalJson.WriteDefinition(goal)).Value);
    }
}

public sealed class GoalEvaluatorTrendTests
{
    /// <summary>A pure linear trend, no weekly cycle: day i after 2026-06-01 has i + 1 orders.</summary>
    private static EventIndex RisingIndex(DateOnly last)
    {
        var builder = new EventIndexBuilder.Builder();
        var first = new DateOnly(2026, 6, 1);
        var n = 0;
        for (var d = first; d <= last; d = d.AddDays(1))
        {
            var paid = new DateTimeOffset(d.Year, d.Month, d.Day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            for (var k = 0; k <= d.DayNumber - first.DayNumber; k++) builder.AddOrder($"u{n++}", paid, "jd", null, 100, 0, 1, null);
        }
        return builder.Build("Asia/Shanghai");
    }

    [Fact]
    public void Evaluate_LinearTrend_ExtrapolatesExactly()
    {
        var today = new DateOnly(2026, 8, 31);
        var goal = Goal.Create("g", new GoalInput("orders", "orders", "+10%", "2026-06-01..2026-06-30", "2026-08-01", "2026-09-30", null)).Value;
        var status = GoalEvaluator.Evaluate(RisingIndex(today), goal, today);
        static long Orders(DateOnly day) => day.DayNumber - new DateOnly(2026, 6, 1).DayNumber + 1;
        long expected = 0;
        for (var d = new DateOnly(2026, 8, 1); d <= new DateOnly(2026, 9, 30); d = d.AddDays(1)) expected += Orders(d);
        Assert.Equal(expected, status.Forecast);
    }

    [Fact]
    public void Evaluate_DistinctCount_ScalesByTheForecastDays()
    {
        // One new buyer a day: 62 buyers by 08-31; the forecast scales by (62 + 30 forecast buyer-days) / 62.
        var builder = new EventIndexBuilder.Builder();
        var n = 0;
        for (var d = new DateOnly(2026, 4, 1); d <= new DateOnly(2026, 8, 31); d = d.AddDays(1))
            builder.AddOrder($"u{n++}", new DateTimeOffset(d.Year, d.Month, d.Day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(), "jd", null, 100, 0, 1, null);
        var goal = Goal.Create("g", new GoalInput("buyers", "buyers", "100", "2026-04-01..2026-06-30", "2026-07-01", "2026-09-30", null)).Value;
        var status = GoalEvaluator.Evaluate(builder.Build("Asia/Shanghai"), goal, new DateOnly(2026, 8, 31));
        Assert.Equal(62m, status.Current);
        Assert.Equal(92m, status.Forecast);
        Assert.Equal("at_risk", status.Verdict); // 92 ≥ 90% of 100
    }

    [Fact]
    public void Series_DistinctCount_ActualCountsBuyersToDate_ForecastEndsOnTheForecast()
    {
        var builder = new EventIndexBuilder.Builder();
        var n = 0;
        for (var d = new DateOnly(2026, 4, 1); d <= new DateOnly(2026, 8, 31); d = d.AddDays(1))
            builder.AddOrder($"u{n++}", new DateTimeOffset(d.Year, d.Month, d.Day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(), "jd", null, 100, 0, 1, null);
        var index = builder.Build("Asia/Shanghai");
        var goal = Goal.Create("g", new GoalInput("buyers", "buyers", "100", "2026-04-01..2026-06-30", "2026-07-01", "2026-09-30", null)).Value;
        var status = GoalEvaluator.Evaluate(index, goal, new DateOnly(2026, 8, 31));
        var series = GoalEvaluator.Series(index, status);
        Assert.Equal(Enumerable.Range(1, 62).Select(i => (decimal?)i), series.Actual.Select(p => p.Value));
        Assert.Equal(Enumerable.Range(62, 31).Select(i => (decimal?)i), series.Forecast.Select(p => p.Value)); // one more a day
    }
}
