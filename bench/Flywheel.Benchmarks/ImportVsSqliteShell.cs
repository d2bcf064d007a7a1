using System.Diagnostics;
using System.Globalization;
using System.Text;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;

namespace Flywheel.Benchmarks;

/// <summary>
/// The figure: CSV import of events into the SQLite store against the sqlite3 shell's own `.import` of
/// the same file into the same (freshly migrated) table. Each side runs on a fresh store, alternating, and the
/// median of the runs is reported with the ratio. Our import also validates every row, parses times and
/// money, and creates the customers the events name; `.import` stores the text as it is.
/// </summary>
internal static class ImportVsSqliteShell
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var folder = Directory.CreateTempSubdirectory("flywheel-bench-").FullName;
        try
        {
            var csv = Path.Combine(folder, "events.csv");
            Generate(csv, rows);
            Console.WriteLine($"file: {rows:N0} events, {new FileInfo(csv).Length / 1e6:F1} MB");
            var ours = new List<double>();
            var shell = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                ours.Add(await OursAsync(csv, Path.Combine(folder, $"ours{run}")));
                shell.Add(await ShellAsync(csv, Path.Combine(folder, $"shell{run}")));
                Console.WriteLine($"run {run + 1}: flywheel import {rows / ours[^1]:N0} rows/s, sqlite3 .import {rows / shell[^1]:N0} rows/s");
            }
            var oursMedian = Median(ours);
            var shellMedian = Median(shell);
            Console.WriteLine($"median: flywheel import {oursMedian:F2} s ({rows / oursMedian:N0} rows/s); sqlite3 .import {shellMedian:F2} s ({rows / shellMedian:N0} rows/s)");
            Console.WriteLine($"ratio (flywheel rate / sqlite3 rate): {shellMedian / oursMedian:F2}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> OursAsync(string csv, string dataFolder)
    {
        using var store = await OpenAsync(dataFolder);
        var clock = Stopwatch.StartNew();
        var result = await Importer.ImportAsync(store, new ImportRequest(ImportKind.Events, csv), null, CancellationToken.None);
        clock.Stop();
        if (!result.Succeeded) throw new InvalidOperationException(result.Error!.ToString());
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ShellAsync(string csv, string dataFolder)
    {
        (await OpenAsync(dataFolder)).Dispose();
        var db = Path.Combine(dataFolder, StoreLocation.DatabaseFileName);
        var start = new ProcessStartInfo("sqlite3")
        {
            ArgumentList = { db, "-cmd", "PRAGMA journal_mode=WAL", "-cmd", "PRAGMA synchronous=NORMAL", $".import --csv --skip 1 {csv} events" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sqlite3 is not installed (apt-get install sqlite3)");
        await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        clock.Stop();
        if (process.ExitCode != 0) throw new InvalidOperationException("sqlite3 failed: " + error);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<FlywheelStore> OpenAsync(string dataFolder)
    {
        var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(dataFolder), TimeProvider.System, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
        return opened.IsSuccess ? opened.Value : throw new InvalidOperationException(opened.Error!.ToString());
    }

    /// <summary>Events in the table's own column order, so `.import` can load the file unchanged.</summary>
    internal static void Generate(string path, int rows)
    {
        string[] types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid", "search"];
        string[] channels = ["xiaohongshu", "douyin", "tmall", "jd", "wechat", "baidu"];
        var random = new Random(1);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.WriteLine("event_id,type,time,customer_id,anonymous_id,channel,source,medium,campaign,content,term,kol_id,sku,value,properties,ingest_id");
        for (var i = 0; i < rows; i++)
        {
            var type = types[random.Next(types.Length)];
            var channel = channels[random.Next(channels.Length)];
            var value = type == "order_paid" ? $"{random.Next(500)}.{random.Next(100):00}" : "";
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"e{i:D8},{type},2026-{random.Next(1, 11):D2}-{random.Next(1, 28):D2}T{random.Next(24):D2}:{random.Next(60):D2}:{random.Next(60):D2}+08:00," +
                $"c{random.Next(100_000)},,{channel},{channel},cpc,camp{random.Next(20)},,,,sku{random.Next(500)},{value},,"));
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
