using Flywheel.Experiments.Contracts;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Features.Assign;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Flywheel.Experiments.Features.ManageExperiments;

/// <summary>
/// <c>POST /v1/experiments</c> (a draft), <c>GET /v1/experiments</c>, <c>GET|PUT /v1/experiments/{key}</c>, <c>POST /v1/experiments/{key}/start|stop</c>
/// and <c>GET /v1/experiments/{key}/assign?unit=...</c> (a storefront's call: Checkout permission; records the exposure once).
/// </summary>
internal static class ManageExperimentsEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/experiments", CreateAsync).Requires(Permission.MarketingWrite).WithName("CreateExperiment")
            .WithSummary("Define an experiment (a draft): key, name, hypothesis, unit, variants (the control first; at most one holdout), traffic, segment, window_days, confidence, metrics")
            .Accepts<object>("application/json");
        group.MapGet("/experiments", ListAsync).Requires(Permission.ReportsRead).WithName("Experiments")
            .WithSummary("Every experiment with its status and exposed units per variant");
        group.MapGet("/experiments/{key}", GetAsync).Requires(Permission.ReportsRead).WithName("Experiment");
        group.MapPut("/experiments/{key}", UpdateAsync).Requires(Permission.MarketingWrite).WithName("UpdateExperiment")
            .WithSummary("Replace a definition: a draft freely; once started only name and hypothesis, and a running experiment's traffic upwards (409 otherwise)")
            .Accepts<object>("application/json");
        group.MapPost("/experiments/{key}/start", StartAsync).Requires(Permission.MarketingWrite).WithName("StartExperiment")
            .WithSummary("draft → running: units are assigned from now on; 409 unless a draft");
        group.MapPost("/experiments/{key}/stop", StopAsync).Requires(Permission.MarketingWrite).WithName("StopExperiment")
            .WithSummary("running → stopped: no unit is assigned any more; 409 unless running");
        group.MapGet("/experiments/{key}/assign", AssignAsync).Requires(Permission.Checkout).WithName("AssignExperiment")
            .WithSummary("The unit's variant (experiment, variant, holdout, in_experiment, reason), its exposure recorded once; sticky across calls and servers");
    }

    internal static async Task<Results<JsonHttpResult<ExperimentView>, ProblemHttpResult>> CreateAsync(HttpRequest request, ManageExperimentsHandler handler,
        IOptions<ExperimentsOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var definition, out var error)) return error.ToProblem();
        var created = await handler.CreateAsync(definition, ct);
        return created.TryGetValue(out var view, out error) ? Json(view, StatusCodes.Status201Created) : error.ToProblem();
    }

    internal static async Task<JsonHttpResult<IReadOnlyList<ExperimentView>>> ListAsync(ManageExperimentsHandler handler, CancellationToken ct) =>
        Json(await handler.ListAsync(ct));

    internal static async Task<Results<JsonHttpResult<ExperimentView>, ProblemHttpResult>> GetAsync(ManageExperimentsHandler handler, string key, CancellationToken ct) =>
        Answer(await handler.GetAsync(key, ct));

    internal static async Task<Results<JsonHttpResult<ExperimentView>, ProblemHttpResult>> UpdateAsync(HttpRequest request, ManageExperimentsHandler handler,
        IOptions<ExperimentsOptions> options, string key, CancellationToken ct)
    {
        var body = await ReadAsync(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var definition, out var error)) return error.ToProblem();
        return Answer(await handler.UpdateAsync(key, definition, ct));
    }

    internal static async Task<Results<JsonHttpResult<ExperimentView>, ProblemHttpResult>> StartAsync(ManageExperimentsHandler handler, string key, CancellationToken ct) =>
        Answer(await handler.StartAsync(key, ct));

    internal static async Task<Results<JsonHttpResult<ExperimentView>, ProblemHttpResult>> StopAsync(ManageExperimentsHandler handler, string key, CancellationToken ct) =>
        Answer(await handler.StopAsync(key, ct));

    internal static async Task<Results<JsonHttpResult<ExperimentAssignment>, ProblemHttpResult>> AssignAsync(ExperimentAssignments assignments, string key, string? unit,
        CancellationToken ct)
    {
        var assigned = await assignments.AssignAsync(key, unit ?? "", "api", ct);
        return assigned.TryGetValue(out var assignment, out var error) ? Json(assignment) : error.ToProblem();
    }

    private static async Task<Result<ExperimentDefinition>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body) return DefinitionParser.Parse(body.Root);
    }

    private static Results<JsonHttpResult<ExperimentView>, ProblemHttpResult> Answer(Result<ExperimentView> result) =>
        result.TryGetValue(out var view, out var error) ? Json(view) : error.ToProblem();

    private static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, ExperimentViewJson.Options, "application/json", status);
}
