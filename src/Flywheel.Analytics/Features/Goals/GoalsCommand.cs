using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using Flywheel.Analytics.Goals;
using Flywheel.Analytics.Storage;

namespace Flywheel.Analytics.Features.Goals;

/// <summary>
/// <c>flywheel goals add --name N --metric M --target +20% --baseline FROM..TO --start D --deadline D [--channel C]</c>,
/// <c>flywheel goals list</c>, <c>flywheel goals delete ID</c>. Status: <c>flywheel report goals</c>.
/// </summary>
internal static class GoalsCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("goals", "SMART goals: a metric to move from a baseline to a target by a deadline");
        command.Subcommands.Add(Add(cli));
        command.Subcommands.Add(List(cli));
        command.Subcommands.Add(Delete(cli));
        return command;
    }

    private static Command Add(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var name = new Option<string?>("--name") { Description = "What the goal is called, e.g. \"Q3 GMV +20%\"" };
        var metric = new Option<string?>("--metric") { Description = string.Join(", ", GoalMetrics.All) };
        var target = new Option<string?>("--target") { Description = "+20% / -15% of the baseline, or an absolute value (yuan for gmv, aov, spend)" };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline period yyyy-MM-dd..yyyy-MM-dd (inclusive)" };
        var start = new Option<string?>("--start") { Description = "First day of the goal (yyyy-MM-dd)" };
        var deadline = new Option<string?>("--deadline") { Description = "Last day of the goal (yyyy-MM-dd, inclusive)" };
        var channel = new Option<string?>("--channel") { Description = "Only this channel (default: all)" };
        var command = new Command("add", "Add a goal") { name, metric, target, baseline, start, deadline, channel };
        command.SetAction(async (parse, ct) =>
        {
            var input = new GoalInput(parse.GetValue(name), parse.GetValue(metric), parse.GetValue(target), parse.GetValue(baseline),
                parse.GetValue(start), parse.GetValue(deadline), parse.GetValue(channel));
            // Validate before opening the store, so bad input writes nothing and needs no store.
            if (Goal.Create("check", input).Error is { } invalid)
            {
                await console.Error.WriteLineAsync($"error: --{invalid.Path}: {invalid.Message}");
                return ExitCodes.BadInput;
            }
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var goal = (await GoalService.CreateAsync(store, input, ct)).Value;
                await console.Out.WriteLineAsync(goal.Id);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("list", "List the goals");
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                foreach (var g in await GoalService.LoadAsync(store, ct))
                {
                    await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{g.Id}  {g.Name}  {g.Metric} {g.Target.ToText(g.Metric)}  baseline {g.BaselineFrom:yyyy-MM-dd}..{g.BaselineTo:yyyy-MM-dd}  {g.Start:yyyy-MM-dd}..{g.Deadline:yyyy-MM-dd}{(g.Channel is null ? "" : "  channel " + g.Channel)}"));
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var id = new Argument<string>("id") { Description = "The goal's id (see goals list)" };
        var command = new Command("delete", "Delete a goal") { id };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (!await GoalStore.DeleteAsync(store, parse.GetValue(id)!, ct))
                {
                    await console.Error.WriteLineAsync($"error: id: no goal '{parse.GetValue(id)}'");
                    return ExitCodes.BadInput;
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
