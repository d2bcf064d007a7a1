using Flywheel.Storage;
using System.Security.Cryptography;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Storage;

internal sealed partial class CampaignStore
{
    /// <summary>The highest frequency cap a window may have.</summary>
    public const int MaxCap = 1_000;

    /// <summary>
    /// Reserves one slot for <paramref name="messageId"/> in each of the customer's windows (e.g. its local day and week),
    /// all or none: true when every window had a free slot under its cap. The slots are rows under the primary key
    /// (customer, window, slot), so however many workers reserve at once, a window never holds more than its cap.
    /// True at once if the message holds slots already (a retry after a crash). A cap of 0 always refuses.
    /// </summary>
    public async Task<Result<bool>> TryReserveFrequencyAsync(string customerId, long messageId, IReadOnlyList<(string WindowKey, int Cap)> windows,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (CampaignCheck.Id(customerId, "customer_id") is { } e1) return e1;
        if (windows.Count == 0) return Error.Invalid("windows", "windows is empty; give at least one window (e.g. d:2026-11-22 with its cap)");
        for (var i = 0; i < windows.Count; i++)
        {
            if (CampaignCheck.Id(windows[i].WindowKey, $"windows[{i}].window_key", 64) is { } bad) return bad;
            if (windows[i].Cap is < 0 or > MaxCap) return Error.Invalid($"windows[{i}].cap", $"cap is {windows[i].Cap}; 0 to {MaxCap}");
        }
        if (windows.Select(w => w.WindowKey).Distinct(StringComparer.Ordinal).Count() != windows.Count)
            return Error.Invalid("windows", "windows has a window key twice");
        if (windows.Any(w => w.Cap == 0)) return false;
        // Windows in one order for every caller, slots ascending: no two reservations wait on each other in a cycle.
        var ordered = windows.OrderBy(w => w.WindowKey, StringComparer.Ordinal).ToArray();
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var held = await write.ScalarAsync("SELECT COUNT(*) FROM frequency_slots WHERE message_id = @m", ct, ("@m", messageId));
            if (Convert.ToInt64(held, System.Globalization.CultureInfo.InvariantCulture) > 0) return (Result<bool>)true;
            var now = NowMs;
            foreach (var (key, cap) in ordered)
            {
                var taken = new HashSet<int>();
                await using (var read = write.Command("SELECT slot FROM frequency_slots WHERE customer_id = @c AND window_key = @w", ("@c", customerId), ("@w", key)))
                await using (var reader = await read.ExecuteReaderAsync(ct))
                    while (await reader.ReadAsync(ct)) taken.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
                var reserved = false;
                for (var slot = 1; slot <= cap && !reserved; slot++)
                {
                    if (taken.Contains(slot)) continue;
                    // A slot another transaction holds uncommitted makes this wait for it (PostgreSQL), then skip it if it committed.
                    reserved = await write.ExecuteAsync(
                        "INSERT INTO frequency_slots (customer_id, window_key, slot, message_id, created_at) VALUES (@c, @w, @s, @m, @now) " +
                        "ON CONFLICT (customer_id, window_key, slot) DO NOTHING", ct,
                        ("@c", customerId), ("@w", key), ("@s", slot), ("@m", messageId), ("@now", now)) == 1;
                }
                // Disposing the write without a commit gives back the slots taken in earlier windows.
                if (!reserved) return false;
            }
            await write.CommitAsync(ct);
            return true;
        }, ct);
    }

    /// <summary>Gives back every slot the message holds (it was not sent after all: a dead letter, a cancellation). Returns how many.</summary>
    public async Task<int> ReleaseFrequencyAsync(long messageId, CancellationToken ct) =>
        await StoreWrite.RunAsync(_store, async write =>
        {
            var released = await write.ExecuteAsync("DELETE FROM frequency_slots WHERE message_id = @m", ct, ("@m", messageId));
            await write.CommitAsync(ct);
            return released;
        }, ct);

    /// <summary>How many slots of the customer's window are taken.</summary>
    public async Task<int> FrequencyUsedAsync(string customerId, string windowKey, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM frequency_slots WHERE customer_id = @c AND window_key = @w");
        command.AddParameter("@c", customerId);
        command.AddParameter("@w", windowKey);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Suppressions

    /// <summary>
    /// Never send to <paramref name="address"/> on <paramref name="channel"/> ('*': on any channel) again; a repeat
    /// replaces the reason. Addresses are compared exactly: normalise them (e.g. lower-case e-mail) before.
    /// </summary>
    public async Task<Result<Suppression>> AddSuppressionAsync(string channel, string address, string reason, CancellationToken ct)
    {
        if (CampaignCheck.Id(channel, "channel", 32) is { } e1) return e1;
        if (CampaignCheck.Id(address, "address", 320) is { } e2) return e2;
        if (CampaignCheck.Id(reason, "reason", CampaignCheck.MaxTextLength) is { } e3) return e3;
        var now = NowMs;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            await write.ExecuteAsync("INSERT INTO suppressions (channel, address, reason, created_at) VALUES (@ch, @a, @r, @now) " +
                "ON CONFLICT (channel, address) DO UPDATE SET reason = excluded.reason", ct, ("@ch", channel), ("@a", address), ("@r", reason), ("@now", now));
            await write.CommitAsync(ct);
            return (Result<Suppression>)new Suppression(channel, address, reason, DateTimeOffset.FromUnixTimeMilliseconds(now));
        }, ct);
    }

    /// <summary>Lifts the suppression of the address on exactly that channel; false when there was none.</summary>
    public async Task<bool> RemoveSuppressionAsync(string channel, string address, CancellationToken ct) =>
        await StoreWrite.RunAsync(_store, async write =>
        {
            var removed = await write.ExecuteAsync("DELETE FROM suppressions WHERE channel = @ch AND address = @a", ct, ("@ch", channel), ("@a", address));
            await write.CommitAsync(ct);
            return removed > 0;
        }, ct);

    /// <summary>Whether the address is suppressed on the channel or on every channel ('*').</summary>
    public async Task<bool> IsSuppressedAsync(string channel, string address, CancellationToken ct)
    {
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, "SELECT 1 FROM suppressions WHERE channel IN (@ch, '*') AND address = @a LIMIT 1");
        command.AddParameter("@ch", channel);
        command.AddParameter("@a", address);
        return await command.ExecuteScalarAsync(ct) is not (null or DBNull);
    }

    /// <summary>Suppressions in (channel, address) order, after the given pair when one is given; of one channel when given.</summary>
    public async Task<Result<IReadOnlyList<Suppression>>> ListSuppressionsAsync(string? channel, string? afterAddress, int limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxPage) return Error.Invalid("limit", $"limit is {limit}; 1 to {MaxPage}");
        if (afterAddress is not null && channel is null) return Error.Invalid("channel", "give the channel with after");
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, "SELECT channel, address, reason, created_at FROM suppressions" +
            (channel is null ? "" : " WHERE channel = @ch" + (afterAddress is null ? "" : " AND address > @after")) + " ORDER BY channel, address LIMIT @limit");
        if (channel is not null) command.AddParameter("@ch", channel);
        if (afterAddress is not null) command.AddParameter("@after", afterAddress);
        command.AddParameter("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<Suppression>();
        while (await reader.ReadAsync(ct)) list.Add(new Suppression(reader.GetString(0), reader.GetString(1), reader.GetString(2), Time(reader, 3)));
        return list;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tokens, opens, clicks, conversions

    /// <summary>
    /// A new unguessable token (128 random bits, URL-safe base64, 22 characters) standing for a click through to
    /// <paramref name="url"/> or an unsubscribe from the message.
    /// </summary>
    public async Task<Result<string>> CreateTokenAsync(long messageId, string kind, string? url, CancellationToken ct)
    {
        if (CampaignCheck.OneOf(kind, "kind", CampaignValues.TokenKinds) is { } e1) return e1;
        if (kind == "click" && string.IsNullOrEmpty(url)) return Error.Invalid("url", "a click token needs the url it leads to");
        if (CampaignCheck.Text(url, "url", CampaignCheck.MaxTextLength) is { } e2) return e2;
        return await StoreWrite.RunAsync(_store, async write =>
        {
            if (await write.ScalarAsync("SELECT 1 FROM messages WHERE message_id = @m", ct, ("@m", messageId)) is null)
                return (Result<string>)Error.NotFound("message_id", $"there is no message {messageId}");
            var token = NewToken();
            await write.ExecuteAsync("INSERT INTO message_tokens (token, message_id, kind, url, created_at) VALUES (@t, @m, @k, @u, @now)", ct,
                ("@t", token), ("@m", messageId), ("@k", kind), ("@u", url), ("@now", NowMs));
            await write.CommitAsync(ct);
            return token;
        }, ct);
    }

    /// <summary>What the token stands for, or null for a token that was never issued (or is malformed).</summary>
    public async Task<ResolvedToken?> ResolveTokenAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64) return null;
        await using var connection = await _store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null,
            "SELECT t.message_id, t.kind, t.url, m.customer_id FROM message_tokens t JOIN messages m ON m.message_id = t.message_id WHERE t.token = @t");
        command.AddParameter("@t", token);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ResolvedToken(reader.GetInt64(0), reader.GetString(1), NullableString(reader, 2), reader.GetString(3)) : null;
    }

    /// <summary>Records the first open; true the first time, false afterwards (or for an unknown message).</summary>
    public Task<bool> RecordOpenAsync(long messageId, CancellationToken ct) =>
        UpdateOnceAsync("UPDATE messages SET opened_at = @now, updated_at = @now WHERE message_id = @m AND opened_at IS NULL", messageId, ct);

    /// <summary>Records the first click (and an open, if none was seen: images may be blocked); true the first time.</summary>
    public Task<bool> RecordClickAsync(long messageId, CancellationToken ct) =>
        UpdateOnceAsync("UPDATE messages SET clicked_at = @now, opened_at = COALESCE(opened_at, @now), updated_at = @now " +
                        "WHERE message_id = @m AND clicked_at IS NULL", messageId, ct);

    /// <summary>Attributes an order (and its revenue, minor units) to the message, once: true the first time.</summary>
    public async Task<Result<bool>> RecordConversionAsync(long messageId, string orderId, long revenue, CancellationToken ct)
    {
        if (CampaignCheck.Id(orderId, "order_id") is { } e1) return e1;
        if (revenue < 0) return Error.Invalid("revenue", $"revenue is {revenue}; it cannot be negative");
        return await StoreWrite.RunAsync(_store, async write =>
        {
            var changed = await write.ExecuteAsync("UPDATE messages SET converted_order_id = @o, revenue = @r, updated_at = @now " +
                "WHERE message_id = @m AND converted_order_id IS NULL", ct, ("@o", orderId), ("@r", revenue), ("@now", NowMs), ("@m", messageId));
            await write.CommitAsync(ct);
            return (Result<bool>)(changed == 1);
        }, ct);
    }

    private async Task<bool> UpdateOnceAsync(string sql, long messageId, CancellationToken ct) =>
        await StoreWrite.RunAsync(_store, async write =>
        {
            var changed = await write.ExecuteAsync(sql, ct, ("@now", NowMs), ("@m", messageId));
            await write.CommitAsync(ct);
            return changed == 1;
        }, ct);

    internal static string NewToken()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
