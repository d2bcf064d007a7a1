using System.Data.Common;
using System.Runtime.CompilerServices;
using Flywheel.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Flywheel.Customers.Segments;

/// <summary>A saved segment: its slug, title, rule, and the size of its membership when last refreshed.</summary>
internal sealed record StoredSegment(string Name, string? Title, string Rule, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long MemberCount,
    DateTimeOffset? RefreshedAt);

/// <summary>A customer entering or leaving a segment. <see cref="Id"/> increases in the order changes were recorded.</summary>
internal sealed record MembershipChange(long Id, string Segment, string CustomerId, bool Entered, DateTimeOffset At);

/// <summary>The customers who entered and left one segment in one update.</summary>
internal sealed record SegmentDelta(string Segment, IReadOnlyCollection<string> Entered, IReadOnlyCollection<string> Exited)
{
    public bool IsEmpty => Entered.Count == 0 && Exited.Count == 0;
}

/// <summary>
/// The segments tables (migration 5): <c>segments</c>, <c>segment_members</c> (one row per member, with when they
/// entered) and <c>segment_membership_changes</c> (entered/exited, in order). Plain SQL for SQLite and PostgreSQL; each
/// write is one transaction, so a failed write leaves the segment as it was. Membership is written in bulk (PostgreSQL:
/// arrays through unnest, a statement per ten thousand members; SQLite: one prepared statement).
/// </summary>
internal static class SegmentStore
{
    private const string Columns = "name, title, rule, created_at, updated_at, member_count, refreshed_at";

