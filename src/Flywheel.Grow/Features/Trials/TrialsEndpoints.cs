using System.CommandLine;
using Flywheel.Grow.Domain.Trials;
using Flywheel.Grow.Features.Content;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Grow.Features.Trials;

/// <summary>
/// <c>POST /v1/trials</c>, <c>GET /v1/trials</c>, <c>GET /v1/trials/report</c>, <c>GET /v1/trials/{id}</c>, <c>POST /v1/trials/{id}/applicants</c>
/// and <c>POST /v1/trials/{id}/applicants/{applicant}</c> (a move: {"status": "selected"|"rejected"|"shipped"|"posted", "content_id": ...}).
/// </summary>
internal static class TrialsEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/trials", CreateAsync).Requires(Permission.MarketingWrite).WithName("CreateTrial")
            .WithSummary("Create a trial-ambassador programme (产品体验官): trial_id, name, sku, seats, unit_cost (fen), starts_on, ends_on")
            .Accepts<CreateTrialRequest>("application/json");
        group.MapGet("/trials", ListAsync).Requires(Permission.ReportsRead).WithName("Trials").WithSummary("Every programme with its applicants counted by status");
        group.MapGet("/trials/report", ReportAsync).Requires(Permission.ReportsRead).QueryTimeLimit().WithName("TrialsReport")
            .WithSummary("Per programme: applications, selected, shipped, posted, cost, cost per post, the posts' attributed orders and GMV, against paid creators' content in the same days");
        group.MapGet("/trials/{id}", GetAsync).Requires(Permission.ReportsRead).WithName("Trial");
        group.MapPost("/trials/{id}/applicants", ApplyAsync).Requires(Permission.MarketingWrite).WithName("ApplyTrial")
            .WithSummary("An application: applicant_id and kind (customer or koc)").Accepts<ApplyRequest>("application/json");
        group.MapPost("/trials/{id}/applicants/{applicant}", MoveAsync).Requires(Permission.MarketingWrite).WithName("MoveTrialApplicant")
            .WithSummary("Move an applicant: applied → selected or rejected, selected → shipped, shipped → posted (with content_id); 409 for any other move or when the seats are taken")
            .Accepts<MoveRequest>("application/json");
    }

    internal static async Task<Results<JsonHttpResult<Trial>, ProblemHttpResult>> CreateAsync(HttpRequest request, TrialsHandler handler, IOptions<GrowOptions> options,
        CancellationToken ct)
    {
        var body = await TrialsBody.ReadAsync<CreateTrialRequest>(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var create, out var error)) return error.ToProblem();
        var created = await handler.CreateAsync(create, ct);
        return created.TryGetValue(out var trial, out error) ? ContentHttp.Json(trial, StatusCodes.Status201Created) : error.ToProblem();
    }

    internal static async Task<JsonHttpResult<IReadOnlyList<TrialSummary>>> ListAsync(TrialsHandler handler, CancellationToken ct) =>
        ContentHttp.Json(await handler.ListAsync(ct));

    internal static async Task<Results<JsonHttpResult<TrialDetail>, ProblemHttpResult>> GetAsync(TrialsHandler handler, string id, CancellationToken ct)
    {
        var found = await handler.GetAsync(id, ct);
        return found.TryGetValue(out var detail, out var error) ? ContentHttp.Json(detail) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<IReadOnlyList<TrialReportRow>>, ProblemHttpResult>> ReportAsync(TrialsHandler handler, string? trial_id,
        CancellationToken ct)
    {
        var report = await handler.ReportAsync(string.IsNullOrEmpty(trial_id) ? null : trial_id, ct);
        return report.TryGetValue(out var rows, out var error) ? ContentHttp.Json(rows) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<TrialApplicant>, ProblemHttpResult>> ApplyAsync(HttpRequest request, TrialsHandler handler,
        IOptions<GrowOptions> options, string id, CancellationToken ct)
    {
        var body = await TrialsBody.ReadAsync<ApplyRequest>(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var apply, out var error)) return error.ToProblem();
        var applied = await handler.ApplyAsync(id, apply, ct);
        return applied.TryGetValue(out var applicant, out error) ? ContentHttp.Json(applicant, StatusCodes.Status201Created) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<TrialApplicant>, ProblemHttpResult>> MoveAsync(HttpRequest request, TrialsHandler handler,
        IOptions<GrowOptions> options, string id, string applicant, CancellationToken ct)
    {
        var body = await TrialsBody.ReadAsync<MoveRequest>(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var move, out var error)) return error.ToProblem();
        var moved = await handler.MoveAsync(id, applicant, move, ct);
        return moved.TryGetValue(out var result, out error) ? ContentHttp.Json(result) : error.ToProblem();
    }
}

