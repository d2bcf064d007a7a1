using System.Diagnostics;
using System.Globalization;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;

namespace Flywheel.Benchmarks;

/// <summary>
/// Journey trigger evaluation: N customers, M events already stored (10% add_to_cart, 3% order_paid, the rest page views and
/// product views) in ingests of 10,000, the abandoned-cart journey active; times the trigger feed reading every event from
/// the store and evaluating it (entering customers, exiting payers).
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- triggers [customers] [events]</c>
/// </summary>
internal static class TriggerFigures
{
    public static async Task<int> RunAsync(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var events = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "flywheel-bench-triggers-" + Guid.NewGuid().ToString("N")[..8]);
        var store = (await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None)).Value;
        using (store)
        {
            await BroadcastFigures.SeedAsync(store, customers);
            var campaigns = new CampaignStore(store, TimeProvider.System);
            var links = await TrackingLinks.ForStoreAsync(store, "https://fw.example.cn", CancellationToken.None);
            var engine = new JourneyEngine(store, campaigns, new CustomerDirectory(store), links, TimeProvider.System, "bench") { Coupons = Flywheel.Promotions.PromotionsModule.CouponIssuer(store) };
            var journey = JourneyTemplates.Find("abandoned_cart")!.Journey;
            await campaigns.SaveJourneyAsync(new JourneyDraft(journey.Id, journey.Name, JourneyJson.Write(journey), "active"), null, CancellationToken.None);
            await engine.ReloadAsync(CancellationToken.None);
            var feed = new JourneyTriggerFeed(store, engine);
            await feed.InitialiseAsync(CancellationToken.None);

            var clock = Stopwatch.StartNew();
            await SeedEventsAsync(store, customers, events);
            Console.WriteLine($"sqlite: {customers:N0} customers, {events:N0} events written in {clock.Elapsed.TotalSeconds:F1} s");
            clock.Restart();
            var report = await feed.PollAsync(CancellationToken.None);
            var seconds = clock.Elapsed.TotalSeconds;
            var entries = Convert.ToInt64(await ScalarAsync(store, "SELECT COUNT(*) FROM journey_entries"), CultureInfo.InvariantCulture);
            Console.WriteLine($"sqlite: trigger feed read and evaluated {report.Events:N0} events in {seconds:F2} s = {report.Events / seconds:N0} events/s; " +
                $"{report.Entered:N0} entries made ({entries:N0} rows), exits evaluated for every order_paid");
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static async Task SeedEventsAsync(FlywheelStore store, int customers, int events)
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var rng = new Random(7);
        string[] types = ["page_view", "product_view", "page_view", "product_view", "search"];
        const int perIngest = 10_000;
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        for (var start = 0; start < events; start += perIngest)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            long ingest;
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO ingests (kind, source, started_at, finished_at) VALUES ('bench', 'triggers', @t, @t) RETURNING id";
                command.AddParameter("@t", now);
                ingest = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO events (event_id, type, time, customer_id, sku, ingest_id) VALUES (@id, @type, @time, @c, @sku, @ingest)";
                var id = command.AddParameter("@id", "");
                var type = command.AddParameter("@type", "");
                var time = command.AddParameter("@time", 0L);
                var customer = command.AddParameter("@c", "");
                var sku = command.AddParameter("@sku", "");
                command.AddParameter("@ingest", ingest);
                for (var i = start; i < Math.Min(events, start + perIngest); i++)
                {
                    var roll = rng.Next(100);
                    id.Value = "ev" + i.ToString(CultureInfo.InvariantCulture);
                    type.Value = roll < 10 ? "add_to_cart" : roll < 13 ? "order_paid" : types[roll % types.Length];
                    time.Value = now - (events - i) * 10L;
                    customer.Value = "c" + (1 + rng.Next(customers)).ToString("D8", CultureInfo.InvariantCulture);
                    sku.Value = "SKU-" + rng.Next(500).ToString(CultureInfo.InvariantCulture);
                    await command.ExecuteNonQueryAsync();
                }
            }
            await transaction.CommitAsync();
        }
    }

    private static async Task<object?> ScalarAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