    public static async Task<StoredSegment?> GetAsync(FlywheelStore store, string name, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM segments WHERE name = @name";
        command.AddParameter("@name", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Every segment, by name.</summary>
    public static async Task<IReadOnlyList<StoredSegment>> ListAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM segments ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var segments = new List<StoredSegment>();
        while (await reader.ReadAsync(ct)) segments.Add(Read(reader));
        return segments;
    }

    /// <summary>
    /// Saves a new segment with its members; false (and nothing written) when the name is taken. A new segment's first
    /// members are not recorded as changes: nobody "entered" a segment that did not exist.
    /// </summary>
    public static async Task<bool> CreateAsync(FlywheelStore store, string name, string? title, string rule, IReadOnlyCollection<string> members, CancellationToken ct)
    {
        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = Command(connection, transaction,
                         $"INSERT INTO segments ({Columns}) VALUES (@name, @title, @rule, @now, @now, @count, @now) ON CONFLICT (name) DO NOTHING"))
        {
            command.AddParameter("@name", name);
            command.AddParameter("@title", title);
            command.AddParameter("@rule", rule);
            command.AddParameter("@now", now);
            command.AddParameter("@count", (long)members.Count);
            if (await command.ExecuteNonQueryAsync(ct) == 0) return false;
        }
        await InsertMembersAsync(store, connection, transaction, name, members, now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Replaces a segment's title, rule and membership; the difference to the old membership is recorded as changes.
    /// False (nothing written) when there is no such segment.
    /// </summary>
    public static async Task<SegmentDelta?> ReplaceAsync(FlywheelStore store, string name, string? title, string rule, IReadOnlyCollection<string> members,
        CancellationToken ct)
    {
        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = Command(connection, transaction,
                         "UPDATE segments SET title = @title, rule = @rule, updated_at = @now, member_count = @count, refreshed_at = @now WHERE name = @name"))
        {
            command.AddParameter("@name", name);
            command.AddParameter("@title", title);
            command.AddParameter("@rule", rule);
            command.AddParameter("@now", now);
            command.AddParameter("@count", (long)members.Count);
            if (await command.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        var old = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (id, _) in ReadMembers(connection, transaction, name, ct)) old.Add(id);
        var wanted = members as IReadOnlySet<string> ?? members.ToHashSet(StringComparer.Ordinal);
        var delta = new SegmentDelta(name, [.. wanted.Where(id => !old.Contains(id))], [.. old.Where(id => !wanted.Contains(id))]);
        await ApplyAsync(store, connection, transaction, delta, now, ct);
        await transaction.CommitAsync(ct);
        return delta;
    }

    /// <summary>
    /// Applies membership deltas of several segments in one transaction: removes who exited, adds who entered, records
    /// both as changes at the store clock's now, and updates each segment's member count and refresh time. Deltas of
    /// segments deleted meanwhile are skipped.
    /// </summary>
    public static async Task ApplyAsync(FlywheelStore store, IReadOnlyList<SegmentDelta> deltas, CancellationToken ct)
    {
        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var delta in deltas)
        {
            await using var exists = Command(connection, transaction, "SELECT COUNT(*) FROM segments WHERE name = @name");
            exists.AddParameter("@name", delta.Segment);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(ct)) == 0) continue;
            await ApplyAsync(store, connection, transaction, delta, now, ct);
            await using var count = Command(connection, transaction,
                "UPDATE segments SET refreshed_at = @now, member_count = (SELECT COUNT(*) FROM segment_members WHERE segment_name = @name) WHERE name = @name");
            count.AddParameter("@name", delta.Segment);
            count.AddParameter("@now", now);
            await count.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Deletes a segment with its members and recorded changes; false when there was none.</summary>
    public static async Task<bool> DeleteAsync(FlywheelStore store, string name, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        int deleted;
        await using (var command = Command(connection, transaction, "DELETE FROM segments WHERE name = @name"))
        {
            command.AddParameter("@name", name);
            deleted = await command.ExecuteNonQueryAsync(ct);
        }
        foreach (var table in new[] { "segment_members", "segment_membership_changes" })
        {
            await using var command = Command(connection, transaction, $"DELETE FROM {table} WHERE segment_name = @name");
            command.AddParameter("@name", name);
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return deleted > 0;
    }

    /// <summary>Up to <paramref name="limit"/> members in customer id order, after <paramref name="after"/> (a page's last id) when given.</summary>
    /// <summary>The saved segments a customer is in now, by name.</summary>
    public static async Task<IReadOnlyList<string>> SegmentsOfAsync(FlywheelStore store, string customerId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT segment_name FROM segment_members WHERE customer_id = @c ORDER BY segment_name";
        command.AddParameter("@c", customerId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }

    public static async Task<IReadOnlyList<string>> MembersAsync(FlywheelStore store, string name, int limit, string? after, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT customer_id FROM segment_members WHERE segment_name = @name{(after is null ? "" : $" AND customer_id{Ordinal(store)} > @after")} " +
                              $"ORDER BY customer_id{Ordinal(store)} LIMIT @limit";
        command.AddParameter("@name", name);
        if (after is not null) command.AddParameter("@after", after);
        command.AddParameter("@limit", (long)limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var members = new List<string>();
        while (await reader.ReadAsync(ct)) members.Add(reader.GetString(0));
        return members;
    }

    /// <summary>Every member with when they entered, in customer id order (for export and for loading a membership into memory).</summary>
    public static async IAsyncEnumerable<(string CustomerId, DateTimeOffset EnteredAt)> AllMembersAsync(FlywheelStore store, string name,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await foreach (var (id, at) in ReadMembers(connection, null, name, ct, Ordinal(store)))
            yield return (id, DateTimeOffset.FromUnixTimeMilliseconds(at));
    }

    /// <summary>Recorded membership changes after <paramref name="afterId"/>, oldest first; all segments when <paramref name="segment"/> is null.</summary>
    public static async Task<IReadOnlyList<MembershipChange>> ChangesAsync(FlywheelStore store, string? segment, long afterId, int limit, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, segment_name, customer_id, change, at FROM segment_membership_changes WHERE id > @after" +
                              (segment is null ? "" : " AND segment_name = @name") + " ORDER BY id LIMIT @limit";
        command.AddParameter("@after", afterId);
        if (segment is not null) command.AddParameter("@name", segment);
        command.AddParameter("@limit", (long)limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var changes = new List<MembershipChange>();
        while (await reader.ReadAsync(ct))
            changes.Add(new MembershipChange(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3) == "entered",
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        return changes;
    }

    private static string Ordinal(FlywheelStore store) => store.Dialect.Engine == SqlEngine.Postgres ? " COLLATE \"C\"" : "";

    private static async IAsyncEnumerable<(string Id, long At)> ReadMembers(DbConnection connection, DbTransaction? transaction, string name,
        [EnumeratorCancellation] CancellationToken ct, string? orderBy = null)
    {
        await using var command = Command(connection, transaction,
            "SELECT customer_id, entered_at FROM segment_members WHERE segment_name = @name" + (orderBy is null ? "" : $" ORDER BY customer_id{orderBy}"));
        command.AddParameter("@name", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return (reader.GetString(0), reader.GetInt64(1));
    }

    private static async Task ApplyAsync(FlywheelStore store, DbConnection connection, DbTransaction transaction, SegmentDelta delta, long now,
        CancellationToken ct)
    {
        if (delta.IsEmpty) return;
        await DeleteMembersAsync(store, connection, transaction, delta.Segment, delta.Exited, ct);
        await InsertMembersAsync(store, connection, transaction, delta.Segment, delta.Entered, now, ct);
        await InsertChangesAsync(store, connection, transaction, delta.Segment, delta.Entered, "entered", now, ct);
        await InsertChangesAsync(store, connection, transaction, delta.Segment, delta.Exited, "exited", now, ct);
    }

    private static Task InsertMembersAsync(FlywheelStore store, DbConnection connection, DbTransaction transaction, string name, IReadOnlyCollection<string> ids,
        long now, CancellationToken ct) =>
        BulkAsync(store, connection, transaction, ids,
            postgres: "INSERT INTO segment_members (segment_name, customer_id, entered_at) SELECT @name, id, @now FROM unnest(@ids) AS id ON CONFLICT DO NOTHING",
            sqlite: "INSERT INTO segment_members (segment_name, customer_id, entered_at) VALUES (@name, @id, @now) ON CONFLICT DO NOTHING",
            name, now, sorted: false, ct);

    private static Task DeleteMembersAsync(FlywheelStore store, DbConnection connection, DbTransaction transaction, string name, IReadOnlyCollection<string> ids,
        CancellationToken ct) =>
        BulkAsync(store, connection, transaction, ids,
            postgres: "DELETE FROM segment_members WHERE segment_name = @name AND customer_id = ANY(@ids)",
            sqlite: "DELETE FROM segment_members WHERE segment_name = @name AND customer_id = @id",
            name, null, sorted: false, ct);

    private static Task InsertChangesAsync(FlywheelStore store, DbConnection connection, DbTransaction transaction, string name, IReadOnlyCollection<string> ids,
        string change, long now, CancellationToken ct) =>
        BulkAsync(store, connection, transaction, ids,
            // Ordered, so change ids follow customer ids within one update.
            postgres: $"INSERT INTO segment_membership_changes (segment_name, customer_id, change, at) SELECT @name, id, '{change}', @now FROM unnest(@ids) WITH ORDINALITY AS u(id, n) ORDER BY n",
            sqlite: $"INSERT INTO segment_membership_changes (segment_name, customer_id, change, at) VALUES (@name, @id, '{change}', @now)",
            name, now, sorted: true, ct);

    private static async Task BulkAsync(FlywheelStore store, DbConnection connection, DbTransaction transaction, IReadOnlyCollection<string> ids,
        string postgres, string sqlite, string name, long? now, bool sorted, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        IEnumerable<string> ordered = sorted ? ids.Order(StringComparer.Ordinal) : ids;
        if (store.Dialect.Engine == SqlEngine.Postgres)
        {
            foreach (var chunk in ordered.Chunk(10_000))
            {
                await using var command = Command(connection, transaction, postgres);
                command.AddParameter("@name", name);
                if (now is { } at) command.AddParameter("@now", at);
                command.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunk });
                await command.ExecuteNonQueryAsync(ct);
            }
            return;
        }
        await using var one = Command(connection, transaction, sqlite);
        one.AddParameter("@name", name);
        if (now is { } time) one.AddParameter("@now", time);
        var id = one.AddParameter("@id", System.Data.DbType.String);
        one.Prepare();
        foreach (var customer in ordered)
        {
            id.Value = customer;
            await one.ExecuteNonQueryAsync(ct);
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static StoredSegment Read(DbDataReader r) => new(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetInt64(5),
        r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)));
}
