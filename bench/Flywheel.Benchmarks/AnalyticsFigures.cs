using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Benchmarks;

/// <summary>
/// Whole-store analytics figures: writes a synthetic store of N events and C customers into a fresh SQLite store, then
/// measures the index build from it (events/s, bytes per event) and the KPI queries on the built index.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- analytics 10000000 200000</c>
/// </summary>
internal static class AnalyticsFigures
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var customers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var folder = Directory.CreateTempSubdirectory("flywheel-analytics-").FullName;
        try
        {
            var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
            using var store = opened.Value;
            var clock = Stopwatch.StartNew();
            await WriteAsync(store, events, customers);
            Console.WriteLine($"wrote {events:N0} events, {customers:N0} customers in {clock.Elapsed.TotalSeconds:F1} s");

            for (var run = 1; run <= 3; run++)
            {
                GC.Collect();
                var before = GC.GetTotalMemory(true);
                clock.Restart();
                var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
                var seconds = clock.Elapsed.TotalSeconds;
                var after = GC.GetTotalMemory(true);
                Console.WriteLine($"index build {run}: {seconds:F2} s, {index.EventCount / seconds:N0} events/s; event columns {index.BytesPerEvent:F1} B/event; " +
                                  $"managed heap held by the index {(after - before) / (double)index.EventCount:F1} B/event");
                if (run < 3) continue;
                var year = new KpiQuery(new DateOnly(2025, 11, 1), new DateOnly(2026, 10, 31), KpiGrouping.Day);
                var halfYear = new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 10, 31), KpiGrouping.Day, Compare: KpiComparison.Previous);
                foreach (var (name, query) in new[]
                         {
                             ("daily KPIs for a year", year),
                             ("KPIs by channel for a year", year with { By = KpiGrouping.Channel }),
                             ("daily KPIs for a year, one channel (scope)", year with { Scope = new Scope(Channel: "douyin") }),
                             ("daily KPIs May-Oct 2026 against the previous 184 days (two passes)", halfYear),
                         })
                {
                    KpiEngine.Report(index, query);
                    var times = new List<double>();
                    for (var i = 0; i < 5; i++)
                    {
                        clock.Restart();
                        KpiEngine.Report(index, query);
                        times.Add(clock.Elapsed.TotalMilliseconds);
                    }
                    Console.WriteLine($"{name}: median {times.Order().ElementAt(2):F1} ms (5 runs)");
                }
                GC.KeepAlive(index);
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static async Task WriteAsync(FlywheelStore store, int events, int customers)
    {
        string[] types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid", "search"];
        string[] channels = ["xiaohongshu", "douyin", "bilibili", "weibo", "tmall", "jd", "pinduoduo", "wechat", "baidu", "email", "sms"];
        var random = new Random(11);
        var start = new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        await using var session = await IngestSession.BeginAsync(store, "bench", "analytics figures", CancellationToken.None);
        for (var i = 0; i < events; i++)
        {
            session.WriteEvent(new EventRow
            {
                EventId = "e" + i.ToString(CultureInfo.InvariantCulture),
                Type = types[random.Next(types.Length)],
                Time = start + random.NextInt64(0, 365L * 86_400_000),
                CustomerId = "c" + random.Next(customers).ToString(CultureInfo.InvariantCulture),
                Channel = channels[random.Next(channels.Length)],
                Campaign = "camp" + random.Next(50).ToString(CultureInfo.InvariantCulture),
                Sku = "sku" + random.Next(500).ToString(CultureInfo.InvariantCulture),
            });
        }
        var day = new DateOnly(2025, 11, 1);
        for (var d = 0; d < 365; d++)
            foreach (var channel in channels)
                session.UpsertSpend(new SpendRow { Date = day.AddDays(d), Channel = channel, Cost = random.NextInt64(10_000, 1_000_000), Impressions = 100_000, Clicks = 2_000 });
        for (var o = 0; o < customers / 2; o++)
        {
            var order = new OrderRow
            {
                OrderId = "o" + o.ToString(CultureInfo.InvariantCulture),
                CustomerId = "c" + random.Next(customers).ToString(CultureInfo.InvariantCulture),
                Status = "completed",
                PlacedAt = start + random.NextInt64(0, 365L * 86_400_000),
                Channel = channels[random.Next(channels.Length)],
            };
            order.Lines.Add(new OrderLineRow { Sku = "sku1", Quantity = 1, UnitPrice = random.NextInt64(1_000, 100_000) });
            session.WriteOrder(order, createMissingProducts: true);
        }
        await session.CommitAsync(events, 0, CancellationToken.None);
    }
}
