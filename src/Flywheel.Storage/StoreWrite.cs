using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Flywheel.Storage;

/// <summary>
/// A connection with an open write transaction, the one way modules write outside an ingest (coupons, audiences,
/// campaigns). On SQLite it holds the store's write lock (one writer at a time: waiting here is fairer and cheaper than
/// SQLITE_BUSY polling) and the transaction is BEGIN IMMEDIATE; on PostgreSQL it is READ COMMITTED, where claims lock rows
/// with FOR UPDATE SKIP LOCKED and every counter or state changes by a conditional UPDATE re-checked on the newest row
/// version. <see cref="RunAsync{T}"/> retries the whole transaction after a deadlock or a busy database.
/// </summary>
public sealed class StoreWrite : IAsyncDisposable
{
    private const int MaxAttempts = 8;
    private readonly FlywheelStore _store;
    private readonly bool _locked;

    private StoreWrite(FlywheelStore store, bool locked, DbConnection connection, DbTransaction transaction)
    {
        _store = store;
        _locked = locked;
        Connection = connection;
        Transaction = transaction;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public bool IsSqlite => Connection is SqliteConnection;

    public static async Task<StoreWrite> BeginAsync(FlywheelStore store, CancellationToken ct)
    {
        var locked = false;
        if (store.Dialect.Engine == SqlEngine.Sqlite)
        {
            await store.WriteLock.WaitAsync(ct);
            locked = true;
        }
        DbConnection? connection = null;
        try
        {
            connection = await store.OpenConnectionAsync(ct);
            // Microsoft.Data.Sqlite begins a non-deferred transaction as BEGIN IMMEDIATE.
            var transaction = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            return new StoreWrite(store, locked, connection, transaction);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            if (locked) store.WriteLock.Release();
            throw;
        }
    }

    /// <summary>Runs <paramref name="body"/> in a write transaction, again from the start after a deadlock or busy database.</summary>
    public static async Task<T> RunAsync<T>(FlywheelStore store, Func<StoreWrite, Task<T>> body, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                await using var write = await BeginAsync(store, ct);
                return await body(write);
            }
            catch (Exception e) when (n < MaxAttempts && IsTransient(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * n), ct);
            }
        }
    }

    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        return command;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    /// <summary>Without a commit, disposing the transaction rolls it back.</summary>
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
        if (_locked) _store.WriteLock.Release();
    }

    /// <summary>A PostgreSQL deadlock or serialization failure, SQLite busy or locked: a fresh attempt can get past it.</summary>
    public static bool IsTransient(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
        || e is SqliteException { SqliteErrorCode: 5 or 6 };
}
