using System.CommandLine;
using System.Globalization;
using Flywheel.Analytics;
using Flywheel.Campaigns;
using Flywheel.Grow;
using Flywheel.Experiments;
using Flywheel.Ingestion.Demo;
using Flywheel.Promotions;
using Flywheel.Storage;
using Flywheel.Storage.Queries;
using Microsoft.Data.Sqlite;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel demo</c>: builds a realistic demo store and prints the first report. A SQLite store made by an earlier
/// demo is replaced; a store holding anything else is never touched.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var customers = new Option<int>("--customers") { Description = "Registered customers to generate (1-2000000)", DefaultValueFactory = _ => 50000 };
        var days = new Option<int>("--days") { Description = "Days of history, ending today in Asia/Shanghai (7-1095)", DefaultValueFactory = _ => 365 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed builds the same store", DefaultValueFactory = _ => 42 };
        var command = new Command("demo", "Build a demo store (Chinese-market channels, 618/双11, repeat buyers, ad spend, KOL posts) and print the first report")
        {
            customers,
            days,
            seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var started = time.GetTimestamp();
            var validated = new DemoOptions(parse.GetValue(customers), parse.GetValue(days), parse.GetValue(seed)).Validate();
            if (!validated.TryGetValue(out var options, out var invalid))
            {
                await CliContext.WriteErrorAsync(console, invalid);
                return ExitCodes.BadInput;
            }

            var (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct, create: true);
            if (store is null) return exitCode;
            var refusal = await CheckReplaceableAsync(store, ct);
            if (refusal is not null)
            {
                store.Dispose();
                await console.Error.WriteLineAsync($"error: {refusal}");
                return ExitCodes.BadInput;
            }
            if (store.Location.Engine == SqlEngine.Sqlite && await IsDemoAsync(store, ct))
            {
                var folder = store.Location.DataFolder!;
                store.Dispose();
                await console.Error.WriteLineAsync($"replacing the earlier demo store in {folder}");
                DeleteSqliteStore(folder);
                (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct, create: true);
                if (store is null) return exitCode;
            }

            using (store)
            {
                await console.Error.WriteLineAsync(
                    $"building demo store: {options.Customers:N0} customers, {options.Days} days, seed {options.Seed} into {store.Location.Description}");
                var progress = new ConsoleProgress(console.Error, time, started);
                var summary = await DemoStoreGenerator.GenerateAsync(store, options, time, progress, ct);
                // Something to price and to engage with in the console: three promotions, a journey (paused), a broadcast (planned) and
                // a broadcast already sent in the demo's past, with its results.
                await PromotionsModule.AddDemoAsync(store, ct);
                await CampaignsModule.AddDemoAsync(store, time, ct, (clock, c) => ExperimentsModule.StartDemoAsync(store, clock, c));
                var grow = await GrowModule.AddDemoAsync(store, time, ct);
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {summary.Customers:N0} customers, {summary.Products:N0} products, {summary.Events:N0} events, {summary.Orders:N0} orders " +
                    $"({summary.OrderLines:N0} lines), {summary.SpendRows:N0} ad-spend rows, {summary.ContentPosts:N0} KOL posts; " +
                    $"{summary.IdentifiedVisitors:N0} anonymous visitors identified; 3 promotions, the journey 新客首单关怀 (paused), the broadcast 双11 预热 (planned) and 双11 预热短信 (sent in the past, its two texts and 10% holdout the experiment d11_sms_copy: flywheel experiments results d11_sms_copy)"));
                await console.Error.WriteLineAsync($"grow: {grow}");
                var goals = await AnalyticsModule.AddDemoGoalsAsync(store, Day(summary.Parameters.FirstDay), Day(summary.Parameters.LastDay), ct);
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"added {goals} GMV goals (flywheel report goals)"));
                progress.Report("computing the first report");
                var overview = await StoreOverview.QueryAsync(store, null, null, ct);
                await OverviewOutput.WriteTextAsync(console.Out, overview, 11, await StoreCurrency.ReadAsync(store, ct));
                if (store.Location.DataFolder is { } folder)
                    await console.Out.WriteLineAsync($"\ngenerating parameters: {Path.Combine(folder, DemoStoreGenerator.ParametersFileName)}");
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"done in {time.GetElapsedTime(started).TotalSeconds:0.0} s 用时"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Why the demo must not write into this store, or null. An empty store or an earlier demo is fine.</summary>
    private static async Task<string?> CheckReplaceableAsync(FlywheelStore store, CancellationToken ct)
    {
        var isDemo = await IsDemoAsync(store, ct);
        if (!isDemo && await HoldsDataAsync(store, ct))
            return $"{store.Location.Description} already holds data that a demo did not make; refusing to touch it. " +
                   "Use another --data folder (or --db database) for the demo.";
        if (isDemo && await HasOtherIngestsAsync(store, ct))
            return $"{store.Location.Description} holds a demo but also data imported into it since; refusing to replace it. " +
                   "Use another --data folder for a new demo.";
        if (isDemo && store.Location.Engine == SqlEngine.Postgres)
            return $"{store.Location.Description} already holds a demo; drop that database or point --db at a new one to build another.";
        return null;
    }

    private static async Task<bool> IsDemoAsync(FlywheelStore store, CancellationToken ct) =>
        await store.GetSettingAsync(DemoStoreGenerator.SettingsKey, "", ct) != "";

    private static async Task<bool> HasOtherIngestsAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM ingests WHERE kind <> 'demo' LIMIT 1";
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task<bool> HoldsDataAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var table in new[] { "customers", "products", "orders", "events", "ad_spend", "content_posts" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT 1 FROM {table} LIMIT 1";
            if (await command.ExecuteScalarAsync(ct) is not null) return true;
        }
        return false;
    }

    private static void DeleteSqliteStore(string folder)
    {
        SqliteConnection.ClearAllPools();
        var file = Path.Combine(folder, StoreLocation.DatabaseFileName);
        foreach (var path in new[] { file, file + "-wal", file + "-shm", Path.Combine(folder, DemoStoreGenerator.ParametersFileName) })
            File.Delete(path);
    }

    private sealed class ConsoleProgress(TextWriter error, TimeProvider time, long started) : IProgress<string>
    {
        public void Report(string value) =>
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{time.GetElapsedTime(started).TotalSeconds,6:0.0}s] {value}"));
    }
}
