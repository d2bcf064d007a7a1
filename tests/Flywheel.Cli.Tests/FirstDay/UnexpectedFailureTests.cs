using System.Text.RegularExpressions;
using Flywheel.Hosting.Cli;
using Flywheel.Storage;
using Flywheel.Tests;
using Npgsql;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// The exit-1 path through the real entry: a store damaged behind Flywheel's back (its orders table dropped) makes a report
/// fail in a way no command expects. The person gets one line on stderr naming a log file; the file has the exception's
/// details and no connection string or password.
/// </summary>
public sealed partial class UnexpectedFailureTests : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..12];
    private readonly string _secret = "Crash-" + Guid.NewGuid().ToString("N")[..16];
    private string? _role, _database, _folder, _log;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_log is not null) File.Delete(_log);
        if (_folder is not null)
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
        if (_role is not null)
        {
            // DROP DATABASE waits for a checkpoint, which on a busy test server can take longer than a command usually may;
            // a cleanup that still fails leaves a database and role behind (./test.sh clears fw_test_ databases) but is no test failure.
            try
            {
                await AdminAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
                await AdminAsync($"DROP ROLE IF EXISTS \"{_role}\"");
            }
            catch (NpgsqlException) { }
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestStores.PostgresServer) { Timeout = 60, CommandTimeout = 300 }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A store whose orders table is gone, and the options that name it. On PostgreSQL the store belongs to a role of its own
    /// whose password (<see cref="_secret"/>) is nowhere else, so finding it in the log would be a leak.
    /// </summary>
    private async Task<string[]> DamagedStoreAsync(string engine)
    {
        StoreLocation location;
        string[] options;
        if (engine == TestStores.Sqlite)
        {
            _folder = Path.Combine(Path.GetTempPath(), "flywheel-tests", "failure_" + _id);
            location = StoreLocation.Sqlite(_folder);
            options = ["--data", _folder];
        }
        else
        {
            _role = "fw_test_role_" + _id;
            await AdminAsync($"CREATE ROLE \"{_role}\" LOGIN CREATEDB PASSWORD '{_secret}'");
            _database = "fw_test_" + _id;
            var connection = new NpgsqlConnectionStringBuilder(TestStores.PostgresServer) { Username = _role, Password = _secret, Database = _database, Timeout = 60 };
            location = StoreLocation.Postgres(connection.ConnectionString);
            options = ["--db", connection.ConnectionString];
        }
        var opened = await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None);
        using var store = opened.Value;
        await using var db = await store.OpenConnectionAsync(CancellationToken.None);
        await using var drop = db.CreateCommand();
        drop.CommandText = "DROP TABLE orders";
        await drop.ExecuteNonQueryAsync();
        return options;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task DamagedStore_ExitsOne_WithOneLineNamingALogWithTheDetailsAndNoSecrets(string engine)
    {
        var options = await DamagedStoreAsync(engine);

        var (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", .. options]);

        Assert.Equal(ExitCodes.Unexpected, exit);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var named = LogPath().Match(line);
        Assert.True(named.Success, line);
        _log = named.Groups["path"].Value;
        Assert.StartsWith("error: unexpected failure (", line, StringComparison.Ordinal);
        Assert.EndsWith("; please report it", line, StringComparison.Ordinal);
        Assert.Equal(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar), Path.GetDirectoryName(_log));
        Assert.Matches(@"^flywheel-failure-.*\.log$", Path.GetFileName(_log));

        Assert.True(File.Exists(_log), _log);
        var log = await File.ReadAllTextAsync(_log);
        Assert.StartsWith("flywheel report kpi ", log, StringComparison.Ordinal);
        Assert.Contains(engine == TestStores.Sqlite ? "SqliteException" : "PostgresException", log, StringComparison.Ordinal);
        Assert.Contains("orders", log, StringComparison.Ordinal);   // the message: no such table / relation does not exist
        Assert.Contains("   at ", log, StringComparison.Ordinal);    // and the stack
        if (engine == TestStores.Postgres)
        {
            Assert.DoesNotContain(_secret, log, StringComparison.Ordinal);
            Assert.DoesNotContain("Password=", log, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("flywheel report kpi --db ***", log, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"details in (?<path>\S+flywheel-failure-\S+\.log);")]
    private static partial Regex LogPath();
}
