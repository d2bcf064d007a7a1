using Flywheel.Analytics.Storage;
using Flywheel.Storage;

namespace Flywheel.Analytics.Goals;

/// <summary>
/// The goals a demo store gets (<c>flywheel demo</c>), so the console's goals page and <c>report goals</c> have something to show:
/// GMV +10% on the month before for the month holding the demo's last day, and +15% on the quarter before for its quarter.
/// A goal whose baseline starts before the demo's first day is left out: its target would compare with days the demo never
/// made. Fixed ids, so building the demo again replaces them.
/// </summary>
internal static class DemoGoals
{
    public static async Task<int> WriteAsync(FlywheelStore store, DateOnly firstDay, DateOnly lastDay, CancellationToken ct)
    {
        var month = new DateOnly(lastDay.Year, lastDay.Month, 1);
        var quarter = new DateOnly(lastDay.Year, (lastDay.Month - 1) / 3 * 3 + 1, 1);
        var goals = new[]
        {
            new Goal("g_demo_month", $"{month:yyyy-MM} 成交额较上月 +10%", "gmv", null, month.AddMonths(-1), month.AddDays(-1),
                new GoalTarget(true, 0.10m), month, month.AddMonths(1).AddDays(-1)),
            new Goal("g_demo_quarter", $"{quarter.Year} Q{(quarter.Month - 1) / 3 + 1} 成交额较上季度 +15%", "gmv", null, quarter.AddMonths(-3),
                quarter.AddDays(-1), new GoalTarget(true, 0.15m), quarter, quarter.AddMonths(3).AddDays(-1)),
        };
        var written = 0;
        foreach (var goal in goals.Where(g => g.BaselineFrom >= firstDay))
        {
            await GoalStore.SaveAsync(store, goal.Id, GoalJson.WriteDefinition(goal), ct);
            written++;
        }
        return written;
    }
}
