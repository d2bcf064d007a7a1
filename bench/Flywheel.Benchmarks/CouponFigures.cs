using System.Diagnostics;
using System.Globalization;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;
using Npgsql;

namespace Flywheel.Benchmarks;

/// <summary>
/// Bulk coupon generation end to end (<see cref="CouponLedger.GenerateAsync"/>: random codes, the quantity reservation and
/// the insert in one transaction) into a fresh store of each engine, plus code generation alone.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- coupons 1000000 [pg-connection-string]</c>
/// </summary>
internal static class CouponFigures
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var server = args.Length > 1 ? args[1] : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

        CouponCodes.NewBatch(10_000);
        var clock = Stopwatch.StartNew();
        CouponCodes.NewBatch(count);
        Console.WriteLine($"codes only: {count:N0} in {clock.Elapsed.TotalMilliseconds:F0} ms");

        var folder = Path.Combine(Path.GetTempPath(), "flywheel-bench-coupons-" + Guid.NewGuid().ToString("N")[..8]);
        var database = "fw_bench_coupons_" + Guid.NewGuid().ToString("N")[..8];
        var locations = new[]
        {
            ("sqlite", StoreLocation.Sqlite(folder)),
            ("postgres", StoreLocation.Postgres(new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString)),
        };
        foreach (var (engine, location) in locations)
        {
            var opened = await FlywheelStore.OpenAsync(location, TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
            if (!opened.TryGetValue(out var store, out var error))
            {
                Console.WriteLine($"{engine}: {error}");
                continue;
            }
            using (store)
            {
                var times = new List<double>();
                var cpu = new List<double>();
                for (var run = 0; run < 3; run++)
                {
                    var input = new CouponBatchInput($"bench{run}", "bench", "no_threshold", 1000, null, 0, null, null, null, null, count, null, null, null,
                        null, null, 7);
                    await CouponLedger.CreateBatchAsync(store, CouponBatches.Validate(input).Value, CancellationToken.None);
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    clock.Restart();
                    var codes = (await CouponLedger.GenerateAsync(store, $"bench{run}", count, CancellationToken.None)).Value;
                    times.Add(clock.Elapsed.TotalSeconds);
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
                    if (codes.Count != count) throw new InvalidOperationException("short");
                }
                Console.WriteLine($"{engine}: generate {count:N0} codes: {string.Join(", ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture) + " s"))} " +
                    $"(runs 1-3; run n inserts into a table already holding (n-1)×{count:N0}); this process's CPU: " +
                    string.Join(", ", cpu.Select(t => t.ToString("F2", CultureInfo.InvariantCulture) + " s")));
            }
        }
        Directory.Delete(folder, recursive: true);
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString))
        {
            NpgsqlConnection.ClearAllPools();
            await admin.OpenAsync();
            await using var drop = admin.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS {database}";
            await drop.ExecuteNonQueryAsync();
        }
        return 0;
    }
}
