using Flywheel.Customers.Contracts;
using Flywheel.Storage;
using System.Data.Common;

namespace Flywheel.Customers.Storage;

/// <summary>A customer's move from one lifecycle stage to another (from is null the first time a stage is recorded).</summary>
internal sealed record StageTransition(long Id, string CustomerId, string? From, string To, DateTimeOffset At, DateOnly AsOf);

/// <summary>
/// The lifecycle tables (migration 6): each customer's current stage, and every transition, which journeys read as
/// events. A refresh records its changes in one transaction, so a crash mid-refresh leaves the previous state whole.
/// <para>
/// <see cref="RecordAsync"/> is the only writer of both tables and writes them in the same transaction, one recorder at a
/// time (SQLite's write lock; an EXCLUSIVE lock on <c>lifecycle_transitions</c> on PostgreSQL, which plain reads do not
/// wait for). So transition ids are committed in increasing order, and the largest committed id
/// (<see cref="VersionAsync"/>) grows with every recorded change and with nothing else: a version of the stored stages
/// that any process's recording moves. Without the lock, PostgreSQL could commit a recorder holding smaller ids after
/// one holding larger ids, and the largest id would not move.
/// </para>
/// </summary>
internal static class LifecycleStore
{
    /// <summary>The stored stages with the version they were read at.</summary>
    public sealed record Stored(long Version, Dictionary<string, string> Stages);

    /// <summary>What a recording wrote, and the version just before it (the largest committed id when its lock was taken).</summary>
    public sealed record Recorded(IReadOnlyList<StageTransition> Transitions, long VersionBefore);

    /// <summary>The largest transition id committed, 0 without any: changes exactly when some process records a change.</summary>
    public static async Task<long> VersionAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = MaxId;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<Dictionary<string, string>> CurrentAsync(FlywheelStore store, CancellationToken ct) =>
        (await ReadAsync(store, ct)).Stages;

    /// <summary>
    /// Every customer's stored stage and the version they are at or after. The version is read first: a recording that
    /// commits between the two reads leaves stages newer than their version, which costs one more read next time but is
    /// never taken for current when it is not.
    /// </summary>
    public static async Task<Stored> ReadAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = MaxId;
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = "SELECT customer_id, stage FROM customer_stages";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var stages = new Dictionary<string, string>(StringComparer.Ordinal);
        // One string per stage, not one per row: the stages are kept for as long as the version holds.
        while (await reader.ReadAsync(ct)) stages[reader.GetString(0)] = Stage(reader.GetString(1));
        return new Stored(version, stages);
    }

    private const string MaxId = "SELECT COALESCE(MAX(id), 0) FROM lifecycle_transitions";

    private static string Stage(string stored)
    {
        foreach (var stage in LifecycleStages.All)
            if (stage == stored) return stage;
        return stored;
    }

    /// <summary>
    /// Applies changes (customer, previous stage or null, new stage) as of a day, all or nothing; returns their transitions
    /// and the version before them (nothing written and the version unknown, -1, when there are no changes).
    /// </summary>
    public static async Task<Recorded> RecordAsync(FlywheelStore store, IReadOnlyList<(string Customer, string? From, string To)> changes,
        DateOnly asOf, CancellationToken ct)
    {
        if (changes.Count == 0) return new Recorded([], -1);
        var at = store.Time.GetUtcNow();
        var asOfText = asOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await using var connection = await store.OpenConnectionAsync(ct);
        // Microsoft.Data.Sqlite begins this as BEGIN IMMEDIATE: the store's write lock is held from here to the commit.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        long before;
        await using (var version = Command(connection, transaction, MaxId))
        {
            if (store.Dialect.Engine == SqlEngine.Postgres)
            {
                version.CommandText = "LOCK TABLE lifecycle_transitions IN EXCLUSIVE MODE";
                await version.ExecuteNonQueryAsync(ct);
                version.CommandText = MaxId;
            }
            before = Convert.ToInt64(await version.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
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
        return new Recorded(transitions, before);
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
