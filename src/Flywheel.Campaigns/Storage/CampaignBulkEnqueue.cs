using Flywheel.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Flywheel.Campaigns.Storage;

/// <summary>
/// Writes messages fast, inside the caller's transaction, skipping idempotency keys already stored. SQLite: one prepared
/// statement driven through SQLitePCL (Microsoft.Data.Sqlite looks parameters up by name and builds a reader per execution).
/// PostgreSQL: binary COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING, two round trips a batch.
/// </summary>
internal static class CampaignBulkEnqueue
{
    private const string Columns =
        "idempotency_key, source_kind, source_id, step_id, variant, customer_id, channel, purpose, recipient, subject, body_text, body_html, " +
        "unsubscribe_url, status, due_at, last_error, attempts, created_at, updated_at";

    private const string SqliteInsert =
        "INSERT INTO messages (" + Columns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?17, 0, ?16, ?16) " +
        "ON CONFLICT (idempotency_key) DO NOTHING";

    /// <summary>Inserts what is new; answers how many were inserted as queued, as held_out, and otherwise (suppressed).</summary>
    public static async Task<(int Queued, int HeldOut, int Other)> InsertAsync(StoreWrite write, IReadOnlyList<NewMessage> messages, long now,
        CancellationToken ct)
    {
        if (messages.Count == 0) return (0, 0, 0);
        return write.Connection is SqliteConnection sqlite
            ? InsertSqlite(sqlite, messages, now, ct)
            : await InsertPostgresAsync(write, (NpgsqlConnection)write.Connection, messages, now, ct);
    }

    private static (int, int, int) InsertSqlite(SqliteConnection connection, IReadOnlyList<NewMessage> messages, long now, CancellationToken ct)
    {
        var db = connection.Handle!;
        var prepared = raw.sqlite3_prepare_v2(db, SqliteInsert, out var statement);
        if (prepared != raw.SQLITE_OK)
        {
            statement.Dispose();
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), prepared);
        }
        int queued = 0, heldOut = 0, other = 0;
        using (statement)
        {
            raw.sqlite3_bind_int64(statement, 16, now);
            for (var i = 0; i < messages.Count; i++)
            {
                if ((i & 0x3FF) == 0) ct.ThrowIfCancellationRequested();
                var m = messages[i];
                Text(statement, 1, m.IdempotencyKey);
                Text(statement, 2, m.SourceKind);
                Text(statement, 3, m.SourceId);
                Text(statement, 4, m.StepId);
                Text(statement, 5, m.Variant);
                Text(statement, 6, m.CustomerId);
                Text(statement, 7, m.Channel);
                Text(statement, 8, m.Purpose);
                Text(statement, 9, m.Recipient);
                Text(statement, 10, m.Subject);
                Text(statement, 11, m.BodyText);
                Text(statement, 12, m.BodyHtml);
                Text(statement, 13, m.UnsubscribeUrl);
                Text(statement, 14, m.Status);
                raw.sqlite3_bind_int64(statement, 15, m.DueAt.ToUnixTimeMilliseconds());
                Text(statement, 17, m.LastError);
                var stepped = raw.sqlite3_step(statement);
                raw.sqlite3_reset(statement);
                if (stepped != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), stepped);
                if (raw.sqlite3_changes(db) != 1) continue;
                switch (m.Status)
                {
                    case "queued": queued++; break;
                    case "held_out": heldOut++; break;
                    default: other++; break;
                }
            }
        }
        return (queued, heldOut, other);
    }

    private static void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null) raw.sqlite3_bind_null(statement, index);
        else raw.sqlite3_bind_text16(statement, index, value.AsSpan());
    }

    private static async Task<(int, int, int)> InsertPostgresAsync(StoreWrite write, NpgsqlConnection connection, IReadOnlyList<NewMessage> messages,
        long now, CancellationToken ct)
    {
        await write.ExecuteAsync(
            "CREATE TEMP TABLE IF NOT EXISTS messages_incoming (ord INTEGER NOT NULL, idempotency_key TEXT, source_kind TEXT, source_id TEXT, step_id TEXT, " +
            "variant TEXT, customer_id TEXT, channel TEXT, purpose TEXT, recipient TEXT, subject TEXT, body_text TEXT, body_html TEXT, " +
            "unsubscribe_url TEXT, status TEXT, due_at BIGINT, last_error TEXT) ON COMMIT DELETE ROWS", ct);
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY messages_incoming (ord, idempotency_key, source_kind, source_id, step_id, variant, customer_id, channel, purpose, recipient, subject, " +
            "body_text, body_html, unsubscribe_url, status, due_at, last_error) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(i, NpgsqlDbType.Integer, ct);
                foreach (var text in (string?[])[m.IdempotencyKey, m.SourceKind, m.SourceId, m.StepId, m.Variant, m.CustomerId, m.Channel,
                    m.Purpose, m.Recipient, m.Subject, m.BodyText, m.BodyHtml, m.UnsubscribeUrl, m.Status])
                {
                    if (text is null) await importer.WriteNullAsync(ct);
                    else await importer.WriteAsync(text, NpgsqlDbType.Text, ct);
                }
                await importer.WriteAsync(m.DueAt.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct);
                if (m.LastError is null) await importer.WriteNullAsync(ct);
                else await importer.WriteAsync(m.LastError, NpgsqlDbType.Text, ct);
            }
            await importer.CompleteAsync(ct);
        }
        // ORDER BY ord: ids follow the caller's order, and of two rows with one key the first is the one kept.
        await using var insert = write.Command(
            "WITH inserted AS (INSERT INTO messages (" + Columns + ") SELECT idempotency_key, source_kind, source_id, step_id, variant, customer_id, " +
            "channel, purpose, recipient, subject, body_text, body_html, unsubscribe_url, status, due_at, last_error, 0, @now, @now FROM messages_incoming ORDER BY ord " +
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING status) " +
            "SELECT COUNT(*) FILTER (WHERE status = 'queued'), COUNT(*) FILTER (WHERE status = 'held_out'), COUNT(*) FILTER (WHERE status NOT IN ('queued', 'held_out')) FROM inserted",
            ("@now", now));
        await using var reader = await insert.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var result = ((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
        return result;
    }
}
