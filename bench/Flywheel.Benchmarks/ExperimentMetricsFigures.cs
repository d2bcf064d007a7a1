using System.Diagnostics;
using System.Globalization;
using Flywheel.Experiments.Storage;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Npgsql;

namespace Flywheel.Benchmarks;

/// <summary>
/// Experiment metrics end to end (<see cref="ExperimentMetrics.ReadAsync(FlywheelStore, MetricsRequest, CancellationToken)"/>: exposures,
/// the exposed customers' paid orders and consent withdrawals, all eight metrics with CUPED covariates and daily looks) on a synthetic
/// store: N customers, each exposed once over 30 days, ~2.5 paid orders each over 60 days, 5% withdrawing consent.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- experiment-metrics 100000 [sqlite|postgres] [pg-connection-string] [existing-sqlite-folder]</c>
/// </summary>
internal static class ExperimentMetricsFigures
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var engine = args.Length > 1 ? args[1] : "sqlite";
        var server = args.Length > 2 ? args[2] : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
        // A fifth argument names a SQLite folder this command filled before: it is measured again without writing.
        var reuse = args.Length > 3 ? args[3] : null;
        var location = reuse is not null ? StoreLocation.Sqlite(reuse) : engine == "postgres"
            ? StoreLocation.Postgres(new NpgsqlConnectionStringBuilder(server) { Database = "fw_bench_expmetrics_" + Guid.NewGuid().ToString("N")[..8] }.ConnectionString)
            : StoreLocation.Sqlite(Path.Combine(Path.GetTempPath(), "flywheel-bench-expmetrics-" + Guid.NewGuid().ToString("N")[..8]));
        var opened = await FlywheelStore.OpenAsync(location, TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
        if (!opened.TryGetValue(out var store, out var error))
        {
            Console.WriteLine($"{engine}: {error}");
            return 1;
        }
        using (store)
        {
            var rnd = new Random(16);
            var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            const long day = 86_400_000;
            var clock = Stopwatch.StartNew();
            long orders = 0;
            if (reuse is null)
            {
            await using (var s = await IngestSession.BeginAsync(store, "bench", "experiment-metrics", CancellationToken.None))
            {
                s.UpsertProduct(new ProductRow { Sku = "P1", Name = "P1", Category = "bench", ListPrice = 10_000 });
                for (var i = 0; i < count; i++)
                {
                    var id = "c" + i;
                    s.UpsertCustomer(new CustomerRow { CustomerId = id });
                    for (var k = rnd.Next(0, 6); k > 0; k--)
                    {
                        var paidAt = start + rnd.NextInt64(60 * day);
                        var refunded = rnd.Next(20) == 0;
                        var order = new OrderRow
                        {
                            OrderId = "o" + orders++, CustomerId = id, Status = refunded ? "refunded" : "paid", PlacedAt = paidAt - 60_000, PaidAt = paidAt,
                            RefundedAt = refunded ? paidAt + day : null,
                        };
                        var quantity = rnd.Next(1, 4);
                        order.Lines.Add(new OrderLineRow { Sku = "P1", Quantity = quantity, UnitPrice = rnd.NextInt64(1_000, 30_000), LineDiscount = rnd.Next(0, 500),
                            RefundedQuantity = refunded ? quantity : 0 });
                        s.WriteOrder(order, createMissingProducts: false);
                    }
                    if (rnd.Next(20) == 0) s.RecordConsent(id, new ConsentChange("sms", "marketing", "withdrawn", start + rnd.NextInt64(60 * day), "bench"));
                }
                await s.CommitAsync(0, 0, CancellationToken.None);
            }
            await using (var connection = await store.OpenConnectionAsync(CancellationToken.None))
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = "INSERT INTO experiments (experiment_key, name, salt, definition, status, created_at, updated_at) VALUES ('bench', 'bench', 's', '{}', 'running', 0, 0)";
                    await command.ExecuteNonQueryAsync();
                }
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO experiment_exposures (experiment_key, unit_id, variant, exposed_at, source) VALUES ('bench', @u, @v, @t, 'bench')";
                var unit = insert.AddParameter("@u", "");
                var variant = insert.AddParameter("@v", "");
                var at = insert.AddParameter("@t", 0L);
                for (var i = 0; i < count; i++)
                {
                    unit.Value = "c" + i;
                    variant.Value = rnd.Next(2) == 0 ? "control" : "b";
                    at.Value = start + 15 * day + rnd.NextInt64(30 * day);
                    await insert.ExecuteNonQueryAsync();
                }
                await transaction.CommitAsync();
            }
            }
            Console.WriteLine($"{engine}: wrote {count:N0} customers, {orders:N0} orders, {count:N0} exposures in {clock.Elapsed.TotalSeconds:F1} s");

            var ids = Enumerable.Range(0, count).Select(i => "c" + i).ToHashSet(StringComparer.Ordinal);
            for (var run = 0; run < 2; run++)
            {
                clock.Restart();
                var read = await Flywheel.Ingestion.Contracts.OrderOutcomes.OfCustomersAsync(store, ids, start, start + 90 * day, CancellationToken.None);
                var ordersMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var withdrawals = await Flywheel.Customers.Contracts.ConsentWithdrawals.MarketingAsync(store, ids, start, start + 90 * day, CancellationToken.None);
                Console.WriteLine($"{engine}: the parts: {read.Count:N0} orders read in {ordersMs:F0} ms, {withdrawals.Count:N0} withdrawals in {clock.Elapsed.TotalMilliseconds:F0} ms");
            }
            foreach (var daily in new[] { false, true })
                for (var run = 0; run < 3; run++)
                {
                    clock.Restart();
                    var result = await ExperimentMetrics.ReadAsync(store, new MetricsRequest("bench", ExperimentMetrics.CustomerUnit, 14, [], Daily: daily), CancellationToken.None);
                    var elapsed = clock.Elapsed.TotalMilliseconds;
                    var r = result.Value;
                    Console.WriteLine($"{engine}: read {r.Totals.Sum(t => t.Units):N0} units, 8 metrics, daily {daily} ({r.Metrics[0].Looks.Count} looks), " +
                                      $"{r.Totals.Sum(t => t.Orders):N0} orders in windows: {elapsed:F0} ms (run {run + 1})");
                }
        }
        return 0;
    }
}
