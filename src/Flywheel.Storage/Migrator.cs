using System.Data.Common;

namespace Flywheel.Storage;

/// <summary>
/// Applies every module's numbered migrations once each, set by set in the order given, all in one transaction (two servers
/// starting at once take turns on PostgreSQL's advisory lock). What was applied is kept per module in <c>module_migrations</c>.
/// A store made before modules kept their own sets lists its changes by store-wide number in <c>schema_migrations</c>; a
/// migration whose <see cref="Migration.LegacyVersion"/> is there is recorded as applied without running again, so such a store
/// upgrades in place with every row intact. The same holds for a migration that moves from the record's own set into its module's.
/// </summary>
internal static class Migrator
{
    public static async Task MigrateAsync(DbConnection connection, SqlDialect dialect, TimeProvider time, IReadOnlyList<MigrationSet> sets, CancellationToken ct)
    {
        var names = sets.Select(s => s.Module).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException($"two migration sets share a module name: {string.Join(", ", names)}", nameof(sets));

        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS module_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, " +
            "applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))", ct);

        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (dialect.Engine == SqlEngine.Postgres)
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7346211)", ct);

        // Only a store made before module sets has the store-wide ledger; a new store never gets one.
        var legacy = new HashSet<int>();
        await using (var exists = connection.CreateCommand())
        {
            exists.Transaction = transaction;
            exists.CommandText = dialect.Engine == SqlEngine.Postgres
                ? "SELECT to_regclass('schema_migrations') IS NOT NULL"
                : "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
            if (Convert.ToBoolean(await exists.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture))
            {
                await using var read = connection.CreateCommand();
                read.Transaction = transaction;
                read.CommandText = "SELECT version FROM schema_migrations";
                await using var reader = await read.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) legacy.Add(Convert.ToInt32(reader.GetValue(0)));
            }
        }
        var applied = new HashSet<(string, int)>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT module, version FROM module_migrations";
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) applied.Add((reader.GetString(0), Convert.ToInt32(reader.GetValue(1))));
        }

        foreach (var set in sets)
            foreach (var migration in set.Migrations)
            {
                if (applied.Contains((set.Module, migration.Version))) continue;
                // Applied before under its store-wide number: by a store made before modules kept sets, or as part of the record's own
                // set before it moved into its module (the record's set keeps the store-wide numbers).
                var adopted = migration.LegacyVersion is { } number
                    && (legacy.Contains(number) || (set.Module != StoreSchema.Record.Module && applied.Contains((StoreSchema.Record.Module, number))));
                if (!adopted)
                    await ExecuteAsync(connection, transaction, dialect.Render(migration.Sql), ct);
                await using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO module_migrations (module, version, name, applied_at) VALUES (@m, @v, @n, @t)";
                record.AddParameter("@m", set.Module);
                record.AddParameter("@v", migration.Version);
                record.AddParameter("@n", migration.Name);
                record.AddParameter("@t", time.GetUtcNow().ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(ct);
            }
        await transaction.CommitAsync(ct);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
