using Flywheel.Analytics.Goals;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Goals;

public sealed class DemoGoalsTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AddDemoGoals_MonthAndQuarterGmv_AgainstThePeriodBefore_AndAgainReplaces(string engine)
    {
        using var store = await TestStores.OpenAsync(engine, new TestClock());
        var ct = CancellationToken.None;
        Assert.Equal(2, await AnalyticsModule.AddDemoGoalsAsync(store, new DateOnly(2026, 5, 5), new DateOnly(2026, 11, 20), ct));
        Assert.Equal(2, await AnalyticsModule.AddDemoGoalsAsync(store, new DateOnly(2026, 5, 5), new DateOnly(2026, 11, 20), ct));

        var goals = await GoalService.LoadAsync(store, ct);
        Assert.Equal(2, goals.Count);
        var month = goals.Single(g => g.Id == "g_demo_month");
        Assert.Equal(("gmv", (string?)null, new GoalTarget(true, 0.10m)), (month.Metric, month.Channel, month.Target));
        Assert.Equal((new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31)), (month.BaselineFrom, month.BaselineTo));
        Assert.Equal((new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30)), (month.Start, month.Deadline));
        var quarter = goals.Single(g => g.Id == "g_demo_quarter");
        Assert.Equal(new GoalTarget(true, 0.15m), quarter.Target);
        Assert.Equal((new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)), (quarter.BaselineFrom, quarter.BaselineTo));
        Assert.Equal((new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 31)), (quarter.Start, quarter.Deadline));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AddDemoGoals_ShortDemo_LeavesOutAGoalWhoseBaselineItNeverMade(string engine)
    {
        using var store = await TestStores.OpenAsync(engine, new TestClock());
        var ct = CancellationToken.None;
        // 2026-01-20 back to 2025-12-01: December is there, the quarter before (Q4 2025 from October) is not.
        Assert.Equal(1, await AnalyticsModule.AddDemoGoalsAsync(store, new DateOnly(2025, 12, 1), new DateOnly(2026, 1, 20), ct));
        var goal = Assert.Single(await GoalService.LoadAsync(store, ct));
        Assert.Equal(("g_demo_month", new DateOnly(2025, 12, 1), new DateOnly(2026, 1, 31)), (goal.Id, goal.BaselineFrom, goal.Deadline));
    }
}
