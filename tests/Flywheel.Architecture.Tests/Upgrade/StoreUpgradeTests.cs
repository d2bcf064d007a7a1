using System.Data.Common;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Flywheel.Hosting.Cli;
using Flywheel.Grow;
using Flywheel.Experiments;
using Flywheel.Server;
using Flywheel.Storage;
using Flywheel.Tests;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Flywheel.Architecture.Tests.Upgrade;

/// <summary>
/// A store written by main before modules kept their own migrations (commit d565862: `flywheel demo --customers 150 --days 21
/// --seed 7`, the double11 promotions, a pipeline, a coupon batch with a claim, a redemption and a refused second redemption,
/// the abandoned-cart journey and a segment; dumped with pg_dump --inserts for PostgreSQL) opens under the module layout: every
/// module adopts its tables instead of creating them again, every row of every table is intact, and the upgraded store works.
/// </summary>
public sealed class StoreUpgradeTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Open_StoreFromMainBeforeModules_MigratesInPlaceWithEveryRowIntact(string engine)
    {
        var location = await RestoreAsync(engine);
        var before = await FingerprintAsync(location);
        Assert.Contains("coupon_requests", before.Keys);
        Assert.True(before["events"].Rows > 1000, $"the fixture has {before["events"].Rows} events");

        var opened = await FlywheelStore.OpenAsync(location, new TestClock(), FlywheelServer.Migrations, CancellationToken.None);
        Assert.True(opened.IsSuccess, opened.Error?.ToString());
        using (var store = opened.Value)
        {
            var after = await FingerprintAsync(location);
            foreach (var (table, print) in before)
                if (table != "module_migrations") Assert.True(after[table] == print, $"{table}: {print} before, {after[table]} after");
            // Nothing was created twice: the only new tables are the module ledger, with one row per module migration, and those of
            // migrations written after the fixture (Ingestion's order_returns, Access's api_keys, audit_log and console_sessions,
            // Customers' erasure tombstones, every table of Grow).
            Assert.Equal(new[] { "api_keys", "audit_log", "console_sessions", "customer_erasures", "module_migrations", "order_returns" }
                    .Concat(GrowModule.Migrations.Tables()).Concat(ExperimentsModule.Migrations.Tables()).Order(StringComparer.Ordinal).ToList(),
                after.Keys.Except(before.Keys).Order(StringComparer.Ordinal).ToList());
            var expected = StoreSchema.Record.Migrations.Count + FlywheelServer.Migrations.Sum(m => m.Migrations.Count);
            Assert.Equal(expected, Convert.ToInt32(await TestStores.ScalarAsync(store, "SELECT COUNT(*) FROM module_migrations"), CultureInfo.InvariantCulture));
            foreach (var set in FlywheelServer.Migrations)
                Assert.Equal(set.Migrations.Count, Convert.ToInt32(await TestStores.ScalarAsync(store,
                    $"SELECT COUNT(*) FROM module_migrations WHERE module = '{set.Module}'"), CultureInfo.InvariantCulture));
        }

        // Opening again changes nothing.
        using (var again = (await FlywheelStore.OpenAsync(location, new TestClock(), FlywheelServer.Migrations, CancellationToken.None)).Value)
            Assert.Equal(await FingerprintAsync(location), await FingerprintAsync(location));

        // The upgraded store works through the modules: the promotions and pipeline read back, and a repeated redemption gets the
        // refusal stored before the upgrade (an error stored without a kind still answers as the conflict it was).
        var args = engine == TestStores.Sqlite ? new[] { "--data", location.DataFolder! } : ["--db", location.ConnectionString];
        var (exit, output, _) = await RunAsync(["promo", "list", .. args]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(6, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        (exit, output, _) = await RunAsync(["promo", "pipeline", .. args]);
        Assert.StartsWith("item → store_coupons → store_promotions", output, StringComparison.Ordinal);
        var code = (string)(await ScalarAsync(location, "SELECT code FROM coupons WHERE customer_id = 'C000001'"))!;
        var (refusedExit, _, refusal) = await RunAsync(["coupons", "redeem", code, "--order", "O-2", "--customer", "C000001", "--discount", "50", "--key", "k3", .. args]);
        Assert.Equal(ExitCodes.BadInput, refusedExit);
        Assert.Contains("already redeemed on another order", refusal, StringComparison.Ordinal);
        await using var server = await UpgradedServer.StartAsync(location);
        using var response = await server.Client.PostAsync($"/v1/coupons/{code}/redeem", new StringContent(
            """{"order_id":"O-2","customer_id":"C000001","discount":5000,"idempotency_key":"k3"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, response.StatusCode);
    }

    private static async Task<(int Exit, string Out, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Flywheel.Cli.FlywheelCli.RunAsync(args, new CliConsole(output, error, false), new TestClock());
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A fresh store from the fixture: the SQLite file unpacked into a new folder, or the dump replayed into a new database.</summary>
    private static async Task<StoreLocation> RestoreAsync(string engine)
    {
        var location = TestStores.NewLocation(engine);
        var assembly = typeof(StoreUpgradeTests).Assembly;
        if (engine == TestStores.Sqlite)
        {
            Directory.CreateDirectory(location.DataFolder!);
            await using var packed = assembly.GetManifestResourceStream("main-2026-12-07.sqlite.db.gz")!;
            await using var gzip = new GZipStream(packed, CompressionMode.Decompress);
            await using var file = File.Create(Path.Combine(location.DataFolder!, "flywheel.db"));
            await gzip.CopyToAsync(file);
            return location;
        }
        var database = new NpgsqlConnectionStringBuilder(location.ConnectionString).Database!;
        var admin = new NpgsqlConnectionStringBuilder(TestStores.PostgresServer) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        string dump;
        await using (var packed = assembly.GetManifestResourceStream("main-2026-12-07.postgres.sql.gz")!)
        await using (var gzip = new GZipStream(packed, CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip, Encoding.UTF8))
            dump = await reader.ReadToEndAsync();
        // pg_dump empties search_path for its session; an unpooled connection keeps that from reaching the store's connections.
        var restore = new NpgsqlConnectionStringBuilder(location.ConnectionString) { Pooling = false, CommandTimeout = 300 };
        await using (var connection = new NpgsqlConnection(restore.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(dump, connection);
            await command.ExecuteNonQueryAsync();
        }
        return location;
    }

    private sealed record Print(long Rows, string Hash)
    {
        public override string ToString() => $"{Rows} rows, content {Hash[..12]}";
    }

    /// <summary>Each table's row count and a hash of its rows (sorted, so row order does not matter).</summary>
    private static async Task<Dictionary<string, Print>> FingerprintAsync(StoreLocation location)
    {
        await using var connection = Open(location);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = connection is SqliteConnection
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT tablename FROM pg_tables WHERE schemaname = 'public'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var prints = new Dictionary<string, Print>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var rows = new List<string>();
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM {table}";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new string[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                    values[i] = reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
                rows.Add(string.Join('\u001f', values));
            }
            rows.Sort(StringComparer.Ordinal);
            prints[table] = new Print(rows.Count, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows)))));
        }
        return prints;
    }

    private static async Task<object?> ScalarAsync(StoreLocation location, string sql)
    {
        await using var connection = Open(location);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static DbConnection Open(StoreLocation location) => location.Engine == SqlEngine.Sqlite
        ? new SqliteConnection(location.ConnectionString + ";Pooling=False")
        : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(location.ConnectionString) { Pooling = false }.ConnectionString);
}
