using Flywheel.Storage;
using System.Data.Common;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Storage;

internal sealed partial class CampaignStore
{
    /// <summary>
    /// Creates the broadcast ('planned', no progress) or, while it is still 'planned', replaces its name, definition and
    /// segment; a conflict once planning has started.
    /// </summary>
    public async Task<Result<StoredBroadcast>> SaveBroadcastAsync(BroadcastDraft broadcast, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(broadcast);
        if (CampaignCheck.Id(broadcast.BroadcastId, "broadcast_id") is { } e1) return e1;
        if (CampaignCheck.Id(broadcast.Name, "name", CampaignCheck.MaxNameLength) is { } e2) return e2;
        if (CampaignCheck.Json(broadcast.DefinitionJson, "definition", required: true) is { } e3) return e3;
        if (CampaignCheck.OptionalId(broadcast.Segment, "segment") is { } e4) return e4;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var now = NowMs;
            var saved = await write.ScalarAsync(
                "INSERT INTO broadcasts (broadcast_id, name, definition, status, segment, created_at, updated_at) VALUES (@id, @name, @def, 'planned', @seg, @now, @now) " +
                "ON CONFLICT (broadcast_id) DO UPDATE SET name = excluded.name, definition = excluded.definition, segment = excluded.segment, " +
                "updated_at = excluded.updated_at WHERE broadcasts.status = 'planned' RETURNING broadcast_id", ct,
                ("@id", broadcast.BroadcastId), ("@name", broadcast.Name), ("@def", broadcast.DefinitionJson), ("@seg", broadcast.Segment), ("@now", now));
            if (saved is null)
                return (Result<StoredBroadcast>)Error.Conflict("status", $"broadcast '{broadcast.BroadcastId}' has started; only a planned broadcast can be changed");
            var stored = await GetBroadcastAsync(write.Connection, write.Transaction, broadcast.BroadcastId!, ct);
            await write.CommitAsync(ct);
            return stored!;
        }, ct);
    }

    public async Task<StoredBroadcast?> GetBroadcastAsync(string broadcastId, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        return await GetBroadcastAsync(connection, null, broadcastId, ct);
    }

    /// <summary>Every broadcast, newest first; only those in <paramref name="status"/> when given.</summary>
    public async Task<Result<IReadOnlyList<StoredBroadcast>>> ListBroadcastsAsync(string? status, CancellationToken ct)
    {
        if (status is not null && CampaignCheck.OneOf(status, "status", CampaignValues.BroadcastStatuses) is { } bad) return bad;
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, SelectBroadcast + (status is null ? "" : " WHERE status = @s") + " ORDER BY created_at DESC, broadcast_id");
        if (status is not null) command.AddParameter("@s", status);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StoredBroadcast>();
        while (await reader.ReadAsync(ct)) list.Add(ReadBroadcast(reader));
        return list;
    }

    /// <summary>
    /// Moves the broadcast to <paramref name="status"/>, compare-and-set: only from <paramref name="expectedStatus"/> when
    /// given (a conflict otherwise). Cancelling also cancels its messages not yet sending.
    /// </summary>
    public async Task<Result<StoredBroadcast>> SetBroadcastStatusAsync(string broadcastId, string status, string? expectedStatus, CancellationToken ct)
    {
        if (CampaignCheck.Id(broadcastId, "broadcast_id") is { } e1) return e1;
        if (CampaignCheck.OneOf(status, "status", CampaignValues.BroadcastStatuses) is { } e2) return e2;
        if (expectedStatus is not null && CampaignCheck.OneOf(expectedStatus, "expected_status", CampaignValues.BroadcastStatuses) is { } e3) return e3;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var now = NowMs;
            var changed = await write.ExecuteAsync("UPDATE broadcasts SET status = @s, updated_at = @now WHERE broadcast_id = @id" +
                (expectedStatus is null ? "" : " AND status = @expected"), ct, ("@s", status), ("@now", now), ("@id", broadcastId), ("@expected", expectedStatus));
            var current = await GetBroadcastAsync(write.Connection, write.Transaction, broadcastId, ct);
            if (current is null) return (Result<StoredBroadcast>)Error.NotFound("broadcast_id", $"there is no broadcast '{broadcastId}'");
            if (changed == 0) return Error.Conflict("status", $"broadcast '{broadcastId}' is {current.Status}, not {expectedStatus}");
            if (status == "cancelled")
            {
                await write.ExecuteAsync("DELETE FROM frequency_slots WHERE message_id IN (SELECT message_id FROM messages WHERE source_kind = 'broadcast' " +
                    "AND source_id = @id AND status IN ('queued', 'failed'))", ct, ("@id", broadcastId));
                await write.ExecuteAsync("UPDATE messages SET status = 'cancelled', last_error = 'broadcast cancelled', updated_at = @now " +
                    "WHERE source_kind = 'broadcast' AND source_id = @id AND status IN ('queued', 'failed')", ct, ("@now", now), ("@id", broadcastId));
            }
            await write.CommitAsync(ct);
            return current;
        }, ct);
    }

    /// <summary>
    /// Stores one planner batch of a 'planning' broadcast: its messages (duplicate keys skipped) and its progress (planned,
    /// enqueued and held_out counts, the plan cursor) in ONE transaction, so a planner that crashes between batches
    /// resumes from the cursor without losing or repeating a message. Compare-and-set on the cursor: a conflict (nothing
    /// stored) when the stored cursor is not <see cref="BroadcastBatch.ExpectedCursor"/>, i.e. another planner moved on.
    /// </summary>
    public async Task<Result<BroadcastBatchResult>> AppendBroadcastBatchAsync(string broadcastId, BroadcastBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (CampaignCheck.Id(broadcastId, "broadcast_id") is { } e1) return e1;
        if (CampaignCheck.Id(batch.NewCursor, "new_cursor") is { } e2) return e2;
        if (CampaignCheck.OptionalId(batch.ExpectedCursor, "expected_cursor") is { } e3) return e3;
        if (batch.Planned < 0) return Error.Invalid("planned", $"planned is {batch.Planned}; it cannot be negative");
        if (batch.Messages.Count > MaxClaim * 10) return Error.Invalid("messages", $"a batch has {batch.Messages.Count} messages; at most {MaxClaim * 10}");
        for (var i = 0; i < batch.Messages.Count; i++)
        {
            if (CampaignCheck.Message(batch.Messages[i], i) is { } bad) return bad;
            if (batch.Messages[i].SourceKind != "broadcast" || batch.Messages[i].SourceId != broadcastId)
                return Error.Invalid($"messages[{i}].source_id", $"source_kind/source_id is {batch.Messages[i].SourceKind}/{batch.Messages[i].SourceId}; a message of broadcast '{broadcastId}' has broadcast/{broadcastId}");
        }
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var now = NowMs;
            // The messages first, the progress after: if the cursor check fails, the rollback takes the messages with it.
            var (queued, heldOut, _) = await CampaignBulkEnqueue.InsertAsync(write, batch.Messages, now, ct);
            var moved = await write.ExecuteAsync(
                "UPDATE broadcasts SET planned = planned + @p, enqueued = enqueued + @q, held_out = held_out + @h, plan_cursor = @cursor, updated_at = @now " +
                "WHERE broadcast_id = @id AND status = 'planning' AND " + (batch.ExpectedCursor is null ? "plan_cursor IS NULL" : "plan_cursor = @expected"), ct,
                ("@p", batch.Planned), ("@q", (long)queued), ("@h", (long)heldOut), ("@cursor", batch.NewCursor), ("@now", now), ("@id", broadcastId),
                ("@expected", batch.ExpectedCursor));
            var current = await GetBroadcastAsync(write.Connection, write.Transaction, broadcastId, ct);
            if (current is null) return (Result<BroadcastBatchResult>)Error.NotFound("broadcast_id", $"there is no broadcast '{broadcastId}'");
            if (moved == 0)
                return current.Status != "planning"
                    ? Error.Conflict("status", $"broadcast '{broadcastId}' is {current.Status}; batches are added while it is planning")
                    : Error.Conflict("expected_cursor", $"broadcast '{broadcastId}' is planned up to '{current.PlanCursor}', not '{batch.ExpectedCursor}'; resume from its plan_cursor");
            await write.CommitAsync(ct);
            return new BroadcastBatchResult(queued, heldOut, current);
        }, ct);
    }

    private const string SelectBroadcast =
        "SELECT broadcast_id, name, definition, status, segment, planned, enqueued, held_out, plan_cursor, created_at, updated_at FROM broadcasts";

    private static async Task<StoredBroadcast?> GetBroadcastAsync(DbConnection connection, DbTransaction? transaction, string broadcastId, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, SelectBroadcast + " WHERE broadcast_id = @id");
        command.AddParameter("@id", broadcastId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadBroadcast(reader) : null;
    }

    private static StoredBroadcast ReadBroadcast(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        NullableString(r, 4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), NullableString(r, 8), Time(r, 9), Time(r, 10));

    // ---------------------------------------------------------------------------------------------------------------
    // Results

    /// <summary>
    /// The campaign's results: for a journey, one row per variant counting its entries (step null), then one row per
    /// (step, variant) counting its messages by status, opens, clicks, conversions and revenue; ordered by step, variant.
    /// </summary>
    public async Task<Result<IReadOnlyList<CampaignStatsRow>>> StatsAsync(string sourceKind, string sourceId, CancellationToken ct)
    {
        if (CampaignCheck.OneOf(sourceKind, "source_kind", CampaignValues.SourceKinds) is { } e1) return e1;
        if (CampaignCheck.Id(sourceId, "source_id") is { } e2) return e2;
        var rows = new List<CampaignStatsRow>();
        await using var connection = await _store.OpenConnectionAsync(ct);
        if (sourceKind == "journey")
        {
            await using var entries = Command(connection, null,
                "SELECT variant, COUNT(*), SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), " +
                "SUM(CASE WHEN status = 'exited' THEN 1 ELSE 0 END) FROM journey_entries WHERE journey_id = @s GROUP BY variant");
            entries.AddParameter("@s", sourceId);
            await using var reader = await entries.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add(new CampaignStatsRow(null, NullableString(reader, 0), Long(reader, 1), Long(reader, 2), Long(reader, 3), Long(reader, 4),
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        }
        static string Count(string condition) => $"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)";
        await using (var messages = Command(connection, null,
            "SELECT step_id, variant, " + Count("status = 'queued'") + ", " + Count("status = 'sending'") + ", " + Count("status = 'delivered'") + ", " +
            Count("status = 'failed'") + ", " + Count("status = 'dead'") + ", " + Count("status = 'suppressed'") + ", " + Count("status = 'cancelled'") + ", " +
            Count("status = 'held_out'") + ", " + Count("opened_at IS NOT NULL") + ", " + Count("clicked_at IS NOT NULL") + ", " +
            Count("converted_order_id IS NOT NULL") + ", SUM(COALESCE(revenue, 0)) FROM messages WHERE source_kind = @k AND source_id = @s GROUP BY step_id, variant"))
        {
            messages.AddParameter("@k", sourceKind);
            messages.AddParameter("@s", sourceId);
            await using var reader = await messages.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add(new CampaignStatsRow(NullableString(reader, 0), NullableString(reader, 1), 0, 0, 0, 0, Long(reader, 2), Long(reader, 3),
                    Long(reader, 4), Long(reader, 5), Long(reader, 6), Long(reader, 7), Long(reader, 8), Long(reader, 9), Long(reader, 10),
                    Long(reader, 11), Long(reader, 12), Long(reader, 13)));
        }
        return rows
            .OrderBy(r => r.StepId is null ? 0 : 1).ThenBy(r => r.StepId, StringComparer.Ordinal).ThenBy(r => r.Variant, StringComparer.Ordinal)
            .ToList();
    }
}
