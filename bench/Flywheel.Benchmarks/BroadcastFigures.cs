using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Runtime;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Npgsql;

namespace Flywheel.Benchmarks;

/// <summary>
/// A broadcast to <c>all</c> of N customers end to end: <see cref="BroadcastPlanner.PlanAsync"/> resolves the segment, reads
/// contacts and consent, picks the control group (10%), renders the template with signed links per customer and stores
/// batches of 5,000 with their progress. Customers are seeded by bulk SQL (three zones; 95% with an email; marketing email
/// consent granted 80% (a sixteenth of those without an email), withdrawn 5%, none 15%) into a fresh SQLite store, and PostgreSQL when FLYWHEEL_BENCH_PG is set.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- broadcast 1000000</c>
/// </summary>
internal static class BroadcastFigures
{
    private const string Definition = """
        { "name": "双11 预热", "segment": "all", "channel": "email", "holdout_percent": 10, "send_at": "2026-11-11T10:00:00+08:00", "rate_per_minute": 100000,
          "template": { "subject": "{{customer.name}}，双11 来了",
                        "text": "{{customer.name}} 你好，{{customer.city}} 的会员专享：{{track \"https://shop.example/d11\"}} 退订：{{unsubscribe_url}}",
                        "html": "<p>{{customer.name}} 你好</p><a href=\"{{track \"https://shop.example/d11\"}}\">去看看</a> <a href=\"{{unsubscribe_url}}\">退订</a>" } }
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var engines = new List<(string, StoreLocation)>
        {
            ("sqlite", StoreLocation.Sqlite(Path.Combine(Path.GetTempPath(), "flywheel-bench-broadcast-" + Guid.NewGuid().ToString("N")[..8]))),
        };
        if (Environment.GetEnvironmentVariable("FLYWHEEL_BENCH_PG") is { Length: > 0 } server)
            engines.Add(("postgres", StoreLocation.Postgres(new NpgsqlConnectionStringBuilder(server) { Database = "fw_bench_broadcast_" + Guid.NewGuid().ToString("N")[..8] }.ConnectionString)));
        foreach (var (engine, location) in engines)
        {
            var opened = await FlywheelStore.OpenAsync(location, TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
            if (!opened.TryGetValue(out var store, out var error))
            {
                Console.WriteLine($"{engine}: {error}");
                continue;
            }
            using (store)
            {
                var clock = Stopwatch.StartNew();
                await SeedAsync(store, count);
                Console.WriteLine($"{engine}: seeded {count:N0} customers with identities and consent in {clock.Elapsed.TotalSeconds:F1} s");

                clock.Restart();
                var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
                var indexSeconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{engine}: event index ({index.VisitorCount:N0} customers) built in {indexSeconds:F1} s (the server keeps one; the planner builds one when not given)");

                var campaigns = new CampaignStore(store, TimeProvider.System);
                var links = await TrackingLinks.ForStoreAsync(store, "https://fw.example.cn", CancellationToken.None);
                var planner = new BroadcastPlanner(store, campaigns, links, TimeProvider.System, _ => Task.FromResult(index));
                _ = (await planner.CreateAsync("bench", Definition, CancellationToken.None)).Value;
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Restart();
                var planned = await planner.PlanAsync("bench", CancellationToken.None);
                var seconds = clock.Elapsed.TotalSeconds;
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                if (!planned.TryGetValue(out var result, out var planError))
                {
                    Console.WriteLine($"{engine}: {planError}");
                    continue;
                }
                var b = result.Broadcast;
                var messages = Convert.ToInt64(await ScalarAsync(store, "SELECT COUNT(*) FROM messages"), CultureInfo.InvariantCulture);
                Console.WriteLine($"{engine}: PlanAsync {b.Planned:N0} customers in {seconds:F1} s = {b.Planned / seconds:N0} messages/s " +
                    $"(queued {b.Enqueued:N0}, held_out {b.HeldOut:N0}, suppressed {b.Planned - b.Enqueued - b.HeldOut:N0}; {messages:N0} rows; " +
                    $"{result.Batches} batches; this process's CPU {cpu:F1} s; with the index build {seconds + indexSeconds:F1} s)");
            }
            if (engine == "sqlite") Directory.Delete(location.DataFolder!, recursive: true);
        }
        return 0;
    }

    internal static async Task SeedAsync(FlywheelStore store, int count)
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var postgres = store.Dialect.Engine == SqlEngine.Postgres;
        var numbers = postgres
            ? $"FROM generate_series(1, {count}) AS n(i)"
            : $"FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) SELECT i FROM s) AS n";
        var id = postgres ? "'c' || lpad(i::text, 8, '0')" : "printf('c%08d', i)";
        string[] statements =
        [
            $"INSERT INTO customers (customer_id, name, city, member_tier, time_zone, created_at, updated_at) SELECT {id}, '顾客' || i, " +
            $"CASE i % 3 WHEN 0 THEN '上海' WHEN 1 THEN '杭州' ELSE '成都' END, 'silver', " +
            $"CASE i % 3 WHEN 0 THEN 'Asia/Shanghai' WHEN 1 THEN 'Asia/Urumqi' ELSE 'America/Los_Angeles' END, {now}, {now} {numbers}",
            $"INSERT INTO customer_identities (kind, value, customer_id, created_at) SELECT 'email', {id} || '@example.com', {id}, {now} {numbers} WHERE i % 20 <> 0",
            $"INSERT INTO customer_consents (customer_id, channel, purpose, status, changed_at, source) SELECT {id}, 'email', 'marketing', " +
            $"CASE WHEN i % 20 = 1 THEN 'withdrawn' ELSE 'granted' END, {now}, 'bench' {numbers} WHERE i % 20 NOT IN (2, 3, 4)",
        ];
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandTimeout = 0;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    private static async Task<object?> ScalarAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
