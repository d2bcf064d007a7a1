using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;

namespace Flywheel.Ingestion.Features.Import;

/// <summary><c>flywheel import customers|products|orders|events|spend FILE</c>.</summary>
internal static class ImportCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var kind = new Argument<string>("kind") { Description = "What the file holds: customers, products, orders, events or spend" };
        kind.AcceptOnlyFromAmong("customers", "products", "orders", "events", "spend");
        var file = new Argument<string>("file") { Description = "A CSV file with a header row, or NDJSON (.ndjson/.jsonl), one object per line" };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Load the good rows; write the rejected ones with their reasons to FILE.rejects" };
        var createMissing = new Option<bool>("--create-missing") { Description = "Orders may name SKUs not imported yet: create bare products for them" };
        var format = new Option<string>("--format") { Description = "Input format: auto (by extension), csv or ndjson", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "csv", "ndjson");
        var output = new Option<string>("--output") { Description = "Summary as text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");

        var command = new Command("import", "Import customers, products, orders, events or ad spend from CSV or NDJSON (all-or-nothing unless --skip-bad)")
        {
            kind, file, skipBad, createMissing, format, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var request = new ImportRequest(
                    Enum.Parse<ImportKind>(parse.GetValue(kind)!, ignoreCase: true),
                    parse.GetValue(file)!,
                    parse.GetValue(skipBad),
                    parse.GetValue(createMissing),
                    Enum.Parse<FileFormat>(parse.GetValue(format)!, ignoreCase: true));
                var bar = console.ErrorIsTerminal ? new ProgressLine(console.Error) : null;
                var result = await Importer.ImportAsync(store, request, bar, ct);
                bar?.Done();
                foreach (var warning in result.Warnings)
                    await console.Error.WriteLineAsync($"warning: {warning}");
                if (!result.Succeeded)
                {
                    await console.Error.WriteLineAsync($"error: {result.Error}");
                    await console.Error.WriteLineAsync($"nothing was imported from {request.Path}; the store is unchanged");
                    return ExitCodes.BadInput;
                }
                await WriteSummaryAsync(console, result, parse.GetValue(output) == "json");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static async Task WriteSummaryAsync(CliConsole console, ImportResult r, bool json)
    {
        var c = r.Counts!;
        if (json)
        {
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["kind"] = r.Kind.ToString().ToLowerInvariant(),
                ["file"] = r.Path,
                ["rows"] = r.RowsRead,
                ["inserted"] = c.Inserted,
                ["updated"] = c.Updated,
                ["unchanged"] = c.Unchanged,
                ["duplicates"] = c.Duplicates,
                ["rejected"] = r.Rejected,
                ["rejects_file"] = r.RejectsPath,
                ["customers_created"] = c.BareCustomersCreated,
                ["products_created"] = c.BareProductsCreated,
                ["events_stitched"] = c.EventsStitched,
                ["seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
                ["rows_per_second"] = Math.Round(r.RowsPerSecond),
            }));
            return;
        }
        var line = string.Create(CultureInfo.InvariantCulture,
            $"imported {r.Kind.ToString().ToLowerInvariant()} from {r.Path}: {r.RowsRead:N0} rows, {c.Inserted:N0} new, {c.Updated:N0} updated, " +
            $"{c.Unchanged + c.Duplicates:N0} unchanged or already stored");
        await console.Out.WriteLineAsync(line);
        if (c.BareCustomersCreated > 0 || c.BareProductsCreated > 0)
            await console.Out.WriteLineAsync($"  created {c.BareCustomersCreated:N0} customers and {c.BareProductsCreated:N0} products that the file named but the store did not have");
        if (c.EventsStitched > 0)
            await console.Out.WriteLineAsync($"  stitched {c.EventsStitched:N0} anonymous events to their customers");
        if (r.Rejected > 0)
            await console.Out.WriteLineAsync($"  rejected {r.Rejected:N0} rows; they and their reasons are in {r.RejectsPath}");
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {r.Elapsed.TotalSeconds:0.00} s, {r.RowsPerSecond:N0} rows/s"));
    }

    /// <summary>A one-line progress bar with rows/s on a terminal's stderr.</summary>
    private sealed class ProgressLine(TextWriter error) : IProgress<ImportProgress>
    {
        private bool _drawn;

        public void Report(ImportProgress p)
        {
            var share = p.TotalBytes > 0 ? Math.Min(1.0, (double)p.Bytes / p.TotalBytes) : 0;
            var filled = (int)(share * 30);
            var rate = p.Elapsed.TotalSeconds > 0 ? p.Rows / p.Elapsed.TotalSeconds : 0;
            error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {share,4:P0} {p.Rows,12:N0} rows {rate,10:N0} rows/s"));
            _drawn = true;
        }

        public void Done()
        {
            if (_drawn) error.WriteLine();
        }
    }
}
