using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Flywheel.Primitives;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Flywheel.Storage;

/// <summary>
/// The system of record. Opening it applies pending migrations; afterwards it hands out open connections.
/// Thread-safe. SQLite allows one writer at a time, so <see cref="WriteLock"/> serialises write sessions
/// inside this process instead of letting them fail with SQLITE_BUSY.
/// </summary>
public sealed class FlywheelStore : IDisposable
{
    static FlywheelStore()
    {
        // Multi-thread mode: SQLite skips its per-connection mutex on every call. Safe because a connection is only
        // ever used by one thread at a time (ADO.NET's contract), and it takes a lock pair off each of the ~20 calls
        // per inserted event. sqlite3_config only works before SQLite initialises; if something initialised it
        // first, it answers SQLITE_MISUSE and the default (serialised) mode simply stays.
        SQLitePCL.Batteries_V2.Init();
        _ = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
    }

    private FlywheelStore(StoreLocation location, TimeProvider time)
    {
        Location = location;
        Dialect = SqlDialect.For(location.Engine);
        Time = time;
    }

    public StoreLocation Location { get; }

    public SqlDialect Dialect { get; }

    public TimeProvider Time { get; }

    internal SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Raised after an ingest session commits (on the committing thread), so readers of derived data can refresh.</summary>
    public event Action<IngestChanges>? Committed;

    internal void OnCommitted(IngestChanges changes) => Committed?.Invoke(changes);

    /// <summary>
    /// Customer ids this process has seen committed, so ingest sessions skip re-inserting the same bare customers
    /// batch after batch (two thirds of the statements of a typical event batch). Only a cache: the unique key on
    /// customers is what guarantees one row per id. Sessions add to it after they commit. Nothing deletes
    /// customers today; whatever does so in future must clear this set.
    /// </summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, byte> CommittedCustomers { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Opens the store, creating the SQLite file or the PostgreSQL database if needed, and migrates it: the record's own set
    /// (<see cref="StoreSchema.Record"/>) first, then each module's set in the order given. A composition root passes every
    /// module it wires; a store opened with fewer sets simply lacks the other modules' tables.
    /// </summary>
    public static async Task<Result<FlywheelStore>> OpenAsync(StoreLocation location, TimeProvider time, IReadOnlyList<MigrationSet> modules, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var store = new FlywheelStore(location, time);
        try
        {
            if (location.Engine == SqlEngine.Sqlite)
                Directory.CreateDirectory(location.DataFolder!);
            else
                await EnsurePostgresDatabaseAsync(location, ct);
            await using var connection = await store.OpenConnectionAsync(ct);
            await Migrator.MigrateAsync(connection, store.Dialect, time, [StoreSchema.Record, .. modules], ct);
            return store;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            store.Dispose();
            return Error.Unavailable(DescribeUnavailable(location, e));
        }
    }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        DbConnection connection = Location.Engine == SqlEngine.Sqlite
            ? new SqliteConnection(Location.ConnectionString)
            : new NpgsqlConnection(Location.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            if (connection is SqliteConnection)
            {
                // WAL lets readers (reports, the server) run while an import writes; NORMAL sync is durable
                // across application crashes, which is what an embedded store promises. A 10,000-event batch writes more
                // than the default 1,000-page auto-checkpoint, so every commit paid a checkpoint (with its fsyncs) inside
                // the single-writer section; 16,384 pages (64 MiB of WAL) checkpoints every ten or so batches instead.
                using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384;";
                await pragma.ExecuteNonQueryAsync(ct);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        WriteLock.Dispose();
        if (Location.Engine == SqlEngine.Sqlite)
            SqliteConnection.ClearAllPools();
        else
        {
            // The store's pooled connections would otherwise stay open on the server for Npgsql's idle lifetime (5 minutes):
            // a process that opens stores one after the other (the tests open hundreds) runs out of PostgreSQL connections.
            // Idle ones close now, ones still in use when they are returned.
            using var connection = new NpgsqlConnection(Location.ConnectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <summary>The store's time zone (IANA id): times without an offset in imports are read in it.</summary>
    public async Task<string> GetSettingAsync(string key, string fallback, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = @key";
        command.AddParameter("@key", key);
        return await command.ExecuteScalarAsync(ct) as string ?? fallback;
    }

    /// <param name="affectsAnalytics">False for a setting nothing derived depends on (the pricing pipeline): no index rebuild follows.</param>
    public async Task SetSettingAsync(string key, string value, CancellationToken ct, bool affectsAnalytics = true)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.AddParameter("@key", key);
        command.AddParameter("@value", value);
        await command.ExecuteNonQueryAsync(ct);
        // A setting (the time zone, say) can change how everything derived is computed.
        if (affectsAnalytics) OnCommitted(IngestChanges.Unknown());
    }

    private static async Task EnsurePostgresDatabaseAsync(StoreLocation location, CancellationToken ct)
    {
        try
        {
            await using var probe = new NpgsqlConnection(location.ConnectionString);
            await probe.OpenAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
            var database = builder.Database!;
            builder.Database = "postgres";
            await using var admin = new NpgsqlConnection(builder.ConnectionString);
            await admin.OpenAsync(ct);
            await using var create = admin.CreateCommand();
            create.CommandText = $"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            try
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException race) when (race.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
            }
        }
    }

    private static bool IsUnavailable(Exception e) =>
        e is NpgsqlException or SocketException or TimeoutException or UnauthorizedAccessException or IOException
        || (e is SqliteException sqlite && sqlite.SqliteErrorCode is 14 /* CANTOPEN */ or 26 /* NOTADB */ or 8 /* READONLY */)
        || (e is ArgumentException && e.Message.Contains("connection string", StringComparison.OrdinalIgnoreCase));

    private static string DescribeUnavailable(StoreLocation location, Exception e)
    {
        var reason = e.InnerException is { } inner && e is NpgsqlException && e is not PostgresException ? inner.Message : e.Message;
        if (location.Engine == SqlEngine.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
            return $"cannot reach PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database}', user '{builder.Username}'): {reason}";
        }
        return $"cannot open the SQLite store {location.ConnectionString.Replace("Data Source=", "", StringComparison.Ordinal).Split(';')[0]}: {reason}";
    }
}

public static class DbCommandExtensions
{
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static DbParameter AddParameter(this DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