/// <summary><c>flywheel trials create|list|apply|select|reject|ship|post|report</c>.</summary>
internal static class TrialsCommand
{
    public static Command Create(CliContext cli)
    {
        var trials = new Command("trials", "Trial-ambassador programmes (产品体验官): create, apply, select/reject, ship, post, report");
        trials.Subcommands.Add(CreateCommand(cli));
        trials.Subcommands.Add(ListCommand(cli));
        trials.Subcommands.Add(ApplyCommand(cli));
        trials.Subcommands.Add(MoveCommand(cli, "select", TrialRules.Selected, "Select an applicant (needs a free seat)"));
        trials.Subcommands.Add(MoveCommand(cli, "reject", TrialRules.Rejected, "Reject an applicant"));
        trials.Subcommands.Add(MoveCommand(cli, "ship", TrialRules.Shipped, "Record that a selected applicant's unit was shipped"));
        trials.Subcommands.Add(PostCommand(cli));
        trials.Subcommands.Add(ReportCommand(cli));
        return trials;
    }

    private static Command CreateCommand(CliContext cli)
    {
        var id = new Argument<string>("trial-id") { Description = "The programme's id" };
        var name = new Option<string>("--name") { Description = "Its name", Required = true };
        var sku = new Option<string>("--sku") { Description = "The product given away", Required = true };
        var seats = new Option<long>("--seats") { Description = "How many units are given away", Required = true };
        var unitCost = new Option<string>("--unit-cost") { Description = "What one unit costs the brand, in yuan (59.90)", Required = true };
        var starts = new Option<string>("--starts") { Description = "First day (yyyy-MM-dd)", Required = true };
        var ends = new Option<string>("--ends") { Description = "Last day (yyyy-MM-dd)", Required = true };
        var command = new Command("create", "Create a programme") { id, name, sku, seats, unitCost, starts, ends };
        command.SetAction(async (parse, ct) =>
        {
            if (!MoneyText.TryParseMajor(parse.GetValue(unitCost), out var fen)) return await cli.BadAsync("--unit-cost", "an amount in yuan, like 59.90");
            var request = new CreateTrialRequest(parse.GetValue(id), parse.GetValue(name), parse.GetValue(sku), parse.GetValue(seats), fen, parse.GetValue(starts), parse.GetValue(ends));
            return await cli.RunAsync(parse, async services =>
            {
                var created = await services.GetRequiredService<TrialsHandler>().CreateAsync(request, ct);
                if (!created.TryGetValue(out var trial, out var error)) return await cli.FailFieldAsync(error, Renames);
                await cli.Console.Out.WriteLineAsync($"created {trial.TrialId}: {trial.Seats} × {trial.Sku} at {ContentHttp.Yuan(trial.UnitCost)}, {trial.StartsOn:yyyy-MM-dd} .. {trial.EndsOn:yyyy-MM-dd}");
                return ExitCodes.Ok;
            },ct, create: true);
        });
        return command;
    }

    private static readonly Dictionary<string, string> Renames = new(StringComparer.Ordinal)
    {
        ["trial_id"] = "trial-id", ["starts_on"] = "starts", ["ends_on"] = "ends", ["applicant_id"] = "applicant", ["content_id"] = "content-id",
    };

