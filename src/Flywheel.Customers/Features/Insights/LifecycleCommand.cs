using Flywheel.Hosting.Cli;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using Flywheel.Customers.Lifecycle;

namespace Flywheel.Customers.Features.Insights;

/// <summary>
/// <c>flywheel lifecycle [--as-of DATE] [--record] [--format text|json]</c>: customers per lifecycle stage; with
/// --record, the stage changes since the last recorded refresh are stored as transitions (which journeys listen to).
/// Uses the latest stored CLV fit's P(alive) when there is one, like the server, so both record the same stages.
/// </summary>
internal static class LifecycleCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var asOf = new Option<string?>("--as-of") { Description = "Stages as of this day (yyyy-MM-dd); default: today in the store's time zone" };
        var record = new Option<bool>("--record") { Description = "Store the stage changes as transitions" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("lifecycle", "Lifecycle stages 生命周期: prospect, new, active, at risk, lapsed, churned, reactivated") { asOf, record, format };
        command.SetAction(async (parse, ct) =>
        {
            if (!CliContext.TryDay(parse.GetValue(asOf), out var asOfDay)) return await CliContext.BadAsync(console, "--as-of", "takes a date as yyyy-MM-dd");
            if (asOfDay is { } d && LocalCalendar.CheckDay("as_of", d) is { } outside)
                return await CliContext.BadAsync(console, "--as-of", outside.Message);
            if (parse.GetValue(format) is not ("text" or "json"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text or json");
            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            using (store)
            {
                var (index, indexExit) = await IndexLoading.LoadAsync(parse, cli, ct);
                if (index is null) return indexExit;
                var day = asOfDay ?? LocalCalendar.DataEnd(index, time);
                // With a stored CLV fit, P(alive) marks the long-silent churned sooner, as GET /v1/lifecycle and the server's refresh do.
                var insights = new CustomerInsights();
                await insights.LoadFitAsync(store, ct);
                using var service = new LifecycleService(store);
                var refresh = await service.RefreshAsync(index, day, parse.GetValue(record), insights.PAliveOf(index, day), ct);
                await console.Out.WriteAsync(parse.GetValue(format) == "json"
                    ? LifecycleJson.Write(refresh, parse.GetValue(record)) + "\n"
                    : LifecycleJson.Text(refresh, parse.GetValue(record)));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
