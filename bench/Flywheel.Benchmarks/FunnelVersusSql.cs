using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Flywheel.Benchmarks;

/// <summary>
/// The same 4-step, 7-day funnel on the same data, three ways in one run: the event index, SQL on SQLite and SQL on
/// PostgreSQL. The data (N events of C customers over 90 days, later steps rarer) goes into a fresh SQLite store
/// through the ingest session and into a fresh PostgreSQL database by binary COPY. The SQL gets a supporting index
/// on (type, customer_id, time), built before timing, so it is not penalised for a missing index.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- funnel-vs-sql 10000000 200000</c>
/// (PostgreSQL from FLYWHEEL_TEST_PG, default postgres/postgres on 127.0.0.1:5432).
/// </summary>
internal static class FunnelVersusSql
{
    private const long WindowMs = 7L * 86_400_000;

    /// <summary>
    /// The funnel in SQL: a customer's first product_view starts it; each later step is the earliest matching event
    /// after the previous step and within seven days of the first. The index's windowFunnel considers every
    /// product_view as a possible start (more work, never fewer customers).
    /// </summary>
    private const string Sql = """
        WITH s1 AS (SELECT customer_id, MIN(time) AS t1 FROM events WHERE type = 'product_view' GROUP BY customer_id),
        s2 AS (SELECT s1.customer_id, s1.t1, MIN(e.time) AS t2 FROM s1 JOIN events e ON e.type = 'add_to_cart' AND e.customer_id = s1.customer_id
               AND e.time > s1.t1 AND e.time <= s1.t1 + 604800000 GROUP BY s1.customer_id, s1.t1),
        s3 AS (SELECT s2.customer_id, s2.t1, MIN(e.time) AS t3 FROM s2 JOIN events e ON e.type = 'begin_checkout' AND e.customer_id = s2.customer_id
               AND e.time > s2.t2 AND e.time <= s2.t1 + 604800000 GROUP BY s2.customer_id, s2.t1),
        s4 AS (SELECT s3.customer_id FROM s3 JOIN events e ON e.type = 'order_paid' AND e.customer_id = s3.customer_id
               AND e.time > s3.t3 AND e.time <= s3.t1 + 604800000 GROUP BY s3.customer_id)
        SELECT (SELECT COUNT(*) FROM s1), (SELECT COUNT(*) FROM s2), (SELECT COUNT(*) FROM s3), (SELECT COUNT(*) FROM s4)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var customers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var folder = Directory.CreateTempSubdirectory("flywheel-funnel-sql-").FullName;
        var pgServer = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
        var pgLocation = StoreLocation.Postgres(new NpgsqlConnectionStringBuilder(pgServer) { Database = "fw_bench_funnel", CommandTimeout = 0 }.ConnectionString);
        try
        {
            var rows = Generate(events, customers);
            var clock = Stopwatch.StartNew();
            using var sqlite = (await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None)).Value;
            await using (var session = await IngestSession.BeginAsync(sqlite, "bench", "funnel-vs-sql", CancellationToken.None))
            {
                foreach (var row in rows) session.WriteEvent(row);
                await session.CommitAsync(rows.Count, 0, CancellationToken.None);
            }
            await ExecuteAsync(sqlite, "CREATE INDEX bench_events_funnel ON events (type, customer_id, time)");
            Console.WriteLine($"SQLite: {events:N0} events written and indexed in {clock.Elapsed.TotalSeconds:F1} s");

            clock.Restart();
            await DropDatabaseAsync(pgServer);
            using var postgres = (await FlywheelStore.OpenAsync(pgLocation, TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None)).Value;
            await CopyAsync(pgLocation.ConnectionString, rows);
            await ExecuteAsync(postgres, "CREATE INDEX bench_events_funnel ON events (type, customer_id, time); ANALYZE events");
            Console.WriteLine($"PostgreSQL: {events:N0} events copied and indexed in {clock.Elapsed.TotalSeconds:F1} s");

            var index = await EventIndexBuilder.BuildAsync(sqlite, null, CancellationToken.None);
            var steps = FunnelStep.ParseList("product_view,add_to_cart,begin_checkout,order_paid").Value;
            var query = FunnelQuery.Create(steps, 7 * 86400, breakdown: FunnelBreakdown.Channel).Value;
            var indexTimes = new List<double>();
            FunnelResult? result = null;
            for (var i = 0; i < 6; i++)
            {
                clock.Restart();
                result = FunnelEngine.Run(index, query).Value;
                if (i > 0) indexTimes.Add(clock.Elapsed.TotalMilliseconds);
            }
            var indexMs = indexTimes.Order().ElementAt(indexTimes.Count / 2);
            Console.WriteLine($"index (windowFunnel, with channel breakdown): median {indexMs:F1} ms of 5; customers per step {string.Join(" / ", result!.Steps.Select(s => s.Customers))}");

            var sqliteMs = await TimeSqlAsync(sqlite, "SQLite");
            var postgresMs = await TimeSqlAsync(postgres, "PostgreSQL");
            Console.WriteLine($"speed-up: {sqliteMs / indexMs:F0}x over SQLite, {postgresMs / indexMs:F0}x over PostgreSQL");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            await DropDatabaseAsync(pgServer);
        }
    }

    private static async Task<double> TimeSqlAsync(FlywheelStore store, string name)
    {
        var times = new List<double>();
        string counts = "";
        for (var i = 0; i < 2; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
            await using var command = connection.CreateCommand();
            command.CommandText = Sql;
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            counts = string.Join(" / ", Enumerable.Range(0, 4).Select(c => Convert.ToInt64(reader.GetValue(c), CultureInfo.InvariantCulture)));
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        var best = times.Min();
        Console.WriteLine($"{name} SQL: best of 2 {best:F0} ms; customers per step {counts}");
        return best;
    }

    private static List<EventRow> Generate(int events, int customers)
    {
        string[] types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid", "search"];
        string[] channels = ["douyin", "tmall", "jd", "xiaohongshu", "wechat", "pinduoduo", "bilibili", "weibo"];
        int[] weights = [30, 35, 15, 8, 4, 8];
        var pick = weights.SelectMany((w, i) => Enumerable.Repeat(i, w)).ToArray();
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        var rows = new List<EventRow>(events);
        for (var i = 0; i < events; i++)
            rows.Add(new EventRow
            {
                EventId = "e" + i.ToString(CultureInfo.InvariantCulture),
                Type = types[pick[random.Next(pick.Length)]],
                Time = start + random.NextInt64(90L * 86_400) * 1000,
                CustomerId = "c" + random.Next(customers).ToString(CultureInfo.InvariantCulture),
                Channel = channels[random.Next(channels.Length)],
            });
        return rows;
    }

    private static async Task CopyAsync(string connectionString, List<EventRow> rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var writer = await connection.BeginBinaryImportAsync("COPY events (event_id, type, time, customer_id, channel, ingest_id) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(row.EventId, NpgsqlDbType.Text);
            await writer.WriteAsync(row.Type, NpgsqlDbType.Text);
            await writer.WriteAsync(row.Time, NpgsqlDbType.Bigint);
            await writer.WriteAsync(row.CustomerId!, NpgsqlDbType.Text);
            await writer.WriteAsync(row.Channel!, NpgsqlDbType.Text);
            await writer.WriteAsync(0L, NpgsqlDbType.Bigint);
        }
        await writer.CompleteAsync();
    }

    private static async Task ExecuteAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task DropDatabaseAsync(string server)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP DATABASE IF EXISTS fw_bench_funnel WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }
}
