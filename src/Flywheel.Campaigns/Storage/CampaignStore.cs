using Flywheel.Storage;
using System.Data.Common;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Storage;

/// <summary>
/// The durable side of campaigns (migration 9): journeys and their entries, broadcasts, the send queue with each
/// message's delivery record, click and unsubscribe tokens, frequency-cap slots and suppressions.
/// <para>
/// Exactly once, durably: a message is stored once per idempotency key (a repeat enqueue is skipped); workers claim
/// messages and due entries with a lease (PostgreSQL <c>FOR UPDATE SKIP LOCKED</c>; SQLite under the store's write lock
/// with BEGIN IMMEDIATE), so two workers never hold the same row, and a crashed worker's rows come back when the lease
/// runs out. A completion (delivered, failed, deferred, suppressed) succeeds only while the message is still 'sending'
/// under the caller's lease: once another worker has reclaimed it, the late answer is refused. Owners must therefore be
/// unique per worker process (e.g. host + a GUID), never reused after a restart.
/// </para>
/// <para>
/// Frequency caps are enforced by the database: a customer's k-th marketing message in a window takes slot k of
/// (customer, window) under a primary key, so concurrent workers cannot exceed a cap. Bad input comes back as an
/// <c>invalid</c> <see cref="Error"/> naming the field, with nothing written. Times are Unix milliseconds (UTC). Thread-safe.
/// </para>
/// </summary>
internal sealed partial class CampaignStore
{
    /// <summary>The most messages or entries one claim returns.</summary>
    public const int MaxClaim = 10_000;

    /// <summary>The largest page a list returns.</summary>
    public const int MaxPage = 1_000;

    private readonly FlywheelStore _store;
    private readonly TimeProvider _time;

    public CampaignStore(FlywheelStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
    }

    private bool IsPostgres => _store.Dialect.Engine == SqlEngine.Postgres;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---------------------------------------------------------------------------------------------------------------
    // Journeys

