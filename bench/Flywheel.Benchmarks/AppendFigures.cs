using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Benchmarks;

/// <summary>
/// How long the event index takes to take in one ingest, against a rebuild: writes the same synthetic store as
/// <see cref="AnalyticsFigures"/>, builds the index, then commits batches of new events (and a few orders, as an HTTP
/// batch would) and times <see cref="EventIndexAppender.AppendAsync"/> for each.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- append 10000000 200000</c>
/// </summary>
internal static class AppendFigures
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var customers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var folder = Directory.CreateTempSubdirectory("flywheel-append-").FullName;
        try
        {
            var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
            using var store = opened.Value;
            await AnalyticsFigures.WriteAsync(store, events, customers);
            var changes = new List<IngestChanges>();
            store.Committed += changes.Add;

            var clock = Stopwatch.StartNew();
            var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
            var rebuild = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"rebuild of {index.EventCount:N0} events: {rebuild:F0} ms");

            var random = new Random(3);
            var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            var next = 0;
            foreach (var batch in new[] { 1, 1, 1, 100, 100, 100, 10_000, 10_000, 10_000 })
            {
                changes.Clear();
                await using (var session = await IngestSession.BeginAsync(store, "bench", "append", CancellationToken.None))
                {
                    for (var i = 0; i < batch; i++)
                    {
                        session.WriteEvent(new EventRow
                        {
                            EventId = "n" + next++.ToString(CultureInfo.InvariantCulture), Type = "page_view",
                            Time = start + random.NextInt64(0, 30L * 86_400_000),
                            // One in twenty from a customer not seen before.
                            CustomerId = "c" + random.Next(customers + customers / 20).ToString(CultureInfo.InvariantCulture),
                            Channel = "douyin",
                        });
                    }
                    var order = new OrderRow
                    {
                        OrderId = "n" + next++.ToString(CultureInfo.InvariantCulture), CustomerId = "c" + random.Next(customers).ToString(CultureInfo.InvariantCulture),
                        Status = "paid", PlacedAt = start, PaidAt = start, Channel = "douyin",
                    };
                    order.Lines.Add(new OrderLineRow { Sku = "sku1", Quantity = 1, UnitPrice = 9_900 });
                    session.WriteOrder(order, createMissingProducts: true);
                    await session.CommitAsync(batch, 0, CancellationToken.None);
                }
                clock.Restart();
                index = await EventIndexAppender.AppendAsync(store, index, [.. changes], CancellationToken.None)
                        ?? throw new InvalidOperationException("the append asked for a rebuild");
                var ms = clock.Elapsed.TotalMilliseconds;
                Console.WriteLine($"append of {batch:N0} events + 1 order: {ms:F0} ms ({rebuild / ms:F0}x faster than the rebuild)");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
