using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Flywheel.Experiments.Features.Analyze;

/// <summary><c>POST /v1/experiments/analyze</c>: the CLI contract's document in, its answer out.</summary>
internal static class AnalyzeEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/experiments/analyze", AnalyzeAsync).Requires(Permission.ReportsRead).WithName("AnalyzeExperiment")
            .WithSummary("Judges an A/B test from per-variant counts: SRM check, absolute and relative effects with intervals and p-values, " +
                         "Bayesian chance to win and expected loss, always-valid sequential p-value; the first variant is control")
            .Accepts<AnalyzeDocument>("application/json");

    internal static async Task<Results<JsonHttpResult<AnalysisResult>, ProblemHttpResult>> AnalyzeAsync(HttpRequest request, AnalyzeHandler handler,
        IOptions<ExperimentsOptions> options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        using (body)
        {
            var result = handler.Handle(body.Root);
            return result.TryGetValue(out var analysis, out error) ? TypedResults.Json(analysis, AnalyzeJson.Options) : error.ToProblem();
        }
    }
}

/// <summary>The body's shape, for the API description only (the handler reads the JSON itself, to name the path of a problem).</summary>
internal sealed record AnalyzeDocument(string Metric, double? Confidence, IReadOnlyList<AnalyzeVariant> Variants, double? SequentialTuning, bool? Cuped);

/// <summary>One variant of <see cref="AnalyzeDocument"/>: binomial n + conversions; mean n + mean + sd (or sums); ratio sums.</summary>
internal sealed record AnalyzeVariant(string Name, long N, long? Conversions, double? Mean, double? Sd, double? Weight);