    /// <summary>
    /// Inserts the journey (version 1) or updates it (version + 1, created_at kept). With <paramref name="expectedVersion"/>,
    /// the update happens only if the stored version is that one (a conflict error otherwise), so two editors cannot
    /// silently overwrite each other.
    /// </summary>
    public async Task<Result<StoredJourney>> SaveJourneyAsync(JourneyDraft journey, int? expectedVersion, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(journey);
        if (CampaignCheck.Id(journey.JourneyId, "journey_id") is { } e1) return e1;
        if (CampaignCheck.Id(journey.Name, "name", CampaignCheck.MaxNameLength) is { } e2) return e2;
        if (CampaignCheck.Json(journey.DefinitionJson, "definition", required: true) is { } e3) return e3;
        if (CampaignCheck.OneOf(journey.Status, "status", CampaignValues.JourneyStatuses) is { } e4) return e4;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var now = NowMs;
            var sql = "INSERT INTO journeys (journey_id, name, definition, status, version, created_at, updated_at) " +
                      "VALUES (@id, @name, @def, @status, 1, @now, @now) ON CONFLICT (journey_id) DO UPDATE SET name = excluded.name, " +
                      "definition = excluded.definition, status = excluded.status, version = journeys.version + 1, updated_at = excluded.updated_at" +
                      (expectedVersion is null ? "" : " WHERE journeys.version = @expected") + " RETURNING version";
            var parameters = new List<(string, object?)> { ("@id", journey.JourneyId), ("@name", journey.Name), ("@def", journey.DefinitionJson),
                ("@status", journey.Status), ("@now", now) };
            if (expectedVersion is { } v) parameters.Add(("@expected", v));
            var version = await write.ScalarAsync(sql, ct, [.. parameters]);
            if (version is null)
                return (Result<StoredJourney>)Error.Conflict("version",
                    $"journey '{journey.JourneyId}' is no longer at version {expectedVersion}; reload it and save again");
            if (expectedVersion is { } expected && expected != 0 && Convert.ToInt32(version) == 1)
                return Error.Conflict("version", $"journey '{journey.JourneyId}' does not exist (expected version {expected})");
            var saved = await GetJourneyAsync(write.Connection, write.Transaction, journey.JourneyId!, ct);
            await write.CommitAsync(ct);
            return saved!;
        }, ct);
    }

    public async Task<StoredJourney?> GetJourneyAsync(string journeyId, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        return await GetJourneyAsync(connection, null, journeyId, ct);
    }

    /// <summary>Every journey, by id; only those in <paramref name="status"/> when given.</summary>
    public async Task<Result<IReadOnlyList<StoredJourney>>> ListJourneysAsync(string? status, CancellationToken ct)
    {
        if (status is not null && CampaignCheck.OneOf(status, "status", CampaignValues.JourneyStatuses) is { } bad) return bad;
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, SelectJourney + (status is null ? "" : " WHERE status = @status") + " ORDER BY journey_id");
        if (status is not null) command.AddParameter("@status", status);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StoredJourney>();
        while (await reader.ReadAsync(ct)) list.Add(ReadJourney(reader));
        return list;
    }

    /// <summary>Sets the journey's status (version + 1); not_found when there is no such journey.</summary>
    public async Task<Result<StoredJourney>> SetJourneyStatusAsync(string journeyId, string status, CancellationToken ct)
    {
        if (CampaignCheck.Id(journeyId, "journey_id") is { } e1) return e1;
        if (CampaignCheck.OneOf(status, "status", CampaignValues.JourneyStatuses) is { } e2) return e2;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var changed = await write.ExecuteAsync("UPDATE journeys SET status = @s, version = version + 1, updated_at = @now WHERE journey_id = @id", ct,
                ("@s", status), ("@now", NowMs), ("@id", journeyId));
            if (changed == 0) return (Result<StoredJourney>)Error.NotFound("journey_id", $"there is no journey '{journeyId}'");
            var saved = await GetJourneyAsync(write.Connection, write.Transaction, journeyId, ct);
            await write.CommitAsync(ct);
            return saved!;
        }, ct);
    }

    /// <summary>
    /// Deletes the journey and its entries; its messages stay (they are the delivery record), queued ones are cancelled.
    /// False when there was no such journey.
    /// </summary>
    public async Task<bool> DeleteJourneyAsync(string journeyId, CancellationToken ct) =>
        await StoreWrite.RunAsync(_store, async write =>
        {
            var deleted = await write.ExecuteAsync("DELETE FROM journeys WHERE journey_id = @id", ct, ("@id", journeyId)) > 0;
            await write.ExecuteAsync("DELETE FROM journey_entries WHERE journey_id = @id", ct, ("@id", journeyId));
            const string which = "source_kind = 'journey' AND source_id = @id AND status IN ('queued', 'failed')";
            await write.ExecuteAsync("DELETE FROM frequency_slots WHERE message_id IN (SELECT message_id FROM messages WHERE " + which + ")", ct, ("@id", journeyId));
            await write.ExecuteAsync("UPDATE messages SET status = 'cancelled', last_error = 'journey deleted', updated_at = @now WHERE " + which, ct,
                ("@id", journeyId), ("@now", NowMs));
            await write.CommitAsync(ct);
            return deleted;
        }, ct);

    private const string SelectJourney = "SELECT journey_id, name, definition, status, version, created_at, updated_at FROM journeys";

    private static async Task<StoredJourney?> GetJourneyAsync(DbConnection connection, DbTransaction? transaction, string journeyId, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, SelectJourney + " WHERE journey_id = @id");
        command.AddParameter("@id", journeyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadJourney(reader) : null;
    }

    private static StoredJourney ReadJourney(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Int(r, 4), Time(r, 5), Time(r, 6));

    // ---------------------------------------------------------------------------------------------------------------
    // Journey entries

    /// <summary>
    /// Starts the customer's <paramref name="occurrence"/>-th pass through the journey at <paramref name="stepId"/>, due at
    /// <paramref name="dueAt"/> (null: waiting for an event). False when that occurrence exists already (nothing changes).
    /// With <paramref name="holdout"/> the pass is stored already finished (completed, exit_reason holdout): an experiment's
    /// holdout customer, counted by the results like a split step's holdout.
    /// </summary>
    public async Task<Result<bool>> TryEnterAsync(string journeyId, string customerId, int occurrence, string stepId, DateTimeOffset? dueAt,
        string? variant, string? contextJson, CancellationToken ct, bool holdout = false)
    {
        if (CampaignCheck.Id(journeyId, "journey_id") is { } e1) return e1;
        if (CampaignCheck.Id(customerId, "customer_id") is { } e2) return e2;
        if (occurrence < 1) return Error.Invalid("occurrence", $"occurrence is {occurrence}; the first pass is 1");
        if (CampaignCheck.Id(stepId, "step_id") is { } e3) return e3;
        if (CampaignCheck.Time(dueAt, "due_at") is { } e4) return e4;
        if (CampaignCheck.OptionalId(variant, "variant") is { } e5) return e5;
        if (CampaignCheck.Json(contextJson, "context", required: false) is { } e6) return e6;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var now = NowMs;
            var inserted = await write.ExecuteAsync(
                "INSERT INTO journey_entries (journey_id, customer_id, occurrence, status, step_id, due_at, variant, entered_at, updated_at, context, exit_reason) " +
                "VALUES (@j, @c, @o, @status, @s, @due, @v, @now, @now, @ctx, @reason) ON CONFLICT (journey_id, customer_id, occurrence) DO NOTHING", ct,
                ("@status", holdout ? "completed" : "active"), ("@reason", holdout ? "holdout" : null),
                ("@j", journeyId), ("@c", customerId), ("@o", occurrence), ("@s", stepId), ("@due", holdout ? null : dueAt?.ToUnixTimeMilliseconds()),
                ("@v", variant), ("@now", now), ("@ctx", contextJson));
            await write.CommitAsync(ct);
            return (Result<bool>)(inserted == 1);
        }, ct);
    }

    /// <summary>The customer's latest pass through the journey (highest occurrence), or null: for re-entry rules.</summary>
    public async Task<JourneyEntry?> LastEntryAsync(string journeyId, string customerId, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, SelectEntry + " WHERE journey_id = @j AND customer_id = @c ORDER BY occurrence DESC LIMIT 1");
        command.AddParameter("@j", journeyId);
        command.AddParameter("@c", customerId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadEntry(reader) : null;
    }

    public async Task<JourneyEntry?> GetEntryAsync(EntryKey key, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, SelectEntry + " WHERE journey_id = @j AND customer_id = @c AND occurrence = @o");
        command.AddParameter("@j", key.JourneyId);
        command.AddParameter("@c", key.CustomerId);
        command.AddParameter("@o", key.Occurrence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadEntry(reader) : null;
    }

    /// <summary>
    /// Leases up to <paramref name="max"/> active entries of active journeys that are due (due_at &lt;= now) and not
    /// leased (or whose lease ran out) to <paramref name="owner"/> until now + <paramref name="leaseDuration"/>, earliest due first.
    /// </summary>
    public async Task<Result<IReadOnlyList<JourneyEntry>>> ClaimDueEntriesAsync(string owner, DateTimeOffset now, int max, TimeSpan leaseDuration,
        CancellationToken ct)
    {
        if (CampaignCheck.Owner(owner) is { } e1) return e1;
        if (CampaignCheck.Max(max, MaxClaim) is { } e2) return e2;
        if (CampaignCheck.Lease(leaseDuration) is { } e3) return e3;
        var nowMs = now.ToUnixTimeMilliseconds();
        var sql =
            "WITH picked AS MATERIALIZED (SELECT e.journey_id, e.customer_id, e.occurrence FROM journey_entries e WHERE e.status = 'active' " +
            "AND e.due_at <= @now AND (e.lease_until IS NULL OR e.lease_until <= @now) " +
            "AND e.journey_id IN (SELECT journey_id FROM journeys WHERE status = 'active') ORDER BY e.due_at LIMIT @max" +
            (IsPostgres ? " FOR UPDATE OF e SKIP LOCKED" : "") + ") " +
            "UPDATE journey_entries SET lease_owner = @owner, lease_until = @until WHERE (journey_id, customer_id, occurrence) IN " +
            "(SELECT journey_id, customer_id, occurrence FROM picked) RETURNING " + EntryColumns;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var list = new List<JourneyEntry>();
            await using (var command = write.Command(sql, ("@owner", owner), ("@until", nowMs + (long)leaseDuration.TotalMilliseconds), ("@now", nowMs), ("@max", max)))
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) list.Add(ReadEntry(reader));
            await write.CommitAsync(ct);
            list.Sort((a, b) => Nullable.Compare(a.DueAt, b.DueAt));
            return (Result<IReadOnlyList<JourneyEntry>>)list;
        }, ct);
    }

    /// <summary>
    /// Moves a leased entry on, compare-and-set: only while it is active, at <paramref name="expectedStepId"/> and leased to
    /// <paramref name="owner"/>. Releases the lease (the entry is claimed again when it is next due). False when any of
    /// that no longer holds: another worker took it over, or it exited meanwhile (e.g. the customer paid).
    /// </summary>
    public async Task<Result<bool>> AdvanceEntryAsync(EntryKey key, string owner, string expectedStepId, EntryAdvance advance, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(advance);
        if (CampaignCheck.Owner(owner) is { } e1) return e1;
        if (CampaignCheck.Id(expectedStepId, "expected_step_id") is { } e2) return e2;
        if (CampaignCheck.Id(advance.NewStepId, "step_id") is { } e3) return e3;
        if (CampaignCheck.Time(advance.NewDueAt, "due_at") is { } e4) return e4;
        if (CampaignCheck.OneOf(advance.Status, "status", CampaignValues.EntryStatuses) is { } e5) return e5;
        if (CampaignCheck.Text(advance.ExitReason, "exit_reason", CampaignCheck.MaxTextLength) is { } e6) return e6;
        if (CampaignCheck.Json(advance.ContextJson, "context", required: false) is { } e7) return e7;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var changed = await write.ExecuteAsync(
                "UPDATE journey_entries SET step_id = @step, due_at = @due, status = @status, exit_reason = @reason, " +
                (advance.ContextJson is null ? "" : "context = @ctx, ") + "lease_owner = NULL, lease_until = NULL, updated_at = @now " +
                "WHERE journey_id = @j AND customer_id = @c AND occurrence = @o AND status = 'active' AND step_id = @expected AND lease_owner = @owner", ct,
                ("@step", advance.NewStepId), ("@due", advance.Status == "active" ? advance.NewDueAt?.ToUnixTimeMilliseconds() : null),
                ("@status", advance.Status), ("@reason", advance.ExitReason), ("@ctx", advance.ContextJson), ("@now", NowMs),
                ("@j", key.JourneyId), ("@c", key.CustomerId), ("@o", key.Occurrence), ("@expected", expectedStepId), ("@owner", owner));
            await write.CommitAsync(ct);
            return (Result<bool>)(changed == 1);
        }, ct);
    }

    /// <summary>
    /// Exits the customer's active entries (of one journey, or of every journey when <paramref name="journeyId"/> is null),
    /// e.g. because they paid; a worker holding one of them then fails its advance. Returns how many exited.
    /// </summary>
    public async Task<Result<int>> ExitActiveEntriesAsync(string? journeyId, string customerId, string reason, CancellationToken ct)
    {
        if (CampaignCheck.OptionalId(journeyId, "journey_id") is { } e1) return e1;
        if (CampaignCheck.Id(customerId, "customer_id") is { } e2) return e2;
        if (CampaignCheck.Id(reason, "reason", CampaignCheck.MaxTextLength) is { } e3) return e3;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var changed = await write.ExecuteAsync(
                "UPDATE journey_entries SET status = 'exited', exit_reason = @reason, due_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = @now " +
                "WHERE customer_id = @c AND status = 'active'" + (journeyId is null ? "" : " AND journey_id = @j"), ct,
                ("@reason", reason), ("@now", NowMs), ("@c", customerId), ("@j", journeyId));
            await write.CommitAsync(ct);
            return (Result<int>)changed;
        }, ct);
    }

    private const string EntryColumns =
        "journey_id, customer_id, occurrence, status, step_id, due_at, variant, entered_at, updated_at, exit_reason, context, lease_owner, lease_until";

    private const string SelectEntry = "SELECT " + EntryColumns + " FROM journey_entries";

    private static JourneyEntry ReadEntry(DbDataReader r) => new(r.GetString(0), r.GetString(1), Int(r, 2), r.GetString(3), r.GetString(4),
        NullableTime(r, 5), NullableString(r, 6), Time(r, 7), Time(r, 8), NullableString(r, 9), NullableString(r, 10), NullableString(r, 11),
        NullableTime(r, 12));

    // ---------------------------------------------------------------------------------------------------------------
    // Shared helpers

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    private static long Long(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static DateTimeOffset? NullableTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
