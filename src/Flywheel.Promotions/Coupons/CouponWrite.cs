using System.Data;
using System.Data.Common;
using Flywheel.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Flywheel.Promotions.Coupons;

/// <summary>
/// A connection with an open write transaction. On SQLite it holds the store's write lock (one writer at a time: waiting
/// here is fairer and cheaper than SQLITE_BUSY polling) and the transaction is BEGIN IMMEDIATE; on PostgreSQL it is READ
/// COMMITTED, where every counter changes by a conditional UPDATE that re-checks its guard on the newest row version.
/// </summary>
internal sealed class CouponWrite : IAsyncDisposable
{
    private readonly FlywheelStore _store;
    private readonly bool _locked;

    private CouponWrite(FlywheelStore store, bool locked, DbConnection connection, DbTransaction transaction)
    {
        _store = store;
        _locked = locked;
        Connection = connection;
        Transaction = transaction;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public static async Task<CouponWrite> BeginAsync(FlywheelStore store, CancellationToken ct)
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
            // Microsoft.Data.Sqlite begins a non-deferred transaction as BEGIN IMMEDIATE: the write lock is taken up front,
            // so a transaction never fails half-way when it first writes.
            var transaction = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            return new CouponWrite(store, locked, connection, transaction);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            if (locked) store.WriteLock.Release();
            throw;
        }
    }

    public DbCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql);
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    /// <summary>Without a commit, disposing the transaction rolls it back.</summary>
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
        if (_locked) _store.WriteLock.Release();
    }

    /// <summary>
    /// Failures that a fresh attempt of the whole transaction can get past: a PostgreSQL deadlock or serialization failure,
    /// SQLite busy or locked (another process writing longer than the busy timeout).
    /// </summary>
    public static bool IsTransient(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
        || e is SqliteException { SqliteErrorCode: 5 or 6 };
}
