using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Analytics.Storage;

namespace Flywheel.Analytics.Goals;

/// <summary>Goals over the store: create (with a fresh id), load, and evaluate all as of today in the store's time zone.</summary>
internal static class GoalService
{
    /// <summary>Validates the input, gives it a new id ("g_" + 12 hex) and saves it.</summary>
    public static async Task<Result<Goal>> CreateAsync(FlywheelStore store, GoalInput input, CancellationToken ct)
    {
        var id = "g_" + Guid.NewGuid().ToString("N")[..12];
        var created = Goal.Create(id, input);
        if (!created.TryGetValue(out var goal, out var error)) return error;
        await GoalStore.SaveAsync(store, goal.Id, GoalJson.WriteDefinition(goal), ct);
        return goal;
    }

    /// <summary>Every stored goal, oldest first. A definition that no longer parses is skipped.</summary>
    public static async Task<IReadOnlyList<Goal>> LoadAsync(FlywheelStore store, CancellationToken ct)
    {
        var goals = new List<Goal>();
        foreach (var stored in await GoalStore.ListAsync(store, ct))
            if (GoalJson.ReadDefinition(stored.Definition).TryGetValue(out var goal, out _)) goals.Add(goal);
        return goals;
    }

    /// <summary>Today's local date in the index's (the store's) time zone.</summary>
    public static DateOnly Today(EventIndex index, TimeProvider time)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(index.TimeZone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
    }

    public static IReadOnlyList<GoalStatus> EvaluateAll(EventIndex index, IEnumerable<Goal> goals, DateOnly today) =>
        [.. goals.Select(g => GoalEvaluator.Evaluate(index, g, today))];
}
