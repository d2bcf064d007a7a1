using Flywheel.Storage;
using System.Data.Common;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Storage;

internal sealed partial class CampaignStore
{
    /// <summary>The most messages one <see cref="EnqueueAsync"/> writes per transaction.</summary>
    public const int EnqueueBatch = 5_000;

    /// <summary>
    /// Stores the messages, skipping any whose idempotency key is stored already (or repeats one earlier in the list);
    /// returns how many were inserted. Every message is checked first: one bad message stores none. Written in
    /// transactions of <see cref="EnqueueBatch"/> (SQLite: one prepared statement; PostgreSQL: binary COPY into a
    /// temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING), so a failure part-way leaves whole
    /// batches: enqueue again with the same keys to finish.
    /// </summary>
    public async Task<Result<int>> EnqueueAsync(IReadOnlyList<NewMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (var i = 0; i < messages.Count; i++)
            if (CampaignCheck.Message(messages[i], i) is { } bad) return bad;
        var total = 0;
        for (var start = 0; start < messages.Count; start += EnqueueBatch)
        {
            var slice = Slice(messages, start, Math.Min(EnqueueBatch, messages.Count - start));
            total += await StoreWrite.RunAsync(_store, async write =>
            {
                var (queued, heldOut, other) = await CampaignBulkEnqueue.InsertAsync(write, slice, NowMs, ct);
                await write.CommitAsync(ct);
                return queued + heldOut + other;
            }, ct);
        }
        return total;
    }

