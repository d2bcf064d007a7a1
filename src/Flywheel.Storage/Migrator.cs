using System.Data.Common;

namespace Flywheel.Storage;

/// <summary>Applies the numbered migrations in <see cref="Schema"/> once each, in order, each in a transaction.</summary>
internal static class Migrator
{
    public static async Task MigrateAsync(DbConnection connection, SqlDialect dialect, TimeProvider time, CancellationToken ct)
    {
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (dialect.Engine == SqlEngine.Postgres)
        {
            // Two servers starting at once must not both apply migration N.
            await using var lockCommand = connection.CreateCommand();
            lockCommand.Transaction = transaction;
            lockCommand.CommandText = "SELECT pg_advisory_xact_lock(7346211)";
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        var applied = new HashSet<int>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT version FROM schema_migrations";
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                applied.Add(Convert.ToInt32(reader.GetValue(0)));
        }

        foreach (var migration in Schema.Migrations.Where(m => !applied.Contains(m.Version)))
        {
            await using var apply = connection.CreateCommand();
            apply.Transaction = transaction;
            apply.CommandText = dialect.Render(migration.Sql);
            await apply.ExecuteNonQueryAsync(ct);

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)";
            record.AddParameter("@v", migration.Version);
            record.AddParameter("@n", migration.Name);
            record.AddParameter("@t", time.GetUtcNow().ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }
}
