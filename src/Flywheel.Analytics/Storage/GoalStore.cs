using Flywheel.Storage;
namespace Flywheel.Analytics.Storage;

/// <summary>A stored goal: its id, its definition (JSON, owned by Flywheel.Analytics.Goals.GoalJson) and when it was created.</summary>
internal sealed record StoredGoal(string Id, string Definition, DateTimeOffset CreatedAt);

/// <summary>The goals table (migration 2): save, list, delete. Plain SQL for SQLite and PostgreSQL.</summary>
internal static class GoalStore
{
    /// <summary>Inserts the goal, or replaces the definition of an existing id (keeping its created_at).</summary>
    public static async Task SaveAsync(FlywheelStore store, string id, string definition, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO goals (id, definition, created_at) VALUES (@id, @definition, @created_at) " +
            "ON CONFLICT (id) DO UPDATE SET definition = excluded.definition";
        command.AddParameter("@id", id);
        command.AddParameter("@definition", definition);
        command.AddParameter("@created_at", store.Time.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every goal, oldest first (then by id).</summary>
    public static async Task<IReadOnlyList<StoredGoal>> ListAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, definition, created_at FROM goals ORDER BY created_at, id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var goals = new List<StoredGoal>();
        while (await reader.ReadAsync(ct))
            goals.Add(new StoredGoal(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        return goals;
    }

    /// <summary>Deletes a goal; false when there was none with that id.</summary>
    public static async Task<bool> DeleteAsync(FlywheelStore store, string id, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM goals WHERE id = @id";
        command.AddParameter("@id", id);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }
}