    /// <summary>
    /// Leases up to <paramref name="max"/> messages to send to <paramref name="owner"/> until now + <paramref name="leaseDuration"/>:
    /// first 'sending' ones whose lease ran out (a crashed worker's), then 'queued' and 'failed' (awaiting retry) ones due
    /// by <paramref name="now"/>, earliest due first. Each becomes 'sending' with attempts + 1. Two claimers never get the
    /// same message. A message that keeps crashing its worker keeps coming back with more attempts: dead-letter it by its count.
    /// </summary>
    public async Task<Result<IReadOnlyList<StoredMessage>>> ClaimAsync(string owner, DateTimeOffset now, int max, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (CampaignCheck.Owner(owner) is { } e1) return e1;
        if (CampaignCheck.Max(max, MaxClaim) is { } e2) return e2;
        if (CampaignCheck.Lease(leaseDuration) is { } e3) return e3;
        var nowMs = now.ToUnixTimeMilliseconds();
        var until = nowMs + (long)leaseDuration.TotalMilliseconds;
        // The pick is a materialised CTE: evaluated exactly once, its rows locked (PostgreSQL) and skipped by every other claimer.
        var skipLocked = IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";
        var update = "WITH picked AS MATERIALIZED (SELECT message_id FROM messages WHERE {0} ORDER BY due_at, message_id LIMIT @max" + skipLocked + ") " +
                     "UPDATE messages SET status = 'sending', attempts = attempts + 1, lease_owner = @owner, lease_until = @until, updated_at = @wall " +
                     "WHERE message_id IN (SELECT message_id FROM picked) RETURNING " + MessageColumns;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var list = new List<StoredMessage>();
            foreach (var condition in new[] { "status = 'sending' AND lease_until <= @now", "status IN ('queued', 'failed') AND due_at <= @now" })
            {
                if (list.Count >= max) break;
                await using var command = write.Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, update, condition),
                    ("@owner", owner), ("@until", until), ("@wall", NowMs), ("@now", nowMs), ("@max", max - list.Count));
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) list.Add(ReadMessage(reader));
            }
            await write.CommitAsync(ct);
            list.Sort((a, b) => a.DueAt != b.DueAt ? a.DueAt.CompareTo(b.DueAt) : a.MessageId.CompareTo(b.MessageId));
            return (Result<IReadOnlyList<StoredMessage>>)list;
        }, ct);
    }

    /// <summary>The provider accepted the message: 'delivered'. False when the message is not 'sending' under <paramref name="owner"/>'s lease.</summary>
    public Task<Result<bool>> MarkDeliveredAsync(long messageId, string owner, string? providerMessageId, CancellationToken ct) =>
        CompleteAsync(messageId, owner, "status = 'delivered', provider_message_id = @pid, sent_at = @now, delivered_at = @now, last_error = NULL",
            [("@pid", providerMessageId)], CampaignCheck.Text(providerMessageId, "provider_message_id", CampaignCheck.MaxTextLength), false, ct);

    /// <summary>
    /// A delivery attempt failed: with <paramref name="retryAt"/> the message waits as 'failed' until then (and is claimed
    /// again, keeping its frequency slots); without, it is 'dead' (a dead letter) and its frequency slots are given back.
    /// </summary>
    public Task<Result<bool>> MarkFailedAsync(long messageId, string owner, string error, DateTimeOffset? retryAt, CancellationToken ct) =>
        CompleteAsync(messageId, owner,
            retryAt is null ? "status = 'dead', last_error = @error" : "status = 'failed', due_at = @retry, last_error = @error",
            [("@error", Truncate(error)), ("@retry", retryAt?.ToUnixTimeMilliseconds())], CampaignCheck.Time(retryAt, "retry_at"), retryAt is null, ct);

    /// <summary>
    /// Not now (quiet hours, a rate limit): back to 'queued', due at <paramref name="newDueAt"/>, the attempt not counted;
    /// its frequency slots are given back (it reserves again, in its new window, when it is sent).
    /// </summary>
    public Task<Result<bool>> DeferAsync(long messageId, string owner, DateTimeOffset newDueAt, string reason, CancellationToken ct) =>
        CompleteAsync(messageId, owner, "status = 'queued', due_at = @due, attempts = attempts - 1, last_error = @reason",
            [("@due", newDueAt.ToUnixTimeMilliseconds()), ("@reason", Truncate(reason))], CampaignCheck.Time(newDueAt, "due_at"), true, ct);

    /// <summary>Not sent, on purpose (suppressed address, no consent, frequency cap): 'suppressed' with the reason; its frequency slots are given back.</summary>
    public Task<Result<bool>> MarkSuppressedAsync(long messageId, string owner, string reason, CancellationToken ct) =>
        CompleteAsync(messageId, owner, "status = 'suppressed', last_error = @reason", [("@reason", Truncate(reason))], null, true, ct);

    /// <summary>
    /// Cancels the source's messages that are not yet sending ('queued' or 'failed'): of one customer, or all of them when
    /// <paramref name="customerId"/> is null; their frequency slots are given back. Returns how many were cancelled.
    /// </summary>
    public async Task<Result<int>> CancelQueuedAsync(string sourceKind, string sourceId, string? customerId, string reason, CancellationToken ct)
    {
        if (CampaignCheck.OneOf(sourceKind, "source_kind", CampaignValues.SourceKinds) is { } e1) return e1;
        if (CampaignCheck.Id(sourceId, "source_id") is { } e2) return e2;
        if (CampaignCheck.OptionalId(customerId, "customer_id") is { } e3) return e3;
        if (CampaignCheck.Id(reason, "reason", CampaignCheck.MaxTextLength) is { } e4) return e4;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var which = "source_kind = @k AND source_id = @s AND status IN ('queued', 'failed')" + (customerId is null ? "" : " AND customer_id = @c");
            await write.ExecuteAsync("DELETE FROM frequency_slots WHERE message_id IN (SELECT message_id FROM messages WHERE " + which + ")", ct,
                ("@k", sourceKind), ("@s", sourceId), ("@c", customerId));
            var changed = await write.ExecuteAsync("UPDATE messages SET status = 'cancelled', last_error = @reason, updated_at = @now WHERE " + which, ct,
                ("@reason", reason), ("@now", NowMs), ("@k", sourceKind), ("@s", sourceId), ("@c", customerId));
            await write.CommitAsync(ct);
            return (Result<int>)changed;
        }, ct);
    }

    public async Task<StoredMessage?> GetMessageAsync(long messageId, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, "SELECT " + MessageColumns + " FROM messages WHERE message_id = @id");
        command.AddParameter("@id", messageId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMessage(reader) : null;
    }

    public async Task<StoredMessage?> GetMessageByKeyAsync(string idempotencyKey, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, "SELECT " + MessageColumns + " FROM messages WHERE idempotency_key = @key");
        command.AddParameter("@key", idempotencyKey);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMessage(reader) : null;
    }

    /// <summary>A page of messages matching every filter given, newest (highest id) first.</summary>
    public async Task<Result<MessagePage>> ListMessagesAsync(MessageQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (CampaignCheck.OptionalId(query.CustomerId, "customer_id") is { } e1) return e1;
        if (query.SourceKind is not null && CampaignCheck.OneOf(query.SourceKind, "source_kind", CampaignValues.SourceKinds) is { } e2) return e2;
        if (CampaignCheck.OptionalId(query.SourceId, "source_id") is { } e3) return e3;
        if (query.SourceId is not null && query.SourceKind is null) return Error.Invalid("source_kind", "give source_kind with source_id");
        if (query.Status is not null && CampaignCheck.OneOf(query.Status, "status", CampaignValues.MessageStatuses) is { } e4) return e4;
        if (query.Limit is < 1 or > MaxPage) return Error.Invalid("limit", $"limit is {query.Limit}; 1 to {MaxPage}");
        var where = new List<string>();
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        void Filter(string clause, string name, object? value)
        {
            if (value is null) return;
            where.Add(clause);
            command.AddParameter(name, value);
        }
        Filter("customer_id = @c", "@c", query.CustomerId);
        Filter("source_kind = @k", "@k", query.SourceKind);
        Filter("source_id = @s", "@s", query.SourceId);
        Filter("status = @st", "@st", query.Status);
        Filter("message_id < @before", "@before", query.BeforeId);
        command.AddParameter("@limit", query.Limit + 1);
        command.CommandText = "SELECT " + MessageColumns + " FROM messages" + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) +
                              " ORDER BY message_id DESC LIMIT @limit";
        var list = new List<StoredMessage>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) list.Add(ReadMessage(reader));
        if (list.Count <= query.Limit) return new MessagePage(list, null);
        list.RemoveAt(query.Limit);
        return new MessagePage(list, list[^1].MessageId);
    }

    private async Task<Result<bool>> CompleteAsync(long messageId, string owner, string set, (string, object?)[] parameters, Error? invalid,
        bool releaseSlots, CancellationToken ct)
    {
        if (CampaignCheck.Owner(owner) is { } badOwner) return badOwner;
        if (invalid is not null) return invalid;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var changed = await write.ExecuteAsync(
                "UPDATE messages SET " + set + ", lease_owner = NULL, lease_until = NULL, updated_at = @now " +
                "WHERE message_id = @id AND status = 'sending' AND lease_owner = @owner", ct,
                [.. parameters, ("@now", NowMs), ("@id", messageId), ("@owner", owner)]);
            if (changed == 1 && releaseSlots)
                await write.ExecuteAsync("DELETE FROM frequency_slots WHERE message_id = @id", ct, ("@id", messageId));
            await write.CommitAsync(ct);
            return (Result<bool>)(changed == 1);
        }, ct);
    }

    private static string Truncate(string? text) =>
        string.IsNullOrEmpty(text) ? "(no reason given)" : text.Length <= CampaignCheck.MaxTextLength ? text : text[..CampaignCheck.MaxTextLength];

    private static IReadOnlyList<T> Slice<T>(IReadOnlyList<T> list, int start, int count)
    {
        if (start == 0 && count == list.Count) return list;
        var slice = new T[count];
        for (var i = 0; i < count; i++) slice[i] = list[start + i];
        return slice;
    }

    internal const string MessageColumns =
        "message_id, idempotency_key, source_kind, source_id, step_id, variant, customer_id, channel, purpose, recipient, subject, body_text, " +
        "body_html, unsubscribe_url, status, due_at, attempts, lease_owner, lease_until, provider_message_id, last_error, created_at, updated_at, " +
        "sent_at, delivered_at, opened_at, clicked_at, converted_order_id, revenue";

    private static StoredMessage ReadMessage(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), NullableString(r, 4), NullableString(r, 5), r.GetString(6), r.GetString(7),
        r.GetString(8), NullableString(r, 9), NullableString(r, 10), NullableString(r, 11), NullableString(r, 12), NullableString(r, 13),
        r.GetString(14), Time(r, 15), Int(r, 16), NullableString(r, 17), NullableTime(r, 18), NullableString(r, 19), NullableString(r, 20),
        Time(r, 21), Time(r, 22), NullableTime(r, 23), NullableTime(r, 24), NullableTime(r, 25), NullableTime(r, 26), NullableString(r, 27),
        r.IsDBNull(28) ? null : r.GetInt64(28));
}
