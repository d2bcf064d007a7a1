using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;

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
        var map = new Option<string?>("--map")
        {
            Description = $"A column mapping for an export's layout: a YAML file, or a shipped one ({string.Join(", ", ImportMapping.ShippedNames)}); see docs/import-mappings.md",
        };
        var assumePaid = new Option<bool>("--assume-paid") { Description = "Orders with neither a status nor a paid time were paid when placed (a sales history)" };
        var assumePending = new Option<bool>("--assume-pending") { Description = "Orders with neither a status nor a paid time are unpaid (stored as pending)" };

        var command = new Command("import", "Import customers, products, orders, events or ad spend from CSV or NDJSON (all-or-nothing unless --skip-bad)")
        {
            kind, file, skipBad, createMissing, format, output, map, assumePaid, assumePending,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(assumePaid) && result.GetValue(assumePending)) result.AddError("--assume-paid and --assume-pending contradict each other: give one");
        });
        command.SetAction(async (parse, ct) =>
        {
            ImportMapping? mapping = null;
            if (parse.GetValue(map) is { } mapName)
            {
                var loaded = ImportMapping.Load(mapName);
                if (!loaded.TryGetValue(out mapping, out var mapError))
                {
                    await console.Error.WriteLineAsync($"error: --map: {mapError}");
                    return ExitCodes.BadInput;
                }
            }
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var request = new ImportRequest(
                    Enum.Parse<ImportKind>(parse.GetValue(kind)!, ignoreCase: true),
                    parse.GetValue(file)!,
                    parse.GetValue(skipBad),
                    parse.GetValue(createMissing),
                    Enum.Parse<FileFormat>(parse.GetValue(format)!, ignoreCase: true),
                    mapping,
                    parse.GetValue(assumePaid) ? PaidAssumption.Paid : parse.GetValue(assumePending) ? PaidAssumption.Pending : PaidAssumption.Unstated);
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
        var report = r.Report ?? new ImportReport();
        if (json)
        {
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(ImportSummary.Of(r)));
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
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  stored {r.RowsRead - r.Rejected:N0} rows, refused {r.Rejected:N0}"));
        if (report.GuestLines > 0)
            await console.Out.WriteLineAsync($"  {report.GuestLines:N0} lines ({report.GuestOrders:N0} orders) had no customer id: stored as guest orders, counted in GMV and orders, left out of customer models");
        if (report.ReturnLines > 0)
        {
            var money = report.Currency;
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {report.ReturnLines:N0} returned lines ({report.ReturnInvoices:N0} return invoices stored as cancelled orders): {report.ReturnUnitsMatched:N0} units refunded " +
                $"on the sold lines they matched ({MoneyText.Format(report.ReturnAmountMatched)} {money})"));
            if (report.ReturnLinesUnmatched > 0)
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {report.ReturnLinesUnmatched:N0} returned lines ({report.ReturnUnitsUnmatched:N0} units, {MoneyText.Format(report.ReturnAmountUnmatched)} {money}) matched no earlier sale " +
                    $"of the same SKU to the same customer: kept as unmatched returns, refunding nothing"));
            if (report.ReturnLinesAlreadyStored > 0)
                await console.Out.WriteLineAsync($"  {report.ReturnLinesAlreadyStored:N0} returned lines were already stored by an earlier import: not refunded again");
        }
        foreach (var assumption in report.Assumptions())
            await console.Out.WriteLineAsync($"  assumed: {assumption}");
        if (r.Rejected > 0)
        {
            await console.Out.WriteLineAsync($"  rejected {r.Rejected:N0} rows; they and their reasons are in {r.RejectsPath}");
            foreach (var (reason, count) in report.RefusedByReason.OrderByDescending(p => p.Value))
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"    {count,8:N0}  {reason}"));
        }
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
