using Flywheel.Analytics;
using System.CommandLine;
using System.Globalization;
using Flywheel.Storage.Queries;

namespace Flywheel.Cli.Commands;

/// <summary><c>flywheel report ...</c>: reports over the store.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("report", "Reports over the store");
        command.Subcommands.Add(Overview(cli.Console, cli.Time));
        foreach (var report in AnalyticsModule.ReportCommands(cli)) command.Subcommands.Add(report);
        return command;
    }

    private static Command Overview(CliConsole console, TimeProvider time)
    {
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd, in the store's time zone (default: all data)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd, inclusive (default: all data)" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var top = new Option<int>("--top") { Description = "Channels to list", DefaultValueFactory = _ => 11 };
        var command = new Command("overview", "GMV, orders, buyers, UV, CVR, AOV, repurchase rate, ad spend, ROI and the top channels") { from, to, format, top };
        command.SetAction(async (parse, ct) =>
        {
            if (!TryDay(parse.GetValue(from), out var fromDay) || !TryDay(parse.GetValue(to), out var toDay))
            {
                await console.Error.WriteLineAsync("error: --from and --to take a date as yyyy-MM-dd, e.g. 2026-06-18");
                return ExitCodes.BadInput;
            }
            if (fromDay is { } f && toDay is { } t && f > t)
            {
                await console.Error.WriteLineAsync($"error: --from {f:yyyy-MM-dd} is after --to {t:yyyy-MM-dd}");
                return ExitCodes.BadInput;
            }
            var (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exitCode;
            using (store)
            {
                var overview = await StoreOverview.QueryAsync(store, fromDay, toDay, ct);
                var topChannels = Math.Max(0, parse.GetValue(top));
                var currency = await StoreCurrency.ReadAsync(store, ct);
                if (parse.GetValue(format) == "json") await OverviewOutput.WriteJsonAsync(console.Out, overview, topChannels, currency);
                else await OverviewOutput.WriteTextAsync(console.Out, overview, topChannels, currency);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reports bad input naming the option, and gives the bad-input exit code (as <see cref="CliContext.BadAsync"/>).</summary>
    internal static Task<int> BadAsync(CliConsole console, string option, string message) => CliContext.BadAsync(console, option, message);

    internal static bool TryDay(string? text, out DateOnly? day) => CliContext.TryDay(text, out day);
}
