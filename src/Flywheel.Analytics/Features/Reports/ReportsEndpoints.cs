using Flywheel.Analytics.Contracts;
using System.Globalization;
using System.Text.Json;
using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Audiences;
using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Features.RunFunnel;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>
/// A funnel question. steps: "product_view", "add_to_cart[channel=douyin]" ...; window: 30m, 12h, 7d or seconds. With
/// save_audience, the customers who dropped after a step are saved as an audience too.
/// </summary>
internal sealed record FunnelRequest(IReadOnlyList<string>? Steps, string? Window, string? Mode, string? From, string? To, string? By,
    SaveAudienceRequest? SaveAudience = null);

/// <summary>
/// Save the customers who dropped after a step as an audience. name: a slug (a-z, 0-9, _, -; up to 64); dropped_after:
/// 1-based, 2 = reached step 2 but not step 3; title: for people; create_only: 409 instead of replacing an audience of that name.
/// </summary>
internal sealed record SaveAudienceRequest(string? Name, JsonElement? DroppedAfter, string? Title, bool? CreateOnly);

/// <summary>
/// Measure over HTTP: the same engines and JSON shapes as <c>flywheel report kpi|funnel</c>, on the event index the
/// server holds (rebuilt after writes; <c>?stale_ok=true</c> answers from the current one without waiting).
/// </summary>
internal static class AnalyticsEndpoints
{
    public static void MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Analytics");
        group.MapGet("/metrics", MetricsAsync)
            .WithName("Metrics")
            .WithSummary("KPIs (GMV, orders, buyers, UV, CVR, AOV, repurchase rate, spend, ROI, CAC ...) for a range: by day, week, month, channel, campaign, store, category or region; filtered; compared with the previous period or last year")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/funnels", FunnelAsync)
            .WithName("Funnel")
            .WithSummary("An ordered funnel with a conversion window (ClickHouse windowFunnel semantics); optionally saves who dropped after a step as an audience")
            .Accepts<FunnelRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/cohorts", CohortsAsync)
            .WithName("Cohorts")
            .WithSummary("Retention cohorts by week or month of entry: active visitors, rates, orders and revenue per period")
            .Accepts<CohortRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/attribution", AttributionAsync)
            .WithName("Attribution")
            .WithSummary("Multi-touch attribution of paid orders: last click, first click, linear, time decay, position based and Markov, side by side")
            .Accepts<AttributionRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> CohortsAsync(
        EventIndexHost host, FlywheelStore store, [FromServices] ISegmentMembers? members, CohortRequest request, bool? stale_ok, CancellationToken ct)
    {
        if (!Range(request.From, request.To, out var from, out var to, out var problem)) return problem!;
        var period = request.Period ?? "month";
        if (period is not ("week" or "month")) return Problems.Invalid(Error.Invalid("$.period", $"'{period}' is not week or month"));
        var returning = request.Return ?? "purchase";
        if (returning is not ("purchase" or "any")) return Problems.Invalid(Error.Invalid("$.return", $"'{returning}' is not purchase or any"));
        if (CohortEntry.Parse(request.Entry ?? "first_purchase") is not { } entry)
            return Problems.Invalid(Error.Invalid("$.entry", "entry is first_purchase, signup or first:<event_type>"));
        var scope = new Scope(request.Channel, request.Campaign, request.Store, request.Category, request.Region);
        var query = new CohortQuery(from, to, period == "week" ? CohortPeriod.Week : CohortPeriod.Month, entry,
            returning == "any" ? CohortReturn.AnyEvent : CohortReturn.Purchase, request.Periods ?? CohortQuery.DefaultPeriods, scope.IsAll ? null : scope);
        if (query.Validate() is { } invalid) return Problems.Invalid(invalid with { Path = "$." + invalid.Path });
        if (request.Segment is { Length: 0 }) return Problems.Invalid(Error.Invalid("$.segment", "an empty segment name"));
        var index = await host.GetAsync(stale_ok == true, ct);
        if (request.Segment is not null)
        {
            var scoped = await SegmentScope.ApplyAsync(members, store, index, scope, request.Segment, to, "$.segment", ct);
            if (!scoped.TryGetValue(out var segmentScope, out var unknown)) return Problems.Invalid(unknown);
            query = query with { Scope = segmentScope };
        }
        var result = CohortEngine.Run(index, query);
        if (!result.TryGetValue(out var rows, out var error)) return Problems.Invalid(error with { Path = "$." + error.Path });
        return TypedResults.Text(CohortJson.Write(rows), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> AttributionAsync(
        EventIndexHost host, AttributionRequest request, bool? stale_ok, CancellationToken ct)
    {
        if (!Range(request.From, request.To, out var from, out var to, out var problem)) return problem!;
        var by = AttributionDimension.Channel;
        if (request.By is not null && (!Enum.TryParse(request.By, ignoreCase: true, out by) || int.TryParse(request.By, out _)))
            return Problems.Invalid(Error.Invalid("$.by", $"'{request.By}' is not channel, campaign or kol"));
        var query = new AttributionQuery(from, to, by, request.LookbackDays ?? 30, request.HalfLifeDays ?? 7);
        if (query.Validate() is { } invalid)
            return Problems.Invalid(invalid with { Path = "$." + invalid.Path!.Replace("-", "_", StringComparison.Ordinal) + (invalid.Path is "lookback" or "half-life" ? "_days" : "") });
        var index = await host.GetAsync(stale_ok == true, ct);
        var result = AttributionEngine.Run(index, query);
        if (!result.TryGetValue(out var report, out var error)) return Problems.Invalid(error with { Path = "$." + error.Path });
        return TypedResults.Text(AttributionJson.Write(report), "application/json");
    }

    /// <summary>from and to are required here (yyyy-MM-dd, inclusive, the store's time zone).</summary>
    private static bool Range(string? fromText, string? toText, out DateOnly from, out DateOnly to, out ProblemHttpResult? problem)
    {
        from = to = default;
        if (fromText is null || toText is null)
        {
            problem = Problems.Invalid(Error.Invalid(fromText is null ? "$.from" : "$.to", "from and to are required, as yyyy-MM-dd"));
            return false;
        }
        if (!Day(fromText, "from", out var f, out problem) || !Day(toText, "to", out var t, out problem)) return false;
        (from, to) = (f!.Value, t!.Value);
        return true;
    }

    /// <summary>
    /// GET /v1/metrics: <c>from</c>, <c>to</c> (yyyy-MM-dd; default the last 30 days with data), <c>by</c> (a
    /// grouping), filters <c>channel</c>, <c>campaign</c>, <c>store</c>, <c>category</c>, <c>region</c>, and
    /// <c>compare</c> (previous and/or yoy, repeated or comma-separated).
    /// </summary>
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> MetricsAsync(
        EventIndexHost host, FlywheelStore flywheel, [FromServices] ISegmentMembers? members, TimeProvider time, string? from, string? to, string? by, string? channel, string? campaign,
        string? store, string? category, string? region, string? segment, string[]? compare, bool? stale_ok, CancellationToken ct)
    {
        if (!Day(from, "from", out var fromDay, out var problem) || !Day(to, "to", out var toDay, out problem)) return problem!;
        var grouping = KpiGrouping.Total;
        if (by is not null)
        {
            if (KpiQuery.ParseGrouping(by) is not { } parsed)
                return Problems.Invalid(Error.Invalid("$.by", $"unknown grouping '{by}' ({KpiQuery.GroupingNames})"));
            grouping = parsed;
        }
        var comparisons = KpiQuery.ParseComparisons(compare ?? []);
        if (!comparisons.TryGetValue(out var comparison, out var compareError)) return Problems.Invalid(compareError with { Path = "$." + compareError.Path });
        var scope = new Scope(channel, campaign, store, category, region);
        if (scope.Validate() is { } scopeError) return Problems.Invalid(scopeError with { Path = "$." + scopeError.Path });
        if (segment is { Length: 0 }) return Problems.Invalid(Error.Invalid("$.segment", "an empty segment name"));
        var index = await host.GetAsync(stale_ok == true, ct);
        var (_, last) = LocalCalendar.DataRange(index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var scoped = await SegmentScope.ApplyAsync(members, flywheel, index, scope, segment, toDay ?? last, "$.segment", ct);
        if (!scoped.TryGetValue(out scope, out var unknown)) return Problems.Invalid(unknown);
        var query = new KpiQuery(fromDay ?? last.AddDays(-29), toDay ?? last, grouping, scope.IsAll ? null : scope, comparison);
        var result = KpiEngine.Report(index, query);
        if (!result.TryGetValue(out var report, out var error)) return Problems.Invalid(error with { Path = "$." + error.Path });
        return TypedResults.Text(KpiJson.Write(report), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> FunnelAsync(
        EventIndexHost host, FlywheelStore store, FunnelRequest request, bool? stale_ok, CancellationToken ct)
    {
        if (request.Steps is null || request.Steps.Count == 0)
            return Error.Invalid("steps", "steps is required: [\"product_view\", \"add_to_cart\", ...]").ToProblem();
        var steps = new List<FunnelStep>();
        for (var i = 0; i < request.Steps.Count; i++)
        {
            var step = FunnelStep.Parse(request.Steps[i] ?? "");
            if (!step.TryGetValue(out var parsed, out var stepError)) return (stepError with { Path = $"steps[{i}]" }).ToProblem();
            steps.Add(parsed);
        }
        int? droppedAfter = null;
        if (request.SaveAudience is { DroppedAfter: { } given })
        {
            if (given.ValueKind != JsonValueKind.Number || !given.TryGetInt32(out var number))
                return Error.Invalid("save_audience.dropped_after", "dropped_after is a step number (1-based), e.g. 2 for added to cart but did not pay").ToProblem();
            droppedAfter = number;
        }
        var save = request.SaveAudience;
        var plan = FunnelQuestion.Check(new FunnelInput(steps, request.Window, request.Mode, request.By, request.From, request.To,
            save is null ? null : save.Name ?? "", droppedAfter, save?.Title, save?.CreateOnly == true));
        if (!plan.TryGetValue(out var checkedPlan, out var error)) return error.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var answer = await FunnelQuestion.RunAsync(checkedPlan, index, store, ct);
        if (!answer.TryGetValue(out var funnel, out error)) return error.ToProblem();
        return TypedResults.Text(FunnelJson.Write(funnel.Result, funnel.Saved), "application/json");
    }

    internal static bool Day(string? text, string name, out DateOnly? day, out ProblemHttpResult? problem)
    {
        problem = null;
        if (LocalCalendar.ParseDay(text, "$." + name).TryGetValue(out day, out var error)) return true;
        problem = Problems.Invalid(error);
        return false;
    }
}

/// <summary>
/// A retention question: period week|month; entry first_purchase|signup|first:&lt;type&gt;; return purchase|any; the
/// members' scope by channel, campaign, store (first-purchase cohorts only), category and region.
/// </summary>
internal sealed record CohortRequest(string? From, string? To, string? Period, string? Entry, string? Return, int? Periods, string? Channel,
    string? Campaign = null, string? Store = null, string? Category = null, string? Region = null, string? Segment = null);

/// <summary>An attribution question: by channel|campaign|kol; look-back and time-decay half-life in days.</summary>
internal sealed record AttributionRequest(string? From, string? To, string? By, int? LookbackDays, double? HalfLifeDays);
