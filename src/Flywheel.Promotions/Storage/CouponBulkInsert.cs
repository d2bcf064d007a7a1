using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Flywheel.Promotions.Storage;

/// <summary>
/// Writes generated codes fast: on SQLite one prepared statement driven through SQLitePCL (Microsoft.Data.Sqlite looks
/// parameters up by name and builds a reader per execution, about twice the CPU per row); on PostgreSQL binary COPY,
/// one round trip for the lot. Either way inside the caller's transaction, so a failure stores none of them.
/// </summary>
internal static class CouponBulkInsert
{
    private const string InsertSql =
        "INSERT INTO coupons (code, batch_id, state, valid_from, valid_to) VALUES (?1, ?2, 'issued', ?3, ?4) ON CONFLICT (code) DO NOTHING";

    /// <summary>Inserts every code; <paramref name="codes"/> may be changed in place where a code was already stored (SQLite).</summary>
    public static async Task InsertAsync(StoreWrite write, string batchId, string[] codes, long? validFrom, long? validTo, CancellationToken ct)
    {
        if (write.Connection is SqliteConnection sqlite)
            InsertSqlite(sqlite, batchId, codes, validFrom, validTo, ct);
        else
            await CopyPostgresAsync((NpgsqlConnection)write.Connection, batchId, codes, validFrom, validTo, ct);
    }

    /// <summary>
    /// True for a PostgreSQL unique violation on a coupon code: a generated code already stored (about one in 10^10 per
    /// code with a million stored). COPY cannot skip the row, so the caller retries the whole generation with new codes.
    /// </summary>
    public static bool IsCodeCollision(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "coupons" };

    private static void InsertSqlite(SqliteConnection connection, string batchId, string[] codes, long? validFrom, long? validTo, CancellationToken ct)
    {
        var db = connection.Handle!;
        var prepared = raw.sqlite3_prepare_v2(db, InsertSql, out var statement);
        if (prepared != raw.SQLITE_OK)
        {
            statement.Dispose();
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), prepared);
        }
        using (statement)
        {
            raw.sqlite3_bind_text16(statement, 2, batchId.AsSpan());
            if (validFrom is { } from) raw.sqlite3_bind_int64(statement, 3, from);
            else raw.sqlite3_bind_null(statement, 3);
            if (validTo is { } to) raw.sqlite3_bind_int64(statement, 4, to);
            else raw.sqlite3_bind_null(statement, 4);
            // Codes are ASCII: bound as UTF-8 bytes, SQLite stores them without converting from UTF-16 on every row.
            Span<byte> utf8 = stackalloc byte[64];
            for (var i = 0; i < codes.Length; i++)
            {
                if ((i & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                while (true)
                {
                    var length = System.Text.Encoding.ASCII.GetBytes(codes[i], utf8);
                    raw.sqlite3_bind_text(statement, 1, utf8[..length]);
                    var stepped = raw.sqlite3_step(statement);
                    raw.sqlite3_reset(statement);
                    if (stepped != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), stepped);
                    if (raw.sqlite3_changes(db) == 1) break;
                    codes[i] = CouponCodes.New();
                }
            }
        }
    }

    private static async Task CopyPostgresAsync(NpgsqlConnection connection, string batchId, string[] codes, long? validFrom, long? validTo, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY coupons (code, batch_id, state, valid_from, valid_to) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var code in codes)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(code, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(batchId, NpgsqlDbType.Text, ct);
            await importer.WriteAsync("issued", NpgsqlDbType.Text, ct);
            if (validFrom is { } from) await importer.WriteAsync(from, NpgsqlDbType.Bigint, ct);
            else await importer.WriteNullAsync(ct);
            if (validTo is { } to) await importer.WriteAsync(to, NpgsqlDbType.Bigint, ct);
            else await importer.WriteNullAsync(ct);
        }
        await importer.CompleteAsync(ct);
    }
}
