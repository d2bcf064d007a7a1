using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Experiments.Contracts;
using Flywheel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Campaigns.Features.Engage;

/// <summary>
/// <c>flywheel broadcasts add ID FILE.json</c> (validated, errors name the JSON path; nothing written when invalid),
/// <c>broadcasts plan ID</c> (turns it into messages: queued, held out, suppressed) and <c>broadcasts stats ID</c>.
/// </summary>
internal static class BroadcastsCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("broadcasts", "One-off sends to a segment (群发): add, plan, results");
        command.Subcommands.Add(Add(cli));
        command.Subcommands.Add(Plan(cli));
        command.Subcommands.Add(Stats(cli));
        return command;
    }

    /// <summary>--public-url: where tracked links and unsubscribe links point (what 'flywheel serve --public-url' is given).</summary>
    private static Option<string?> BaseUrlOption() =>
        new("--public-url") { Description = "The address customers reach the Flywheel server at, for tracking and unsubscribe links (default: $FLYWHEEL_PUBLIC_URL, else http://127.0.0.1:5080, serve's default)" };

    private static string BaseUrl(string? given) =>
        given ?? (Environment.GetEnvironmentVariable("FLYWHEEL_PUBLIC_URL") is { Length: > 0 } env ? env : "http://127.0.0.1:5080");

    private static Command Add(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var id = new Argument<string>("id") { Description = "The broadcast id" };
        var file = new Argument<string>("file") { Description = "The broadcast definition (JSON: name, segment, channel, purpose, template, send_at or local_time, ...)" };
        var command = new Command("add", "Add a broadcast from a JSON definition; validated (and its segment checked) before anything is written") { id, file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await CliContext.BadAsync(console, "file", $"no file '{path}'");
            var json = await File.ReadAllTextAsync(path, ct);
            // Shape and template first, without touching the store: a bad file never creates a data folder.
            if (!BroadcastDefinition.Parse(json).TryGetValue(out _, out var shapeError)) return await CliContext.BadAsync(console, path, shapeError.ToString());
            return await cli.RunAsync(parse, async services =>
            {
                var store = services.GetRequiredService<FlywheelStore>();
                var campaigns = new CampaignStore(store, time);
                var planner = new BroadcastPlanner(store, campaigns, await TrackingLinks.ForStoreAsync(store, BaseUrl(null), ct), time)
                {
                    Experiments = services.GetService<IExperimentAssignments>(),
                };
                var created = await planner.CreateAsync(parse.GetValue(id)!, json, ct);
                if (!created.TryGetValue(out var stored, out var error))
                    return await CliContext.BadAsync(console, error.Path is { } p && p.StartsWith('$') ? path : parse.GetValue(id)!, error.ToString());
                await console.Out.WriteLineAsync($"added {stored.BroadcastId} ({stored.Status}) {stored.Name} → {stored.Segment}");
                return ExitCodes.Ok;
            }, ct, create: true);
        });
        return command;
    }

    private static Command Plan(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var id = new Argument<string>("id") { Description = "The broadcast id" };
        var baseUrl = BaseUrlOption();
        var command = new Command("plan", "Plan a broadcast: one message per customer of its segment, queued, held out (control group) or suppressed") { id, baseUrl };
        command.SetAction(async (parse, ct) =>
        {
            var broadcastId = parse.GetValue(id)!;
            return await cli.RunAsync(parse, async services =>
            {
                var store = services.GetRequiredService<FlywheelStore>();
                var campaigns = new CampaignStore(store, time);
                var planner = new BroadcastPlanner(store, campaigns, await TrackingLinks.ForStoreAsync(store, BaseUrl(parse.GetValue(baseUrl)), ct), time)
                {
                    Experiments = services.GetService<IExperimentAssignments>(),
                };
                var planned = await planner.PlanAsync(broadcastId, ct);
                if (!planned.TryGetValue(out var result, out var error)) return await CliContext.BadAsync(console, broadcastId, error.ToString());
                var counts = await CountsAsync(campaigns, broadcastId, ct);
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{broadcastId}: {result.Broadcast.Status}; planned {result.Broadcast.Planned} (this run {result.Planned} in {result.Batches} batch(es)): " +
                    $"queued 排队 {counts.Queued}, held out 对照组 {counts.HeldOut}, suppressed 抑制 {counts.Suppressed}"));
                if (counts.Suppressed > 0) await WriteSuppressionReasonsAsync(console, campaigns, broadcastId, ct);
                return ExitCodes.Ok;
            }, ct, create: true);
        });
        return command;
    }

    /// <summary>Why messages were suppressed (no consent, no address, a template that failed for a customer), most common first, over the latest 1,000.</summary>
    private static async Task WriteSuppressionReasonsAsync(CliConsole console, CampaignStore campaigns, string broadcastId, CancellationToken ct)
    {
        var page = await campaigns.ListMessagesAsync(new MessageQuery(SourceKind: "broadcast", SourceId: broadcastId, Status: "suppressed", Limit: CampaignStore.MaxPage), ct);
        if (!page.TryGetValue(out var messages, out _)) return;
        foreach (var reason in messages.Messages.GroupBy(m => m.LastError ?? "(no reason recorded)").OrderByDescending(g => g.Count()).Take(5))
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  suppressed 抑制原因: {reason.Key} × {reason.Count()}"));
    }

    private sealed record Counts(long Queued, long Sending, long Delivered, long Failed, long Dead, long Suppressed, long Cancelled, long HeldOut, long Opened, long Clicked);

    private static async Task<Counts> CountsAsync(CampaignStore campaigns, string broadcastId, CancellationToken ct)
    {
        var stats = await campaigns.StatsAsync("broadcast", broadcastId, ct);
        var rows = stats.TryGetValue(out var list, out _) ? list : [];
        return new Counts(rows.Sum(r => r.Queued), rows.Sum(r => r.Sending), rows.Sum(r => r.Delivered), rows.Sum(r => r.Failed), rows.Sum(r => r.Dead),
            rows.Sum(r => r.Suppressed), rows.Sum(r => r.Cancelled), rows.Sum(r => r.HeldOut), rows.Sum(r => r.Opened), rows.Sum(r => r.Clicked));
    }

    private static Command Stats(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var id = new Argument<string>("id") { Description = "The broadcast id" };
        var window = JourneysCommand.WindowOption();
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("stats", "Results: messages by status, opens, clicks, conversions and revenue per variant, lift over the control group") { id, window, format };
        command.SetAction(async (parse, ct) =>
        {
            if (!JourneysCommand.TryWindow(parse.GetValue(window), out var w)) return await CliContext.BadAsync(console, "--window", "a duration such as 24h, 7d or 2w (at most 365d)");
            var broadcastId = parse.GetValue(id)!;
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var campaigns = new CampaignStore(store, time);
                var stored = await campaigns.GetBroadcastAsync(broadcastId, ct);
                if (stored is null) return await CliContext.BadAsync(console, broadcastId, $"there is no broadcast '{broadcastId}'");
                var computed = await CampaignResults.ComputeAsync(store, campaigns, "broadcast", broadcastId, w, ct);
                if (!computed.TryGetValue(out var report, out var error)) return await CliContext.BadAsync(console, broadcastId, error.ToString());
                var c = await CountsAsync(campaigns, broadcastId, ct);
                if (parse.GetValue(format) == "json")
                {
                    var node = JsonNode.Parse(ReportOutput.Json(report))!.AsObject();
                    node["status"] = stored.Status;
                    node["planned"] = stored.Planned;
                    node["messages"] = new JsonObject
                    {
                        ["queued"] = c.Queued, ["sending"] = c.Sending, ["delivered"] = c.Delivered, ["failed"] = c.Failed, ["dead"] = c.Dead,
                        ["suppressed"] = c.Suppressed, ["cancelled"] = c.Cancelled, ["held_out"] = c.HeldOut, ["opened"] = c.Opened, ["clicked"] = c.Clicked,
                    };
                    await console.Out.WriteLineAsync(node.ToJsonString(JourneysCommand.Json));
                    return ExitCodes.Ok;
                }
                var sb = new StringBuilder();
                var inv = CultureInfo.InvariantCulture;
                sb.Append(inv, $"群发 broadcast {stored.BroadcastId} ({stored.Status}) {stored.Name} → {stored.Segment}; planned {stored.Planned}\n");
                sb.Append(inv, $"消息 messages: queued {c.Queued}, sending {c.Sending}, delivered {c.Delivered}, failed {c.Failed + c.Dead}, suppressed {c.Suppressed}, " +
                               $"held out {c.HeldOut}, cancelled {c.Cancelled}, opened {c.Opened}, clicked {c.Clicked}\n");
                await console.Out.WriteAsync(sb.ToString() + ReportOutput.Text("", report, []).TrimStart('\n'));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