    private static Command ListCommand(CliContext cli)
    {
        var command = new Command("list", "Programmes with their applicants counted by status");
        command.SetAction(async (parse, ct) => await cli.RunAsync(parse, async services =>
        {
            var list = await services.GetRequiredService<TrialsHandler>().ListAsync(ct);
            foreach (var s in list)
                await cli.Console.Out.WriteLineAsync($"{s.Trial.TrialId}  {s.Trial.Name}  {s.Trial.StartsOn:yyyy-MM-dd}..{s.Trial.EndsOn:yyyy-MM-dd}  seats {s.Trial.Seats}  " +
                                                     $"applied {s.Applied}, selected {s.Selected}, rejected {s.Rejected}, shipped {s.Shipped}, posted {s.Posted}");
            if (list.Count == 0) await cli.Console.Error.WriteLineAsync("no programmes");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ApplyCommand(CliContext cli)
    {
        var trial = new Argument<string>("trial-id");
        var applicant = new Argument<string>("applicant") { Description = "The customer's or KOC's id" };
        var kind = new Option<string>("--kind") { Description = "customer or koc", DefaultValueFactory = _ => "customer" };
        var command = new Command("apply", "Record an application") { trial, applicant, kind };
        command.SetAction(async (parse, ct) => await cli.RunAsync(parse, async services =>
        {
            var applied = await services.GetRequiredService<TrialsHandler>().ApplyAsync(parse.GetValue(trial)!, new ApplyRequest(parse.GetValue(applicant), parse.GetValue(kind)), ct);
            if (!applied.TryGetValue(out var a, out var error)) return await cli.FailFieldAsync(error, Renames);
            await cli.Console.Out.WriteLineAsync($"{a.ApplicantId} ({a.Kind}) applied to {a.TrialId}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command MoveCommand(CliContext cli, string name, string status, string description)
    {
        var trial = new Argument<string>("trial-id");
        var applicant = new Argument<string>("applicant");
        var command = new Command(name, description) { trial, applicant };
        command.SetAction(async (parse, ct) => await MoveAsync(cli, parse, parse.GetValue(trial)!, parse.GetValue(applicant)!, new MoveRequest(status, null), ct));
        return command;
    }

    private static Command PostCommand(CliContext cli)
    {
        var trial = new Argument<string>("trial-id");
        var applicant = new Argument<string>("applicant");
        var content = new Argument<string>("content-id") { Description = "The post: a content item in the ledger" };
        var command = new Command("post", "Record a shipped applicant's post (a content item)") { trial, applicant, content };
        command.SetAction(async (parse, ct) =>
            await MoveAsync(cli, parse, parse.GetValue(trial)!, parse.GetValue(applicant)!, new MoveRequest(TrialRules.Posted, parse.GetValue(content)), ct));
        return command;
    }

    private static Task<int> MoveAsync(CliContext cli, System.CommandLine.ParseResult parse, string trial, string applicant, MoveRequest move, CancellationToken ct) =>
        cli.RunAsync(parse, async services =>
        {
            var moved = await services.GetRequiredService<TrialsHandler>().MoveAsync(trial, applicant, move, ct);
            if (!moved.TryGetValue(out var a, out var error)) return await cli.FailAsync(error);
            await cli.Console.Out.WriteLineAsync($"{a.ApplicantId} of {a.TrialId}: {a.Status}{(a.ContentId is { } c ? " (" + c + ")" : "")}");
            return ExitCodes.Ok;
        }, ct);

    private static Command ReportCommand(CliContext cli)
    {
        var trial = new Option<string?>("--trial") { Description = "One programme (default: all)" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("report", "Per programme: applications to posts, cost per post and per attributed order, against paid creators") { trial, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            return await cli.RunAsync(parse, async services =>
            {
                var report = await services.GetRequiredService<TrialsHandler>().ReportAsync(parse.GetValue(trial), ct);
                if (!report.TryGetValue(out var rows, out var error)) return await cli.FailFieldAsync(error, new Dictionary<string, string> { ["trial_id"] = "trial" });
                if (parse.GetValue(format) == "json")
                {
                    await cli.Console.Out.WriteLineAsync(ContentHttp.Serialize(rows));
                    return ExitCodes.Ok;
                }
                string Y(long? fen) => fen is { } f ? ContentHttp.Yuan(f) : "-";
                foreach (var r in rows)
                {
                    await cli.Console.Out.WriteLineAsync($"{r.TrialId} {r.Name} ({r.From:yyyy-MM-dd} .. {r.To:yyyy-MM-dd}, {r.Seats} seats × {Y(r.UnitCost)})");
                    await cli.Console.Out.WriteLineAsync($"  applications {r.Applications}, selected {r.Selected}, rejected {r.Rejected}, shipped {r.Shipped}, posted {r.Posted}");
                    await cli.Console.Out.WriteLineAsync($"  cost {Y(r.Cost)}, per post {Y(r.CostPerPost)}; attributed orders {r.AttributedOrders}, GMV {Y(r.AttributedGmv)}, " +
                                                         $"cost per order {Y(r.CostPerAttributedOrder)}, ROI {ContentHttp.Ratio(r.Roi)}");
                    await cli.Console.Out.WriteLineAsync($"  paid creators' content in the same days: {r.PaidCreatorItems} items, cost {Y(r.PaidCreatorCost)}, orders {r.PaidCreatorOrders}, " +
                                                         $"GMV {Y(r.PaidCreatorGmv)}, cost per order {Y(r.PaidCreatorCostPerOrder)}, ROI {ContentHttp.Ratio(r.PaidCreatorRoi)}");
                }
                if (rows.Count == 0) await cli.Console.Error.WriteLineAsync("no programmes");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
