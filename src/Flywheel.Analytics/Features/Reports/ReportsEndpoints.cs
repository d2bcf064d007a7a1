using Flywheel.Hosting.Access;
using Flywheel.Analytics.Contracts;
using System.Globalization;
using System.Text.Json;
using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Audiences;
using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Features.RunFunnel;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Hosting.Output;
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
        group.MapGet("/metrics", MetricsAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Metrics")
            .WithSummary("KPIs (GMV, orders, buyers, UV, CVR, AOV, repurchase rate, spend, ROI, CAC ...) for a range: by day, week, month, channel, campaign, store, category or region; filtered; compared with the previous period or last year")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/events/catalog", CatalogAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("EventCatalog")
            .WithSummary("What the event index holds: each event type with its number of events, and the values a funnel step can be filtered on (channel, source, medium, campaign, category, kol)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/funnels", FunnelAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Funnel")
            .WithSummary("An ordered funnel with a conversion window (ClickHouse windowFunnel semantics); optionally saves who dropped after a step as an audience")
            .Accepts<FunnelRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/cohorts", CohortsAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Cohorts")
            .WithSummary("Retention cohorts by week or month of entry: active visitors, rates, orders and revenue per period")
            .Accepts<CohortRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/attribution", AttributionAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Attribution")
            .WithSummary("Multi-touch attribution of paid orders: last click, first click, linear, time decay, position based and Markov, side by side")
            .Accepts<AttributionRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
    }

    /// <summary>At most this many values of each filterable field are listed (the commonest first would need a count; they are sorted).</summary>
    internal const int CatalogValues = 500;

    /// <summary>GET /v1/events/catalog: the funnel builder's vocabulary, read from the index the server holds.</summary>
    internal static async Task<ContentHttpResult> CatalogAsync(EventIndexHost host, bool? stale_ok, CancellationToken ct)
    {
        var index = await host.GetAsync(stale_ok == true, ct);
        var counts = new long[index.Types.Count];
        foreach (var type in index.EventType) counts[type]++;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("types");
            foreach (var code in Enumerable.Range(1, counts.Length - 1).Where(c => counts[c] > 0).OrderByDescending(c => counts[c]).ThenBy(c => index.Types.Decode(c), StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("type", index.Types.Decode(code));
                json.WriteNumber("events", counts[code]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("fields");
            foreach (var (name, table) in new[] { ("channel", index.Channels), ("source", index.Sources), ("medium", index.Mediums),
                         ("campaign", index.Campaigns), ("category", index.Categories), ("kol", index.Kols) })
            {
                var values = Enumerable.Range(1, table.Count - 1).Select(c => table.Decode(c)!).Order(StringComparer.Ordinal).ToList();
                json.WriteStartObject(name);
                json.WriteNumber("count", values.Count);
                json.WriteStartArray("values");
                foreach (var value in values.Take(CatalogValues)) json.WriteStringValue(value);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return TypedResults.Text(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> CohortsAsync(
        EventIndexHost host, FlywheelStore store, [FromServices] ISegmentMembers? members, TimeProvider time, HttpRequest http, AnalyticsOptions options,
        bool? stale_ok, CancellationToken ct)
    {
        var body = await AnalyticsBody.ReadAsync<CohortRequest>(http, options.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var request, out var bad)) return bad.ToProblem();
        if (Required(request.From, request.To) is { } missing) return missing.ToProblem();
        var plan = CohortQuestion.Check(new CohortInput(request.From, request.To, request.Period, request.Entry, request.Return, request.Periods,
            new ScopeInput(request.Channel, request.Campaign, request.Store, request.Category, request.Region), request.Segment));
        if (!plan.TryGetValue(out var checkedPlan, out var error)) return error.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var result = await CohortQuestion.RunAsync(checkedPlan, index, store, members, Today(time), ct);
        if (!result.TryGetValue(out var answer, out error)) return error.ToProblem();
        return TypedResults.Text(CohortJson.Write(answer.Rows), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> AttributionAsync(
        EventIndexHost host, FlywheelStore store, TimeProvider time, HttpRequest http, AnalyticsOptions options, bool? stale_ok, CancellationToken ct)
    {
        var body = await AnalyticsBody.ReadAsync<AttributionRequest>(http, options.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var request, out var bad)) return bad.ToProblem();
        if (Required(request.From, request.To) is { } missing) return missing.ToProblem();
        var plan = AttributionQuestion.Check(new AttributionInput(request.From, request.To, request.By, request.LookbackDays, request.HalfLifeDays));
        if (!plan.TryGetValue(out var checkedPlan, out var error)) return error.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var result = AttributionQuestion.Run(checkedPlan, index, Today(time));
        if (!result.TryGetValue(out var report, out error)) return error.ToProblem();
        return TypedResults.Text(AttributionJson.Write(report, await StoreCurrency.ReadAsync(store, ct)), "application/json");
    }

    /// <summary>The API asks for both ends of a cohort or attribution range (yyyy-MM-dd, inclusive, the store's time zone).</summary>
    private static Error? Required(string? from, string? to) =>
        from is null || to is null ? Error.Invalid(from is null ? "from" : "to", "from and to are required, as yyyy-MM-dd") : null;

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// GET /v1/metrics: <c>from</c>, <c>to</c> (yyyy-MM-dd; default the last 30 days with data), <c>by</c> (a
    /// grouping), filters <c>channel</c>, <c>campaign</c>, <c>store</c>, <c>category</c>, <c>region</c>, and
    /// <c>compare</c> (previous and/or yoy, repeated or comma-separated).
    /// </summary>
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> MetricsAsync(
        EventIndexHost host, FlywheelStore flywheel, [FromServices] ISegmentMembers? members, TimeProvider time, string? from, string? to, string? by,
        string? channel, string? campaign, string? store, string? category, string? region, string? segment, string[]? compare, bool? stale_ok,
        CancellationToken ct)
    {
        var plan = KpiQuestion.Check(new KpiInput(from, to, by, new ScopeInput(channel, campaign, store, category, region), segment, compare ?? []));
        if (!plan.TryGetValue(out var checkedPlan, out var error)) return error.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var result = await KpiQuestion.RunAsync(checkedPlan, index, flywheel, members, Today(time), defaultDays: 30, ct);
        if (!result.TryGetValue(out var report, out error)) return error.ToProblem();
        return TypedResults.Text(KpiJson.Write(report, index.TimeZone, await StoreCurrency.ReadAsync(flywheel, ct)), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> FunnelAsync(
        EventIndexHost host, FlywheelStore store, HttpRequest http, AnalyticsOptions options, bool? stale_ok, CancellationToken ct)
    {
        var body = await AnalyticsBody.ReadAsync<FunnelRequest>(http, options.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var request, out var bad)) return bad.ToProblem();
        // Reading a funnel needs reports:read, but saving its drop-off writes an audience: that is a marketing write, so a
        // viewer's or analyst's key must not be able to do it through this read endpoint.
        if (request.SaveAudience is not null && !http.HttpContext.Allows(Permission.MarketingWrite) && http.HttpContext.Caller() is { } caller)
            return Problems.Create(StatusCodes.Status403Forbidden, Problems.Forbidden, "The key's role may not do this",
                $"the key '{caller.Name}' has role {caller.Role}: saving the drop-off as an audience (save_audience) needs the permission {Permission.MarketingWrite}");
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
}

/// <summary>
/// A retention question: period week|month; entry first_purchase|signup|first:&lt;type&gt;; return purchase|any; the
/// members' scope by channel, campaign, store (first-purchase cohorts only), category and region.
/// </summary>
internal sealed record CohortRequest(string? From, string? To, string? Period, string? Entry, string? Return, int? Periods, string? Channel,
    string? Campaign = null, string? Store = null, string? Category = null, string? Region = null, string? Segment = null);

/// <summary>An attribution question: by channel|campaign|kol; look-back and time-decay half-life in days.</summary>
internal sealed record AttributionRequest(string? From, string? To, string? By, int? LookbackDays, double? HalfLifeDays);
