using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Experiments.Contracts;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Features.Assign;
using Flywheel.Hosting.Cli;
using Flywheel.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Experiments.Features.ManageExperiments;

/// <summary>
/// <c>flywheel experiments create FILE.json | list | show KEY | start KEY | stop KEY | assign KEY --unit U</c>: the handlers of the
/// HTTP API; text by default, the API's JSON with <c>--format json</c>. Bad input names the place and exits 2; nothing is written.
/// </summary>
internal static class ManageExperimentsCommands
{
    public static Command Create(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "A JSON file with the definition (as POST /v1/experiments takes it)" };
        var format = Format();
        var command = new Command("create", "Define an experiment (a draft) from a JSON file: variants (the control first, at most one holdout), traffic, segment, metrics") { file, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await cli.BadAsync("file", $"no file '{path}'");
            var parsed = DefinitionParser.Parse(await File.ReadAllTextAsync(path, ct));
            if (!parsed.TryGetValue(out var definition, out var error)) return await cli.BadAsync(path, error.ToString());
            return await cli.RunAsync(parse, async services =>
                await PrintAsync(cli, parse.GetValue(format)!, await Handler(services).CreateAsync(definition, ct), "created "), ct, create: true);
        });
        return command;
    }

    public static Command List(CliContext cli)
    {
        var format = Format();
        var command = new Command("list", "Every experiment: status and exposed units per variant") { format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            return await cli.RunAsync(parse, async services =>
            {
                var list = await Handler(services).ListAsync(ct);
                if (parse.GetValue(format) == "json")
                {
                    await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(list, ExperimentViewJson.Indented));
                    return ExitCodes.Ok;
                }
                foreach (var e in list)
                    await cli.Console.Out.WriteLineAsync($"{e.Key}  {e.Status}  {e.Name}  exposures: " +
                                                         string.Join(", ", e.Variants.Select(v => $"{v.Key} {v.Exposures}")));
                if (list.Count == 0) await cli.Console.Error.WriteLineAsync("no experiments (define one with 'flywheel experiments create FILE.json')");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    public static Command Show(CliContext cli) =>
        OnKey(cli, "show", "One experiment: its definition, status and exposed units per variant", "", (handler, key, ct) => handler.GetAsync(key, ct));

    public static Command Start(CliContext cli) =>
        OnKey(cli, "start", "Start a draft: units are assigned from now on", "started ", (handler, key, ct) => handler.StartAsync(key, ct));

    public static Command Stop(CliContext cli) =>
        OnKey(cli, "stop", "Stop a running experiment: no unit is assigned any more", "stopped ", (handler, key, ct) => handler.StopAsync(key, ct));

    public static Command Assign(CliContext cli)
    {
        var key = new Argument<string>("key") { Description = "The experiment's key" };
        var unit = new Option<string?>("--unit") { Description = "The customer or anonymous id to assign (its exposure is recorded once)" };
        var format = Format();
        var command = new Command("assign", "The variant a unit gets (recording its exposure once, source \"cli\")") { key, unit, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            if (ExperimentAssignments.UnitError(parse.GetValue(unit)) is { } bad) return await cli.BadAsync("--unit", bad.Message);
            return await cli.RunAsync(parse, async services =>
            {
                var assigned = await services.GetRequiredService<ExperimentAssignments>().AssignAsync(parse.GetValue(key)!, parse.GetValue(unit)!, "cli", ct);
                if (!assigned.TryGetValue(out var a, out var error)) return await cli.FailAsync(error);
                if (parse.GetValue(format) == "json")
                {
                    await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(a, ExperimentViewJson.Indented));
                    return ExitCodes.Ok;
                }
                await cli.Console.Out.WriteLineAsync(a.Variant is { } v
                    ? $"{a.Experiment}: {v}{(a.Holdout ? " (holdout: receives nothing)" : "")}"
                    : $"{a.Experiment}: not in the experiment ({Reason(a)})");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static string Reason(ExperimentAssignment a) => a.Reason switch
    {
        ExperimentAssignments.NotRunning => "it is not running",
        ExperimentAssignments.Traffic => "outside its traffic",
        ExperimentAssignments.Segment => "outside its segment",
        var other => other ?? "-",
    };

    private static Command OnKey(CliContext cli, string name, string description, string verb,
        Func<ManageExperimentsHandler, string, CancellationToken, Task<Result<ExperimentView>>> work)
    {
        var key = new Argument<string>("key") { Description = "The experiment's key" };
        var format = Format();
        var command = new Command(name, description) { key, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            return await cli.RunAsync(parse, async services => await PrintAsync(cli, parse.GetValue(format)!, await work(Handler(services), parse.GetValue(key)!, ct), verb), ct);
        });
        return command;
    }

    private static Option<string> Format() => new("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };

    private static ManageExperimentsHandler Handler(IServiceProvider services) => services.GetRequiredService<ManageExperimentsHandler>();

    private static async Task<int> PrintAsync(CliContext cli, string format, Result<ExperimentView> result, string verb)
    {
        if (!result.TryGetValue(out var e, out var error)) return await cli.FailAsync(error);
        if (format == "json")
        {
            await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(e, ExperimentViewJson.Indented));
            return ExitCodes.Ok;
        }
        var when = e.StoppedAt is { } stopped ? $", stopped {Utc(stopped)}" : e.StartedAt is { } started ? $", started {Utc(started)}" : "";
        await cli.Console.Out.WriteLineAsync($"{verb}{e.Key}  {e.Name}  ({e.Status}{when})");
        if (e.Hypothesis is { } hypothesis) await cli.Console.Out.WriteLineAsync($"  hypothesis: {hypothesis}");
        await cli.Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  unit {e.Unit}, traffic {e.Traffic:0.##%}, segment {e.Segment ?? "-"}, window {e.WindowDays} days, confidence {e.Confidence:0.##%}"));
        await cli.Console.Out.WriteLineAsync($"  metrics: primary {e.Metrics.Primary}; secondary {List(e.Metrics.Secondary)}; guardrails {List(e.Metrics.Guardrails)}");
        var total = e.Variants.Sum(v => v.Weight);
        foreach (var v in e.Variants)
            await cli.Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {v.Key,-16} weight {v.Weight} ({(double)v.Weight / total:0.#%}){(v.Control ? "  control" : "")}{(v.Holdout ? "  holdout" : "")}  exposures {v.Exposures}  {v.Name}"));
        return ExitCodes.Ok;
    }

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "-" : string.Join(", ", names);

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
