using Flywheel.Storage;
using System.Data.Common;

namespace Flywheel.Customers.Storage;

/// <summary>A customer's move from one lifecycle stage to another (from is null the first time a stage is recorded).</summary>
internal sealed record StageTransition(long Id, string CustomerId, string? From, string To, DateTimeOffset At, DateOnly AsOf);

/// <summary>
/// The lifecycle tables (migration 6): each customer's current stage, and every transition, which journeys read as
/// events. A refresh records its changes in one transaction, so a crash mid-refresh leaves the previous state whole.
/// </summary>
internal static class LifecycleStore
{
    public static async Task<Dictionary<string, string>> CurrentAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT customer_id, stage FROM customer_stages";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var stages = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) stages[reader.GetString(0)] = reader.GetString(1);
        return stages;
    }

    /// <summary>Applies changes (customer, previous stage or null, new stage) as of a day, all or nothing; returns their transitions.</summary>
    public static async Task<IReadOnlyList<StageTransition>> RecordAsync(FlywheelStore store, IReadOnlyList<(string Customer, string? From, string To)> changes,
        DateOnly asOf, CancellationToken ct)
    {
        if (changes.Count == 0) return [];
        var at = store.Time.GetUtcNow();
        var asOfText = asOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var upsert = Command(connection, transaction,
            "INSERT INTO customer_stages (customer_id, stage, since) VALUES (@c, @s, @t) ON CONFLICT (customer_id) DO UPDATE SET stage = excluded.stage, since = excluded.since");
        await using var insert = Command(connection, transaction,
            "INSERT INTO lifecycle_transitions (customer_id, from_stage, to_stage, at, as_of) VALUES (@c, @f, @s, @t, @a) RETURNING id");
        var transitions = new List<StageTransition>(changes.Count);
        foreach (var (customer, from, to) in changes)
        {
            Bind(upsert, ("@c", customer), ("@s", to), ("@t", at.ToUnixTimeMilliseconds()));
            await upsert.ExecuteNonQueryAsync(ct);
            Bind(insert, ("@c", customer), ("@f", from), ("@s", to), ("@t", at.ToUnixTimeMilliseconds()), ("@a", asOfText));
            var id = Convert.ToInt64(await insert.ExecuteScalarAsync(ct));
            transitions.Add(new StageTransition(id, customer, from, to, at, asOf));
        }
        await transaction.CommitAsync(ct);
        return transitions;
    }

    /// <summary>Transitions after a given id (a cursor), oldest first.</summary>
    public static async Task<IReadOnlyList<StageTransition>> TransitionsAsync(FlywheelStore store, long afterId, int limit, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, customer_id, from_stage, to_stage, at, as_of FROM lifecycle_transitions WHERE id > @after ORDER BY id LIMIT @limit";
        command.AddParameter("@after", afterId);
        command.AddParameter("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StageTransition>();
        while (await reader.ReadAsync(ct))
            list.Add(new StageTransition(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                DateOnly.ParseExact(reader.GetString(5), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        return list;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Bind(DbCommand command, params (string Name, object? Value)[] values)
    {
        if (command.Parameters.Count == 0)
        {
            foreach (var (name, value) in values) command.AddParameter(name, value);
            return;
        }
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i].Value ?? DBNull.Value;
    }
}
