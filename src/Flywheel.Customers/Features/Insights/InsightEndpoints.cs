using Flywheel.Hosting.Access;
using Flywheel.Hosting.Output;
using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using System.Globalization;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers;
using Flywheel.Customers.Personas;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Rfm;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Flywheel.Customers.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Customers.Features.Insights;

/// <summary>
/// Understand over HTTP: <c>GET /v1/rfm</c> (the same JSON as <c>flywheel rfm --format json</c>) and
/// <c>GET /v1/personas/{segment}</c> (as <c>flywheel persona SEGMENT --format json</c>).
/// </summary>
internal static class InsightEndpoints
{
    public static void MapInsightEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Customers");
        group.MapGet("/rfm", RfmAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Rfm")
            .WithSummary("RFM segments with size, GMV share and recommended action, and the R × FM grid; ?compare=DATE adds the migration matrix; " +
                         "?customers=N lists scored customers, narrowed by ?segment=CODE or ?r=&fm= (a grid cell)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/personas/{segment}", PersonaAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Persona")
            .WithSummary("Persona of a segment (all, an RFM segment or group): distributions against all customers and what sets it apart")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/customers/{id}/profile", ProfileAsync).Requires(Permission.CustomersRead).ExportsPersonalData()
            .WithName("CustomerProfile")
            .WithSummary("One customer: identity (name, phone, e-mail; masked without personal:read), attributes, consents, orders, RFM, lifecycle stage, CLV and P(alive), saved segments")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/lifecycle", LifecycleAsync).Requires(Permission.ReportsRead).QueryTimeLimit()
            .WithName("Lifecycle")
            .WithSummary("Customers per lifecycle stage as of a day (nothing recorded)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/lifecycle/refresh", RefreshLifecycleAsync).Requires(Permission.MarketingWrite)
            .WithName("RefreshLifecycle")
            .WithSummary("Computes every customer's stage now and records the changes as transitions (the server also does this periodically)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/lifecycle/transitions", TransitionsAsync).Requires(Permission.ReportsRead)
            .WithName("LifecycleTransitions")
            .WithSummary("Recorded stage transitions after a cursor (?after=ID&limit=N), oldest first: what journeys listen to")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> RfmAsync(
        EventIndexHost host, CustomerInsights insights, TimeProvider time, string? as_of, int? window, string? thresholds, string? compare, int? customers,
        string? segment, int? r, int? fm, bool? stale_ok, CancellationToken ct)
    {
        var plan = RfmQuestion.Check(new RfmInput(as_of, window, thresholds, compare, customers));
        if (!plan.TryGetValue(out var checkedPlan, out var error)) return error.ToProblem();
        if (!ListFilter(segment, r, fm).TryGetValue(out var listed, out error)) return Problems.Invalid(error);
        var index = await host.GetAsync(stale_ok == true, ct);
        var answer = RfmQuestion.Run(checkedPlan, index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), RfmQuestion.ClvOf(insights, index));
        if (!answer.TryGetValue(out var rfm, out error)) return error.ToProblem();
        return TypedResults.Text(RfmJson.Write(rfm.Result, rfm.Migration, checkedPlan.Customers, listed), "application/json");
    }

    /// <summary>
    /// Which scored customers <c>?customers=N</c> lists: those of an RFM segment, of a grid cell (r and fm together), both, or
    /// everyone (null) — so the console can show the customers behind a segment's size or a cell's count.
    /// </summary>
    private static Result<Func<RfmScore, bool>?> ListFilter(string? segment, int? r, int? fm)
    {
        RfmSegment? wanted = null;
        if (segment is not null && (wanted = RfmSegments.Find(segment)) is null)
            return Error.Invalid("$.segment", $"no RFM segment '{segment}': use {string.Join(", ", RfmSegments.All.Select(s => s.Code))}");
        if (r is < 1 or > 5) return Error.Invalid("$.r", $"r is a recency score from 1 to 5, not {r}");
        if (fm is < 1 or > 5) return Error.Invalid("$.fm", $"fm is a combined frequency-monetary score from 1 to 5, not {fm}");
        if (r.HasValue != fm.HasValue) return Error.Invalid(r.HasValue ? "$.fm" : "$.r", "a grid cell needs both r and fm");
        if (wanted is null && r is null) return Result<Func<RfmScore, bool>?>.Success(null);
        return Result<Func<RfmScore, bool>?>.Success(s =>
            (wanted is null || s.Segment == wanted) && (r is null || (s.R == r && RfmSegments.CombinedFm(s.F, s.M) == fm)));
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> PersonaAsync(
        FlywheelStore store, EventIndexHost host, ProfileHost profiles, TimeProvider time, string segment, string? as_of, bool? stale_ok, CancellationToken ct)
    {
        if (!Day(as_of, "as_of", out var asOf, out var problem)) return problem!;
        var index = await host.GetAsync(stale_ok == true, ct);
        var table = await profiles.GetAsync(ct);
        var day = asOf ?? LocalCalendar.DataRange(index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).Last;
        var members = await CustomerSets.ResolveAsync(store, index, segment, day, ct);
        if (!members.TryGetValue(out var ids, out var missing))
            return Error.NotFound("segment", missing.Message).ToProblem();
        if (!PersonaEngine.Run(index, table, segment, ids, day, currency: await StoreCurrency.ReadAsync(store, ct)).TryGetValue(out var persona, out var empty))
            return Problems.Invalid(empty with { Path = "$.segment" });
        return TypedResults.Text(PersonaJson.Write(persona), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> LifecycleAsync(
        EventIndexHost host, LifecycleService lifecycle, CustomerInsights insights, TimeProvider time, string? as_of, bool? stale_ok, CancellationToken ct)
    {
        if (!Day(as_of, "as_of", out var asOf, out var problem)) return problem!;
        if (asOf is { } d && (d < RfmQuery.Earliest || d > RfmQuery.Latest))
            return Problems.Invalid(Error.Invalid("$.as_of", $"{d:yyyy-MM-dd} is outside {RfmQuery.Earliest:yyyy-MM-dd}..{RfmQuery.Latest:yyyy-MM-dd}"));
        var index = await host.GetAsync(stale_ok == true, ct);
        var day = asOf ?? LocalCalendar.DataEnd(index, time);
        var refresh = await lifecycle.RefreshAsync(index, day, record: false, insights.PAliveOf(index, day), ct);
        return TypedResults.Text(LifecycleJson.Write(refresh, recorded: false, transitions: 0), "application/json");
    }

    internal static async Task<ContentHttpResult> RefreshLifecycleAsync(EventIndexHost host, LifecycleService lifecycle, CustomerInsights insights, TimeProvider time,
        CancellationToken ct)
    {
        var index = await host.GetAsync(allowStale: false, ct);
        var today = LocalCalendar.Today(index.TimeZone, time);
        var refresh = await lifecycle.RefreshAsync(index, today, record: true, insights.PAliveOf(index, today), ct);
        return TypedResults.Text(LifecycleJson.Write(refresh, recorded: true), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> TransitionsAsync(FlywheelStore store, long? after, int? limit, CancellationToken ct)
    {
        if (after is < 0) return Problems.Invalid(Error.Invalid("$.after", "after is a transition id, 0 or more"));
        if (limit is < 1 or > 10_000) return Problems.Invalid(Error.Invalid("$.limit", "limit is 1 to 10000"));
        var transitions = await LifecycleStore.TransitionsAsync(store, after ?? 0, limit ?? 1000, ct);
        return TypedResults.Text(LifecycleJson.WriteTransitions(transitions), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ProfileAsync(HttpContext context,
        FlywheelStore store, EventIndexHost host, ProfileHost profiles, CustomerInsights insights, TimeProvider time, string id, bool? stale_ok, CancellationToken ct)
    {
        var clear = context.SeesPersonalData();
        var table = await profiles.GetAsync(ct);
        var row = table.Row(id);
        if (row < 0) return Error.NotFound("id", $"no customer '{id}'").ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var today = LocalCalendar.DataEnd(index, time);
        var v = index.FindVisitor(id);
        long orders = 0, gmv = 0, refunds = 0;
        int? first = null, last = null;
        if (v >= 0)
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
            {
                orders++;
                gmv = checked(gmv + index.OrderGmv[o]);
                refunds = checked(refunds + index.OrderRefund[o]);
                first ??= index.OrderPaidTime[o];
                last = index.OrderPaidTime[o];
            }
        var rfm = insights.Rfm(index, today).Of(id);
        var stage = insights.Stages(index, today).GetValueOrDefault(id);
        var clv = insights.Clv(index, id, today);
        var segments = await Flywheel.Customers.Segments.SegmentStore.SegmentsOfAsync(store, id, ct);
        var forgottenAt = await ErasureStore.ForgottenAtAsync(store, id, ct);
        var contact = (await CustomerRecipients.LoadAsync(store, [id], ct)).GetValueOrDefault(id);

        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, RfmJson.Options))
        {
            json.WriteStartObject();
            json.WriteString("customer_id", id);
            // RFM, lifecycle and CLV below are as of this day: the last day with data (issue 12), stated so a reader knows.
            json.WriteString("as_of", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            // Erased (flywheel customers forget): personal attributes, identities and consents are gone; orders and models stay.
            Text(json, "forgotten_at", forgottenAt?.ToString("O", CultureInfo.InvariantCulture));
            // Who the person is and how to reach them (the newest phone and e-mail): masked like the rest for roles without personal data.
            json.WriteStartObject("identity");
            Text(json, "name", clear ? contact?.Name : Masking.Name(contact?.Name));
            Text(json, "phone", clear ? contact?.Phone : Masking.Phone(contact?.Phone));
            Text(json, "email", clear ? contact?.Email : Masking.Email(contact?.Email));
            json.WriteEndObject();
            json.WriteStartObject("attributes");
            Text(json, "gender", table.Gender[row]);
            // Personal data: roles without it see the birth year only (PIPL data minimisation).
            var birth = table.BirthDate[row]?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Text(json, "birth_date", clear ? birth : Masking.BirthDate(birth));
            Text(json, "province", table.Province[row]);
            Text(json, "city", table.City[row]);
            Text(json, "city_tier", table.CityTier[row]);
            Text(json, "signup_channel", table.SignupChannel[row]);
            Text(json, "member_tier", table.MemberTier[row]);
            json.WriteEndObject();
            json.WriteStartArray("consents");
            foreach (var consent in table.Consents(row).Order(StringComparer.Ordinal)) json.WriteStringValue(consent);
            json.WriteEndArray();
            json.WriteStartObject("orders");
            json.WriteNumber("count", orders);
            json.WritePropertyName("gmv");
            json.WriteRawValue(MoneyText.Format(gmv));
            json.WritePropertyName("refunds");
            json.WriteRawValue(MoneyText.Format(refunds));
            Text(json, "first_paid_at", first is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(Flywheel.Analytics.Contracts.EventIndex.ToUnixMs(f)).ToString("O", CultureInfo.InvariantCulture) : null);
            Text(json, "last_paid_at", last is { } l ? DateTimeOffset.FromUnixTimeMilliseconds(Flywheel.Analytics.Contracts.EventIndex.ToUnixMs(l)).ToString("O", CultureInfo.InvariantCulture) : null);
            json.WriteEndObject();
            if (rfm is null) json.WriteNull("rfm");
            else
            {
                json.WriteStartObject("rfm");
                json.WriteNumber("recency_days", rfm.RecencyDays);
                json.WriteNumber("frequency", rfm.Frequency);
                json.WritePropertyName("monetary");
                json.WriteRawValue(MoneyText.Format(rfm.Monetary));
                json.WriteNumber("r", rfm.R);
                json.WriteNumber("f", rfm.F);
                json.WriteNumber("m", rfm.M);
                json.WriteStartObject("segment");
                RfmJson.WriteSegment(json, rfm.Segment);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteStartObject("lifecycle");
            json.WriteString("stage", stage?.Stage ?? LifecycleStages.Prospect);
            json.WriteString("name_zh", LifecycleStages.NameZh(stage?.Stage ?? LifecycleStages.Prospect));
            if (stage?.RhythmDays is { } rhythm) json.WriteNumber("rhythm_days", rhythm);
            else json.WriteNull("rhythm_days");
            json.WriteEndObject();
            if (clv is null) json.WriteNull("clv");
            else
            {
                json.WriteStartObject("clv");
                json.WriteNumber("fit_id", clv.FitId);
                json.WriteNumber("horizon", clv.Horizon);
                json.WriteNumber("expected_purchases", clv.ExpectedPurchases);
                json.WriteNumber("p_alive", clv.PAlive);
                json.WritePropertyName("value");
                if (clv.Clv is { } value) json.WriteRawValue(MoneyText.Format(value));
                else json.WriteNullValue();
                json.WriteEndObject();
            }
            json.WriteStartArray("segments");
            foreach (var name in segments) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return TypedResults.Text(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), "application/json");
    }

    private static void Text(System.Text.Json.Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static bool Day(string? text, string name, out DateOnly? day, out ProblemHttpResult? problem)
    {
        problem = null;
        if (LocalCalendar.ParseDay(text, "$." + name).TryGetValue(out day, out var error)) return true;
        problem = Problems.Invalid(error);
        return false;
    }
}
