using Flywheel.Hosting.Access;
using System.Text.Json;
using Flywheel.Analytics.Goals;
using Flywheel.Analytics.Contracts;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Analytics.Features.Goals;

/// <summary>
/// A goal as the CLI's <c>goals add</c> takes it: target "+20%" / "-15%" / an absolute value (yuan for money metrics, as a
/// string or a JSON number); baseline "FROM..TO".
/// </summary>
internal sealed record GoalRequest(string? Name, string? Metric, JsonElement? Target, string? Baseline, string? Start, string? Deadline, string? Channel);

/// <summary>
/// SMART goals over HTTP: <c>GET /v1/goals</c> (every goal with its status as of today in the store's time zone, the JSON
/// of <c>flywheel report goals --format json</c>) and <c>POST /v1/goals</c> (create; 201 with the new goal's status).
/// </summary>
internal static class GoalsEndpoints
{
    public static void MapGoalsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Goals");
        group.MapGet("/goals", ListAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Goals")
            .WithSummary("Every goal with its status: baseline, target, current, progress, forecast at the deadline, verdict, top channels; with series=true, its path by day (actual to date, forecast to the deadline)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/goals", CreateAsync).Requires(Permission.MarketingWrite)
            .WithName("CreateGoal")
            .WithSummary("Create a goal: metric, target (+20%, -15% or absolute), baseline period, start and deadline, optional channel")
            .Accepts<GoalRequest>("application/json")
            .Produces(StatusCodes.Status201Created, contentType: "application/json");
    }

    /// <summary><c>?series=true</c> adds each goal's path by day (actual to date, forecast to the deadline) for a chart.</summary>
    internal static async Task<ContentHttpResult> ListAsync(FlywheelStore store, EventIndexHost host, TimeProvider time, bool? stale_ok, bool? series,
        CancellationToken ct)
    {
        var goals = await GoalService.LoadAsync(store, ct);
        var index = await host.GetAsync(stale_ok == true, ct);
        var statuses = GoalService.EvaluateAll(index, goals, GoalService.Today(index, time));
        return TypedResults.Text(GoalJson.WriteStatuses(statuses, series == true ? s => GoalEvaluator.Series(index, s) : null), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> CreateAsync(
        FlywheelStore store, EventIndexHost host, TimeProvider time, HttpRequest http, AnalyticsOptions options, CancellationToken ct)
    {
        var body = await Features.Shared.AnalyticsBody.ReadAsync<GoalRequest>(http, options.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var request, out var bad)) return bad.ToProblem();
        string? target = request.Target is not { } t || t.ValueKind == JsonValueKind.Null ? null
            : t.ValueKind == JsonValueKind.String ? t.GetString()
            : t.ValueKind == JsonValueKind.Number ? t.GetRawText()
            : "";
        if (target == "") return Problems.Invalid(Error.Invalid("$.target", "target is a string such as \"+20%\" or an absolute value"));
        var input = new GoalInput(request.Name, request.Metric, target, request.Baseline, request.Start, request.Deadline, request.Channel);
        var created = await GoalService.CreateAsync(store, input, ct);
        if (!created.TryGetValue(out var goal, out var error)) return Problems.Invalid(error with { Path = "$." + error.Path });
        var index = await host.GetAsync(allowStale: false, ct);
        var status = GoalEvaluator.Evaluate(index, goal, GoalService.Today(index, time));
        return TypedResults.Text(GoalJson.WriteStatus(status), "application/json", statusCode: StatusCodes.Status201Created);
    }
}
