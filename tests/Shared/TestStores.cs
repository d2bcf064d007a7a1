using Flywheel.Storage;
using Npgsql;

namespace Flywheel.Tests;

/// <summary>
/// Real stores for tests: a fresh SQLite file in a temp folder, or a fresh PostgreSQL database on the server that
/// ./test.sh starts (connection from FLYWHEEL_TEST_PG, default postgres/postgres on 127.0.0.1:5432). Every store
/// test runs against both; a PostgreSQL that cannot be reached fails the test instead of skipping it.
/// </summary>
public static class TestStores
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>xunit theory data: both engines.</summary>
    public static TheoryData<string> Engines => new() { Sqlite, Postgres };

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("FLYWHEEL_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Timeout=15";

    /// <summary>A location for a brand-new, empty store of the given engine.</summary>
    public static StoreLocation NewLocation(string engine)
    {
        var name = "fw_test_" + Guid.NewGuid().ToString("N")[..16];
        if (engine == Sqlite)
            return StoreLocation.Sqlite(Path.Combine(Path.GetTempPath(), "flywheel-tests", name));
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name };
        return StoreLocation.Postgres(builder.ConnectionString);
    }

    /// <summary>
    /// The migrations of every module this test project can load (each module's <c>XModule.Migrations</c>), so a test store has
    /// every table a composition root would give it.
    /// </summary>
    public static IReadOnlyList<MigrationSet> Modules { get; } = FindModules();

    private static IReadOnlyList<MigrationSet> FindModules()
    {
        var sets = new List<MigrationSet>();
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "Flywheel.*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.EndsWith(".Tests", StringComparison.Ordinal) || name == "Flywheel.Benchmarks") continue;
            var assembly = System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(name));
            foreach (var type in assembly.GetExportedTypes().Where(t => t.IsAbstract && t.IsSealed && t.Name.EndsWith("Module", StringComparison.Ordinal)))
                if (type.GetProperty("Migrations")?.GetValue(null) is MigrationSet set) sets.Add(set);
        }
        return [.. sets.OrderBy(s => s.Module, StringComparer.Ordinal)];
    }

    public static async Task<FlywheelStore> OpenAsync(string engine, TimeProvider? time = null)
    {
        var opened = await FlywheelStore.OpenAsync(NewLocation(engine), time ?? new TestClock(), Modules, CancellationToken.None);
        if (!opened.IsSuccess) throw new InvalidOperationException($"test store ({engine}) could not be opened: {opened.Error}");
        return opened.Value;
    }

    /// <summary>Row count of a table, for "nothing was written" assertions.</summary>
    public static async Task<long> CountAsync(FlywheelStore store, string table, string where = "1=1")
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {where}";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>A snapshot of every table's row count: equal snapshots before and after mean nothing was written.</summary>
    public static async Task<string> SnapshotAsync(FlywheelStore store)
    {
        var tables = new[] { "customers", "customer_identities", "customer_consents", "products", "orders", "order_lines", "events",
            "identity_links", "ad_spend", "content_posts", "ingests" };
        var parts = new List<string>();
        foreach (var table in tables) parts.Add($"{table}={await CountAsync(store, table)}");
        return string.Join(" ", parts);
    }

    public static async Task<object?> ScalarAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}

/// <summary>A clock tests set by hand.</summary>
public sealed class TestClock : TimeProvider
{
    public TestClock(DateTimeOffset? now = null) => Now = now ?? new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(8));

    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();

    public void Advance(TimeSpan by) => Now += by;
}
