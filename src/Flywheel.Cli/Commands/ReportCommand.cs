using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using Flywheel.Storage.Queries;

namespace Flywheel.Cli.Commands;

/// <summary><c>flywheel report ...</c>: reports over the store.</summary>
internal static class ReportCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("report", "Reports over the store");
        command.Subcommands.Add(Overview(console, time));
        command.Subcommands.Add(ReportKpiCommand.Create(console, time));
        command.Subcommands.Add(ReportFunnelCommand.Create(console, time));
        command.Subcommands.Add(ReportCohortCommand.Create(console, time));
        command.Subcommands.Add(ReportAttributionCommand.Create(console, time));
        command.Subcommands.Add(ReportGoalsCommand.Create(console, time));
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
                if (parse.GetValue(format) == "json") await OverviewOutput.WriteJsonAsync(console.Out, overview, topChannels);
                else await OverviewOutput.WriteTextAsync(console.Out, overview, topChannels);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Checks a --from/--to pair (dates as yyyy-MM-dd, either may be absent): the option at fault and what is wrong with
    /// it, or null when the range is usable.
    /// </summary>
    internal static (string Option, string Message)? RangeProblem(string? from, string? to, out DateOnly? fromDay, out DateOnly? toDay)
    {
        toDay = null;
        if (!TryDay(from, out fromDay)) return ("--from", "takes a date as yyyy-MM-dd");
        if (!TryDay(to, out toDay)) return ("--to", "takes a date as yyyy-MM-dd");
        if (fromDay is { } early && Flywheel.Analytics.Contracts.LocalCalendar.CheckDay("--from", early) is { } badFrom) return ("--from", badFrom.Message);
        if (toDay is { } late && Flywheel.Analytics.Contracts.LocalCalendar.CheckDay("--to", late) is { } badTo) return ("--to", badTo.Message);
        if (fromDay is { } f && toDay is { } t && t < f) return ("--to", $"{t:yyyy-MM-dd} is before --from {f:yyyy-MM-dd}");
        return null;
    }

    /// <summary>Reports bad input naming the option, and gives the bad-input exit code (as <see cref="CliContext.BadAsync"/>).</summary>
    internal static Task<int> BadAsync(CliConsole console, string option, string message) => CliContext.BadAsync(console, option, message);

    internal static bool TryDay(string? text, out DateOnly? day) => CliContext.TryDay(text, out day);
}
