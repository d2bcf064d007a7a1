using System.CommandLine;
using Flywheel.Cli.Commands;
using Flywheel.Primitives;
using Flywheel.Analytics;
using Flywheel.Campaigns;
using Flywheel.Grow;
using Flywheel.Experiments;
using Flywheel.Customers;
using Flywheel.Ingestion;
using Flywheel.Promotions;
using Flywheel.Server;
using Flywheel.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Cli;

public static class FlywheelCli
{
    /// <summary>Every module's services, as the server registers them, for commands that resolve handlers.</summary>
    internal static void AddModules(IServiceCollection services)
    {
        var configuration = new ConfigurationBuilder().Build();
        services.AddIngestion(configuration);
        services.AddAnalytics(configuration);
        services.AddCustomers(configuration);
        services.AddPromotions(configuration);
        // Only for what commands resolve (the send log's part of 'customers forget'); the worker loops run in 'serve' and 'worker'.
        services.AddCampaigns(configuration);
        services.AddGrow(configuration);
        services.AddExperiments(configuration);
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, TimeProvider time)
    {
        var cli = new CliContext(console, time, FlywheelServer.Migrations, AddModules);
        var root = new RootCommand("Flywheel: measure, understand, offer, engage — an e-commerce marketing engine")
        {
            CliContext.DataOption,
            CliContext.DbOption,
            DemoCommand.Create(console, time),
            ServeCommand.Create(console, time),
            ServeCommand.CreateWorker(console, time),
            LoadTestCommand.Create(console, time),
            ReportCommand.Create(cli),
        };
        foreach (var command in AnalyticsModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in CustomersModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in IngestionModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in PromotionsModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in CampaignsModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in GrowModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in ExperimentsModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in Flywheel.Hosting.Access.AccessModule.Commands(cli)) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await console.Error.WriteLineAsync($"error: {error.Message}");
            if (Suggestion(parse) is { } suggestion) await console.Error.WriteLineAsync($"did you mean '{suggestion}'? 你是不是要输入 '{suggestion}'?");
            await console.Error.WriteLineAsync("run 'flywheel --help' for usage");
            return ExitCodes.BadInput;
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("cancelled; nothing was committed by the interrupted step");
            return 130;
        }
        catch (Exception e) when (e is OverflowException || (e is AggregateException a && a.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(x => x is OverflowException)))
        {
            // Sums of money are checked (amounts are bounded at ingest, so only millions of orders at the bound get here): say so, not "a bug".
            await console.Error.WriteLineAsync("error: a total of the store's amounts exceeds what a 64-bit amount holds (about 9.2×10^18 fen), " +
                "so it cannot be reported exactly; narrow the range (--from/--to) or the scope");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug, not bad input: one line for the person, the details in a file for the report.
            var log = await CrashLog.WriteAsync(e, args, time);
            await console.Error.WriteLineAsync($"error: unexpected failure ({e.GetType().Name}: {FirstLine(e.Message)}); " +
                (log is null ? "the details could not be written to a file" : $"details in {log}") + "; please report it");
            return ExitCodes.Unexpected;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// The command closest to the first unrecognised word (at most two edits away, or a unique prefix), among the subcommands of
    /// the command the line reached: "flywheel reprot kpi" suggests "flywheel report kpi".
    /// </summary>
    internal static string? Suggestion(ParseResult parse)
    {
        var unknown = parse.UnmatchedTokens.Count > 0 ? parse.UnmatchedTokens[0] : null;
        if (unknown is null || unknown.StartsWith('-')) return null;
        var command = parse.CommandResult.Command;
        var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        if (names.Count == 0) return null;
        var best = names.Select(name => (name, distance: Distance(unknown.ToLowerInvariant(), name))).OrderBy(c => c.distance).ThenBy(c => c.name, StringComparer.Ordinal).First();
        var prefixed = names.Where(n => n.StartsWith(unknown, StringComparison.OrdinalIgnoreCase)).ToList();
        var pick = prefixed.Count == 1 ? prefixed[0] : best.distance <= 2 ? best.name : null;
        if (pick is null) return null;
        var path = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (c.Command is not RootCommand) path.Insert(0, c.Command.Name);
        return string.Join(' ', ["flywheel", .. path, pick]);
    }

    /// <summary>Levenshtein distance with adjacent swaps (Damerau, optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

    /// <summary>Opens the store the global options name, with every module's tables; on failure prints the reason and gives the exit code.</summary>
    internal static Task<(FlywheelStore? Store, int ExitCode)> OpenStoreAsync(ParseResult parse, CliConsole console, TimeProvider time, CancellationToken ct,
        bool create = false) =>
        new CliContext(console, time, FlywheelServer.Migrations).OpenStoreAsync(parse, ct, create);

}
