using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Templates;
using Flywheel.Primitives;
using Flywheel.Campaigns.Storage;
using Flywheel.Experiments.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Campaigns.Features.Engage;

/// <summary>
/// <c>flywheel journeys list|add|templates|activate|pause|stats</c>: journeys from JSON or YAML files (or a ready-made
/// template), validated against the store's segment fields before anything is written; results per variant and step with
/// lift against the holdout.
/// </summary>
internal static class JourneysCommand
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("journeys", "Automated journeys (旅程): list, add from a file or template, activate, pause, results");
        command.Subcommands.Add(List(cli));
        command.Subcommands.Add(Add(cli));
        command.Subcommands.Add(Templates(console));
        command.Subcommands.Add(SetStatus(cli, "activate", "active", "Activate a journey (it starts taking customers)"));
        command.Subcommands.Add(SetStatus(cli, "pause", "paused", "Pause a journey (no new entries, no further steps)"));
        command.Subcommands.Add(Stats(cli));
        return command;
    }

    private static Option<string> NewFormat()
    {
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    /// <summary>The context journeys are validated in: template variables, event types, and segment rules compiled over the CLI's fields.</summary>
    internal static JourneyValidationContext ValidationContext() => new() { CompileRule = Flywheel.Customers.Contracts.SegmentRules.Checker() };

    /// <summary>
    /// The journey's experiment checked with the modules' services (the Experiments module's assignments when the CLI has it):
    /// the error, and the exit code of opening the store (not <see cref="ExitCodes.Ok"/>: the store could not be opened, said already).
    /// </summary>
    internal static async Task<(Error? Error, int Exit)> CheckExperimentAsync(CliContext cli, ParseResult parse, Journey journey, CancellationToken ct)
    {
        if (journey.Experiment is null) return (null, ExitCodes.Ok);
        Error? error = null;
        var exit = await cli.RunAsync(parse, async services =>
        {
            error = await CampaignExperiments.CheckAsync(journey, services.GetService<IExperimentAssignments>(), ct);
            return ExitCodes.Ok;
        }, ct, create: true);
        return (error, exit);
    }

    private static Command List(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var status = new Option<string?>("--status") { Description = "draft, active, paused or archived (default: all)" };
        var format = NewFormat();
        var command = new Command("list", "List the journeys: id, status, version, name, trigger") { status, format };
        command.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetValue(status);
            if (wanted is not null && !CampaignValues.JourneyStatuses.Contains(wanted))
                return await CliContext.BadAsync(console, "--status", string.Join(", ", CampaignValues.JourneyStatuses));
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var listed = await new CampaignStore(store, time).ListJourneysAsync(wanted, ct);
                if (!listed.TryGetValue(out var journeys, out var error)) return await CliContext.BadAsync(console, "--status", error.Message);
                if (parse.GetValue(format) == "json")
                {
                    var array = new JsonArray();
                    foreach (var j in journeys)
                        array.Add(new JsonObject
                        {
                            ["id"] = j.JourneyId, ["name"] = j.Name, ["status"] = j.Status, ["version"] = j.Version,
                            ["trigger"] = TriggerSummary(j.DefinitionJson),
                            ["created_at"] = j.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                            ["updated_at"] = j.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
                        });
                    await console.Out.WriteLineAsync(array.ToJsonString(Json));
                    return ExitCodes.Ok;
                }
                foreach (var j in journeys)
                    await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{j.JourneyId}  {j.Status}  v{j.Version}  {j.Name}  [{TriggerSummary(j.DefinitionJson)}]"));
                if (journeys.Count == 0) await console.Error.WriteLineAsync("no journeys (没有旅程)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The trigger in a few words: "event add_to_cart unless order_paid within 30m".</summary>
    internal static string TriggerSummary(string definitionJson)
    {
        if (!JourneyJson.Parse(definitionJson).TryGetValue(out var journey, out _)) return "invalid definition";
        return journey.Trigger switch
        {
            EventTrigger e => "event " + e.Event + (e.Unless is null ? "" : " unless " + e.Unless) + (e.Within is { } w ? " within " + JourneyDuration.Format(w) : ""),
            SegmentEntryTrigger s => "enters segment " + s.Segment,
            SegmentExitTrigger s => "leaves segment " + s.Segment,
            LifecycleTrigger l => "lifecycle " + (l.From is null ? "" : l.From + " → ") + l.To,
            DateTrigger { Attribute: DateAttribute.Birthday } d => string.Create(CultureInfo.InvariantCulture, $"birthday, {d.DaysBefore ?? 0} day(s) before"),
            DateTrigger d => string.Create(CultureInfo.InvariantCulture, $"first order + {d.DaysAfter ?? 0} day(s)"),
            ScheduleTrigger s => "schedule " + s.At + (s.Days.Count == 0 ? " daily" : " " + string.Join(",", s.Days.Select(x => x.ToString()[..3].ToLowerInvariant()))) + " for " + s.Audience,
            _ => journey.Trigger.Type,
        };
    }

    private static Command Add(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var file = new Argument<string?>("file") { Description = "A journey as JSON (.json) or YAML (.yaml, .yml)", Arity = ArgumentArity.ZeroOrOne };
        var template = new Option<string?>("--template") { Description = "Add a ready-made journey instead (see 'journeys templates'), e.g. abandoned_cart" };
        var activate = new Option<bool>("--activate") { Description = "Save it active rather than as a draft" };
        var command = new Command("add", "Add or replace a journey from a file or a template; validated first, nothing is written when it has an error") { file, template, activate };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file);
            var templateName = parse.GetValue(template);
            if ((path is null) == (templateName is null))
                return await CliContext.BadAsync(console, "journeys add", "give either a FILE (.json, .yaml) or --template NAME");
            string where;
            Result<Journey> parsed;
            if (templateName is not null)
            {
                where = "--template";
                if (JourneyTemplates.Find(templateName) is null)
                    return await CliContext.BadAsync(console, where, $"no template '{templateName}': {string.Join(", ", JourneyTemplates.All.Select(t => t.Name))}");
                parsed = JourneyJson.Parse(JourneyTemplates.Json(templateName));
            }
            else
            {
                where = path!;
                if (!File.Exists(path)) return await CliContext.BadAsync(console, "file", $"no file '{path}'");
                var text = await File.ReadAllTextAsync(path, ct);
                parsed = Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml" ? JourneyYaml.Parse(text) : JourneyJson.Parse(text);
            }
            if (!parsed.TryGetValue(out var journey, out var parseError)) return await CliContext.BadAsync(console, where, parseError.ToString());
            var errors = JourneyValidator.Validate(journey, ValidationContext());
            if (errors.Count > 0)
            {
                foreach (var e in errors) await console.Error.WriteLineAsync($"error: {where}: {e}");
                return ExitCodes.BadInput;
            }
            var (noExperiment, opened) = await CheckExperimentAsync(cli, parse, journey, ct);
            if (opened != ExitCodes.Ok) return opened;
            if (noExperiment is not null) return await CliContext.BadAsync(console, where, noExperiment.ToString());

            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var status = parse.GetValue(activate) ? "active" : "draft";
                var campaigns = new CampaignStore(store, time);
                if (await campaigns.GetJourneyAsync(journey.Id, ct) is { Status: "active" } live && status == "draft")
                    await console.Error.WriteLineAsync($"warning: journey '{live.JourneyId}' was active; it is saved as a draft now (add --activate to keep it running)");
                var saved = await campaigns.SaveJourneyAsync(
                    new JourneyDraft(journey.Id, journey.Name, JourneyJson.Write(journey, indented: false), status), null, ct);
                if (!saved.TryGetValue(out var stored, out var error)) return await CliContext.BadAsync(console, where, error.ToString());
                await console.Out.WriteLineAsync(stored.Version == 1
                    ? $"added {stored.JourneyId} ({stored.Status})"
                    : string.Create(CultureInfo.InvariantCulture, $"replaced {stored.JourneyId} ({stored.Status}, version {stored.Version})"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Templates(CliConsole console)
    {
        var format = NewFormat();
        var command = new Command("templates", "The ready-made journeys: name, 中文, English") { format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) == "json")
            {
                var array = new JsonArray();
                foreach (var t in JourneyTemplates.All)
                    array.Add(new JsonObject { ["name"] = t.Name, ["title_zh"] = t.TitleZh, ["title_en"] = t.TitleEn, ["description"] = t.Description });
                await console.Out.WriteLineAsync(array.ToJsonString(Json));
                return ExitCodes.Ok;
            }
            foreach (var t in JourneyTemplates.All)
                await console.Out.WriteLineAsync($"{t.Name,-20} {t.TitleZh}  ({t.TitleEn})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SetStatus(CliContext cli, string name, string status, string description)
    {
        var console = cli.Console;
        var time = cli.Time;
        var id = new Argument<string>("id") { Description = "The journey id" };
        var command = new Command(name, description) { id };
        command.SetAction(async (parse, ct) =>
        {
            var journeyId = parse.GetValue(id)!;
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var campaigns = new CampaignStore(store, time);
                var current = await campaigns.GetJourneyAsync(journeyId, ct);
                if (current is null) return await CliContext.BadAsync(console, journeyId, $"there is no journey '{journeyId}'");
                if (status == "active")
                {
                    // The definition may predate a rule or field change: check it again before it goes live.
                    var problems = JourneyJson.Parse(current.DefinitionJson).TryGetValue(out var journey, out var bad)
                        ? JourneyValidator.Validate(journey, ValidationContext())
                        : [bad];
                    if (problems.Count > 0)
                    {
                        foreach (var p in problems) await console.Error.WriteLineAsync($"error: {journeyId}: {p}");
                        return ExitCodes.BadInput;
                    }
                    var (noExperiment, opened) = await CheckExperimentAsync(cli, parse, journey!, ct);
                    if (opened != ExitCodes.Ok) return opened;
                    if (noExperiment is not null) return await CliContext.BadAsync(console, journeyId, noExperiment.ToString());
                }
                var changed = await campaigns.SetJourneyStatusAsync(journeyId, status, ct);
                if (!changed.TryGetValue(out var stored, out var error)) return await CliContext.BadAsync(console, journeyId, error.Message);
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{stored.JourneyId}: {stored.Status} (version {stored.Version})"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Stats(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var id = new Argument<string>("id") { Description = "The journey id" };
        var window = WindowOption();
        var format = NewFormat();
        var command = new Command("stats", "Results: entered, converted and revenue per variant; sent…unsubscribed per step; lift over the holdout with a 95% CI")
        {
            id, window, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!TryWindow(parse.GetValue(window), out var w)) return await CliContext.BadAsync(console, "--window", "a duration such as 24h, 7d or 2w (at most 365d)");
            var journeyId = parse.GetValue(id)!;
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var campaigns = new CampaignStore(store, time);
                var stored = await campaigns.GetJourneyAsync(journeyId, ct);
                if (stored is null) return await CliContext.BadAsync(console, journeyId, $"there is no journey '{journeyId}'");
                var computed = await CampaignResults.ComputeAsync(store, campaigns, "journey", journeyId, w, ct);
                if (!computed.TryGetValue(out var report, out var error)) return await CliContext.BadAsync(console, journeyId, error.ToString());
                var sendSteps = JourneyJson.Parse(stored.DefinitionJson).TryGetValue(out var journey, out _)
                    ? journey.Steps.OfType<SendStep>().Select(s => s.Id).ToList()
                    : [];
                await console.Out.WriteAsync(parse.GetValue(format) == "json"
                    ? ReportOutput.Json(report) + "\n"
                    : ReportOutput.Text($"旅程 journey {stored.JourneyId} ({stored.Status}, v{stored.Version}) {stored.Name}", report, sendSteps));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Option<string> WindowOption() =>
        new("--window") { Description = "Attribution window: an order paid this long after entry/delivery counts as a conversion (default 7d)", DefaultValueFactory = _ => "7d" };

    internal static bool TryWindow(string? text, out TimeSpan window) =>
        JourneyDuration.TryParse(text, out window) && window > TimeSpan.Zero && window <= TimeSpan.FromDays(365);
}

/// <summary>A <see cref="CampaignReport"/> as a bilingual table or as JSON.</summary>
internal static class ReportOutput
{
    private static string Y(long fen) => Yuan.Format(fen);

    private static string Pct(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Pts(double points) => (points >= 0 ? "+" : "") + points.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The report as text; <paramref name="expectedSteps"/> get a row of zeros when they have no messages yet.</summary>
    public static string Text(string title, CampaignReport r, IReadOnlyList<string> expectedSteps)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(title).Append('\n');
        sb.Append(inv, $"归因窗口 attribution window: {JourneyDuration.Format(r.AttributionWindow)}\n");
        if (r.Experiment is { } experiment) sb.Append(inv, $"实验 experiment: {experiment} (flywheel experiments results {experiment})\n");
        sb.Append('\n');
        sb.Append("分组 variant          进入 entered   转化 converted   转化率 rate   收入 revenue\n");
        var variants = r.Variants.Count > 0 ? r.Variants : [new VariantResult("all", false, 0, 0, 0, 0)];
        foreach (var v in variants)
        {
            var name = v.Variant + (v.Holdout && v.Variant != "holdout" ? " (holdout)" : "");
            sb.Append(inv, $"{name,-20} {v.Entered,12} {v.Converted,15} {Pct(v.ConversionRate),12} {Y(v.Revenue),14}\n");
        }
        sb.Append('\n');
        sb.Append("步骤 step             sent  delivered  failed  opened  clicked  converted      revenue  unsubscribed\n");
        var steps = r.Steps.ToList();
        foreach (var missing in expectedSteps.Where(s => steps.All(x => x.StepId != s)))
            steps.Add(new StepResult(missing, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        if (steps.Count == 0) sb.Append("(no messages yet / 还没有消息)\n");
        foreach (var s in steps)
        {
            var name = s.StepId + (s.Variant is null ? "" : "/" + s.Variant);
            sb.Append(inv, $"{name,-18} {s.Sent,7} {s.Delivered,10} {s.Failed + s.Dead,7} {s.Opened,7} {s.Clicked,8} {s.Converted,10} {Y(s.Revenue),12} {s.Unsubscribed,13}\n");
            if (s.Suppressed + s.HeldOut + s.Cancelled > 0)
                sb.Append(inv, $"{"",-18}   suppressed {s.Suppressed}, held out {s.HeldOut}, cancelled {s.Cancelled}\n");
        }
        sb.Append('\n');
        if (r.Lifts.Count == 0) sb.Append("提升 lift: 无对照组数据 (no holdout with entries)\n");
        foreach (var l in r.Lifts)
        {
            var relative = l.RelativePercent is { } rel ? $", relative {Pts(rel)}%" : "";
            var verdict = l.Significant ? "显著 significant" : "不显著 not significant";
            sb.Append(inv, $"提升 lift {l.Variant} vs holdout: {Pts(l.DifferencePoints)} pp (95% CI {Pts(l.LowPoints)} … {Pts(l.HighPoints)}){relative}  {verdict}\n");
        }
        return sb.ToString();
    }

    public static string Json(CampaignReport r)
    {
        var variants = new JsonArray();
        foreach (var v in r.Variants)
            variants.Add(new JsonObject
            {
                ["variant"] = v.Variant, ["holdout"] = v.Holdout, ["entered"] = v.Entered, ["converted"] = v.Converted,
                ["conversion_rate"] = v.ConversionRate, ["revenue"] = v.Revenue,
            });
        var steps = new JsonArray();
        foreach (var s in r.Steps)
            steps.Add(new JsonObject
            {
                ["step_id"] = s.StepId, ["variant"] = s.Variant, ["sent"] = s.Sent, ["delivered"] = s.Delivered, ["failed"] = s.Failed, ["dead"] = s.Dead,
                ["suppressed"] = s.Suppressed, ["held_out"] = s.HeldOut, ["cancelled"] = s.Cancelled, ["opened"] = s.Opened, ["clicked"] = s.Clicked,
                ["converted"] = s.Converted, ["revenue"] = s.Revenue, ["unsubscribed"] = s.Unsubscribed,
            });
        var lifts = new JsonArray();
        foreach (var l in r.Lifts)
            lifts.Add(new JsonObject
            {
                ["variant"] = l.Variant, ["difference_points"] = l.DifferencePoints, ["low_points"] = l.LowPoints, ["high_points"] = l.HighPoints,
                ["relative_percent"] = l.RelativePercent, ["significant"] = l.Significant,
            });
        return new JsonObject
        {
            ["source_kind"] = r.SourceKind, ["source_id"] = r.SourceId, ["attribution_window"] = JourneyDuration.Format(r.AttributionWindow),
            ["variants"] = variants, ["steps"] = steps, ["lifts"] = lifts, ["experiment"] = r.Experiment,
        }.ToJsonString(JourneysCommand.Json);
    }
}
