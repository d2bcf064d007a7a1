using Flywheel.Hosting.Access;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flywheel.Analytics.Contracts;
using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Customers.Contracts;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Campaigns.Features.Engage;

/// <summary>A consent change sent to <c>POST /v1/consent</c>.</summary>
internal sealed record ConsentRequest(string? CustomerId, string? Channel, string? Purpose, string? Status, string? Source);

/// <summary>
/// Engage over HTTP: <c>/v1/journeys</c> (list, templates, create from JSON/YAML or a template, status, delete, stats),
/// <c>/v1/broadcasts</c> (list, create, plan, get, stats), <c>/v1/messages</c> (the send log), <c>/v1/consent</c>, and the links in
/// messages: <c>/r/{token}</c> (records the click as an event with UTM and redirects) and <c>/u/{token}</c> (unsubscribes).
/// </summary>
internal static class CampaignsEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly string[] ConsentChannels = ["email", "sms", "wecom", "webhook"];

    public static void MapCampaignsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Engage");
        group.MapGet("/journeys", ListJourneysAsync).Requires(Permission.ReportsRead).WithSummary("Journeys, optionally of one status (draft, active, paused, archived)");
        group.MapGet("/journeys/templates", Templates).Requires(Permission.ReportsRead).WithSummary("The ready-made journeys: abandoned cart, welcome, win-back, birthday, review invite, presale balance, group buy");
        group.MapPost("/journeys", SaveJourneyAsync).Requires(Permission.MarketingWrite).WithSummary("Create or replace a journey from its JSON (or YAML with Content-Type application/yaml), or {\"template\": name}; ?activate=true starts it");
        group.MapGet("/journeys/{id}", GetJourneyAsync).Requires(Permission.ReportsRead);
        group.MapPost("/journeys/{id}/status", SetStatusAsync).Requires(Permission.MarketingWrite).WithSummary("{\"status\": \"active\" | \"paused\" | \"archived\" | \"draft\"}");
        group.MapDelete("/journeys/{id}", DeleteJourneyAsync).Requires(Permission.MarketingWrite);
        group.MapGet("/journeys/{id}/stats", JourneyStatsAsync).Requires(Permission.ReportsRead).QueryTimeLimit().WithSummary("Entered, sent, delivered, failed, opened, clicked, converted, revenue and unsubscribes per step and variant, and lift against the holdout");
        group.MapPost("/broadcasts", CreateBroadcastAsync).Requires(Permission.MarketingWrite).WithSummary("Create a broadcast: {\"id\": ..., \"name\", \"segment\", \"channel\", \"template\", \"send_at\" | \"local_time\", \"rate_per_minute\", \"holdout_percent\" | \"experiment\" (+ \"variants\": {\"b\": {\"template\"}})}");
        group.MapGet("/broadcasts", ListBroadcastsAsync).Requires(Permission.ReportsRead).WithSummary("Broadcasts, newest first, optionally of one status (planned, planning, sending, done, cancelled)");
        group.MapPost("/broadcasts/{id}/plan", PlanBroadcastAsync).Requires(Permission.MarketingWrite).WithSummary("Plan and enqueue the broadcast (resumes where a crashed plan stopped)");
        group.MapGet("/broadcasts/{id}", GetBroadcastAsync).Requires(Permission.ReportsRead);
        group.MapGet("/broadcasts/{id}/stats", BroadcastStatsAsync).Requires(Permission.ReportsRead).QueryTimeLimit();
        group.MapGet("/messages", ListMessagesAsync).Requires(Permission.CustomersRead).ExportsPersonalData().WithSummary("The send log: ?customer_id=&source_kind=&source_id=&status=&before_id=&limit=");
        group.MapGet("/consent", GetConsentAsync).Requires(Permission.CustomersRead).WithSummary("A customer's consent per channel and purpose: ?customer_id=");
        group.MapPost("/consent", SetConsentAsync).Requires(Permission.MarketingWrite).WithSummary("Grant or withdraw consent; a withdrawal takes effect for messages already queued");
        app.MapGet("/r/{token}", ClickAsync).Requires(Permission.Public).WithTags("Engage").ExcludeFromDescription();
        app.MapGet("/o/{token}", OpenAsync).Requires(Permission.Public).WithTags("Engage").ExcludeFromDescription();
        app.MapGet("/u/{token}", UnsubscribeAsync).Requires(Permission.Public).WithTags("Engage").ExcludeFromDescription();
        app.MapPost("/u/{token}", UnsubscribeAsync).Requires(Permission.Public).WithTags("Engage").ExcludeFromDescription().WithMetadata(new AcceptsFormPost());
    }

    private static IResult Ok<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Text(JsonSerializer.Serialize(value, Json), "application/json", statusCode: status);

    private static JsonValidation Context(ICustomerSignals customers, CampaignRuntime runtime) =>
        new(new JourneyValidationContext { CompileRule = customers.CheckRule, CheckLink = runtime.Links.Policy.Refusal });

    private sealed record JsonValidation(JourneyValidationContext Context);

    private static object View(StoredJourney j) => new
    {
        journey_id = j.JourneyId, j.Name, j.Status, j.Version, created_at = j.CreatedAt, updated_at = j.UpdatedAt,
        definition = JsonNode.Parse(j.DefinitionJson),
    };

    internal static async Task<IResult> ListJourneysAsync(CampaignRuntime runtime, string? status, CancellationToken ct)
    {
        var list = await runtime.Campaigns.ListJourneysAsync(string.IsNullOrEmpty(status) ? null : status, ct);
        return list.TryGetValue(out var rows, out var error) ? Ok(rows.Select(View)) : Problems.Invalid(error with { Path = "$.status" });
    }

    internal static IResult Templates() =>
        Ok(JourneyTemplates.All.Select(t => new { t.Name, title_zh = t.TitleZh, title_en = t.TitleEn, t.Description, definition = JsonNode.Parse(JourneyJson.Write(t.Journey)) }));

    internal static async Task<IResult> SaveJourneyAsync(HttpRequest request, CampaignRuntime runtime, ICustomerSignals customers, CampaignsOptions options,
        bool? activate, CancellationToken ct)
    {
        // Read like every body: the module's size limit, UTF-8 only; JSON also without duplicate keys or lone surrogates.
        string text;
        var yaml = request.ContentType?.Contains("yaml", StringComparison.OrdinalIgnoreCase) == true;
        if (yaml)
        {
            var read = await RequestBody.ReadTextAsync(request, options.MaxRequestBytes, ct);
            if (!read.TryGetValue(out var yamlText, out var readError)) return readError.ToProblem();
            text = yamlText;
        }
        else
        {
            var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
            if (!read.TryGetValue(out var body, out var readError)) return readError.ToProblem();
            using (body) text = body.Root.GetRawText();
        }
        var context = Context(customers, runtime).Context;
        Result<Journey> parsed;
        if (!yaml && TryTemplate(text, out var template))
        {
            if (JourneyTemplates.Find(template) is not { } found)
                return Problems.Invalid(Error.Invalid("$.template", $"no ready-made journey '{template}' (known: {string.Join(", ", JourneyTemplates.All.Select(t => t.Name))})"));
            parsed = found.Journey;
        }
        else parsed = yaml ? JourneyYaml.ParseAndValidate(text, context) : JourneyJson.ParseAndValidate(text, context);
        if (!parsed.TryGetValue(out var journey, out var error)) return Problems.Invalid(error with { Path = Problems.JsonPath(error.Path) });
        var problems = JourneyValidator.Validate(journey, context);
        if (problems.Count > 0)
            return Problems.Invalid($"the journey has {problems.Count} problem(s)", [.. problems.Select(p => Problems.FromError(null, p))]);
        if (await CampaignExperiments.CheckAsync(journey, runtime.Experiments, ct) is { } noExperiment) return Problems.Invalid(noExperiment);
        string definition;
        try
        {
            definition = JourneyJson.Write(journey, indented: false);
        }
        catch (ArgumentException)
        {
            // A YAML escape can make a lone surrogate ("\uD800"), which no JSON can hold.
            return Problems.Invalid(Error.Invalid("$", "the journey holds text that is not valid Unicode (a lone surrogate, \\uD800-\\uDFFF without its pair)"));
        }
        var saved = await runtime.Campaigns.SaveJourneyAsync(new JourneyDraft(journey.Id, journey.Name, definition,
            activate == true ? "active" : "draft"), null, ct);
        if (!saved.TryGetValue(out var stored, out error)) return Problems.Invalid(error with { Path = Problems.JsonPath(error.Path) });
        await runtime.Engine.ReloadAsync(ct);
        runtime.Nudge();
        return Ok(View(stored), stored.Version == 1 ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static bool TryTemplate(string text, out string name)
    {
        name = "";
        try
        {
            if (JsonNode.Parse(text) is JsonObject o && o.Count == 1 && o["template"] is JsonValue v && v.TryGetValue<string>(out var s))
            {
                name = s;
                return true;
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // Not a template reference (or not JSON at all, or duplicate keys): the journey parser says what is wrong.
        }
        return false;
    }

    internal static async Task<IResult> GetJourneyAsync(CampaignRuntime runtime, string id, CancellationToken ct) =>
        await runtime.Campaigns.GetJourneyAsync(id, ct) is { } j ? Ok(View(j)) : Problems.Missing(Error.NotFound("$.id", $"no journey '{id}'"));

    internal static async Task<IResult> SetStatusAsync(HttpRequest request, CampaignRuntime runtime, CampaignsOptions options, string id, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        string? status;
        using (body) status = body.Root.ValueKind == JsonValueKind.Object && body.Root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        if (status is null) return Problems.Invalid(Error.Invalid("$.status", "status is one of draft, active, paused, archived"));
        // A journey going live checks its experiment again: it may have been deleted since the journey was saved.
        if (status == "active" && await runtime.Campaigns.GetJourneyAsync(id, ct) is { } current &&
            JourneyJson.Parse(current.DefinitionJson).TryGetValue(out var definition, out _) &&
            await CampaignExperiments.CheckAsync(definition, runtime.Experiments, ct) is { } noExperiment)
            return Problems.Invalid(noExperiment);
        var result = await runtime.Campaigns.SetJourneyStatusAsync(id, status, ct);
        if (!result.TryGetValue(out var journey, out error))
            return (error.Kind == ErrorKind.NotFound ? error : error with { Path = "$.status" }).ToProblem();
        await runtime.Engine.ReloadAsync(ct);
        runtime.Nudge();
        return Ok(View(journey));
    }

    internal static async Task<IResult> DeleteJourneyAsync(CampaignRuntime runtime, string id, CancellationToken ct)
    {
        if (!await runtime.Campaigns.DeleteJourneyAsync(id, ct)) return Problems.Missing(Error.NotFound("$.id", $"no journey '{id}'"));
        await runtime.Engine.ReloadAsync(ct);
        return TypedResults.NoContent();
    }

    private static Result<TimeSpan> Window(string? text)
    {
        if (string.IsNullOrEmpty(text)) return TimeSpan.FromDays(7);
        return JourneyDuration.TryParse(text, out var window) && window > TimeSpan.Zero && window <= TimeSpan.FromDays(90)
            ? window : Error.Invalid("$.window", "window is a duration like 7d, between 1h and 90d");
    }

    internal static async Task<IResult> JourneyStatsAsync(FlywheelStore store, CampaignRuntime runtime, string id, string? window, CancellationToken ct)
    {
        if (await runtime.Campaigns.GetJourneyAsync(id, ct) is null) return Problems.Missing(Error.NotFound("$.id", $"no journey '{id}'"));
        if (!Window(window).TryGetValue(out var w, out var error)) return Problems.Invalid(error);
        var report = await CampaignResults.ComputeAsync(store, runtime.Campaigns, "journey", id, w, ct);
        return report.TryGetValue(out var r, out error) ? Ok(r) : Problems.Invalid(error);
    }

    private static BroadcastPlanner Planner(FlywheelStore store, CampaignRuntime runtime, EventIndexHost index, TimeProvider time) =>
        new(store, runtime.Campaigns, runtime.Links, time, ct => index.GetAsync(allowStale: false, ct)) { Experiments = runtime.Experiments };

    internal static async Task<IResult> CreateBroadcastAsync(HttpRequest request, FlywheelStore store, CampaignRuntime runtime, EventIndexHost index,
        TimeProvider time, CampaignsOptions options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        string json;
        string? id;
        using (body)
        {
            if (JsonNode.Parse(body.Root.GetRawText()) is not JsonObject o) return Problems.Invalid(Error.Invalid("$", "a broadcast is an object"));
            id = o["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            o.Remove("id");
            json = o.ToJsonString();
        }
        if (string.IsNullOrWhiteSpace(id)) return Problems.Invalid(Error.Invalid("$.id", "id is required (letters, digits, - and _)"));
        var created = await Planner(store, runtime, index, time).CreateAsync(id, json, ct);
        if (!created.TryGetValue(out var broadcast, out error))
            return error.ToProblem();
        return Ok(broadcast, StatusCodes.Status201Created);
    }

    internal static async Task<IResult> PlanBroadcastAsync(FlywheelStore store, CampaignRuntime runtime, EventIndexHost index, TimeProvider time, string id,
        CancellationToken ct)
    {
        var planned = await Planner(store, runtime, index, time).PlanAsync(id, ct);
        if (!planned.TryGetValue(out var result, out var error))
            return error.ToProblem();
        runtime.Nudge();
        return Ok(result);
    }

    internal static async Task<IResult> ListBroadcastsAsync(CampaignRuntime runtime, string? status, CancellationToken ct)
    {
        var list = await runtime.Campaigns.ListBroadcastsAsync(string.IsNullOrEmpty(status) ? null : status, ct);
        return list.TryGetValue(out var rows, out var error) ? Ok(rows) : Problems.Invalid(error with { Path = "$.status" });
    }

    internal static async Task<IResult> GetBroadcastAsync(CampaignRuntime runtime, string id, CancellationToken ct) =>
        await runtime.Campaigns.GetBroadcastAsync(id, ct) is { } b ? Ok(b) : Problems.Missing(Error.NotFound("$.id", $"no broadcast '{id}'"));

    internal static async Task<IResult> BroadcastStatsAsync(FlywheelStore store, CampaignRuntime runtime, string id, string? window, CancellationToken ct)
    {
        if (await runtime.Campaigns.GetBroadcastAsync(id, ct) is null) return Problems.Missing(Error.NotFound("$.id", $"no broadcast '{id}'"));
        if (!Window(window).TryGetValue(out var w, out var error)) return Problems.Invalid(error);
        var report = await CampaignResults.ComputeAsync(store, runtime.Campaigns, "broadcast", id, w, ct);
        return report.TryGetValue(out var r, out error) ? Ok(r) : Problems.Invalid(error);
    }

    internal static async Task<IResult> ListMessagesAsync(HttpContext context, CampaignRuntime runtime, string? customer_id, string? source_kind, string? source_id,
        string? status, long? before_id, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 1000) return Problems.Invalid(Error.Invalid("$.limit", "limit is between 1 and 1000"));
        var page = await runtime.Campaigns.ListMessagesAsync(new MessageQuery(customer_id, source_kind, source_id, status, before_id, limit ?? 100), ct);
        if (!page.TryGetValue(out var p, out var error)) return Problems.Invalid(error with { Path = Problems.JsonPath(error.Path) });
        // Roles without personal data see whom a message went to masked, and neither its body (it greets by name) nor its signed
        // unsubscribe link (a capability to act for the customer).
        return Ok(context.SeesPersonalData() ? p : p with
        {
            Messages = [.. p.Messages.Select(m => m with
            {
                Recipient = Masking.Identity(m.Channel == "email" ? "email" : m.Channel == "sms" ? "phone" : m.Channel, m.Recipient),
                BodyText = null,
                BodyHtml = null,
                UnsubscribeUrl = null,
            })],
        });
    }

    internal static async Task<IResult> GetConsentAsync(CampaignRuntime runtime, string? customer_id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(customer_id)) return Problems.Invalid(Error.Invalid("$.customer_id", "customer_id is required"));
        var contact = await runtime.Directory.GetAsync(customer_id, ct);
        if (contact is null) return Problems.Missing(Error.NotFound("$.customer_id", $"no customer '{customer_id}'"));
        return Ok(new
        {
            customer_id,
            consents = contact.Consents.Select(c => new { channel = c.Key.Channel, purpose = c.Key.Purpose, status = c.Value ? "granted" : "withdrawn" })
                .OrderBy(c => c.channel, StringComparer.Ordinal).ThenBy(c => c.purpose, StringComparer.Ordinal),
        });
    }

    internal static async Task<IResult> SetConsentAsync(HttpRequest request, FlywheelStore store, CampaignRuntime runtime, CampaignsOptions options, TimeProvider time,
        CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        ConsentRequest? change;
        using (body)
        {
            try
            {
                change = body.Root.Deserialize<ConsentRequest>(Json);
            }
            catch (JsonException e)
            {
                return Problems.Invalid(Error.Invalid(e.Path ?? "$", "not a consent change: {customer_id, channel, purpose, status}"));
            }
        }
        if (change is null || string.IsNullOrWhiteSpace(change.CustomerId)) return Problems.Invalid(Error.Invalid("$.customer_id", "customer_id is required"));
        if (change.Channel is null || !ConsentChannels.Contains(change.Channel))
            return Problems.Invalid(Error.Invalid("$.channel", "channel is one of email, sms, wecom, webhook"));
        if (change.Purpose is not ("marketing" or "transactional")) return Problems.Invalid(Error.Invalid("$.purpose", "purpose is marketing or transactional"));
        if (change.Status is not ("granted" or "withdrawn")) return Problems.Invalid(Error.Invalid("$.status", "status is granted or withdrawn"));
        if (change.Source is { Length: > 200 }) return Problems.Invalid(Error.Invalid("$.source", "source is at most 200 characters"));
        if (await runtime.Directory.GetAsync(change.CustomerId, ct) is null)
            return Problems.Missing(Error.NotFound("$.customer_id", $"no customer '{change.CustomerId}'"));
        await RecordConsentAsync(store, time, change.CustomerId, change.Channel, change.Purpose, change.Status, change.Source ?? "api", ct);
        return Ok(new { customer_id = change.CustomerId, change.Channel, change.Purpose, change.Status });
    }

    private static async Task RecordConsentAsync(FlywheelStore store, TimeProvider time, string customerId, string channel, string purpose, string status,
        string source, CancellationToken ct)
    {
        await using var session = await IngestSession.BeginAsync(store, "consent", source, ct);
        session.RecordConsent(customerId, new ConsentChange(channel, purpose, status, time.GetUtcNow().ToUnixTimeMilliseconds(), source));
        await session.CommitAsync(1, 0, ct);
    }

    /// <summary>
    /// A click on a tracked link: records it on the message once, writes one click event per message with UTM for attribution
    /// (its id is derived from the message, so opening the link again writes nothing), and redirects. A link whose address is not
    /// http(s) or not on the allowed hosts (<see cref="CampaignsOptions.LinkHosts"/>) is not valid: 404, never a redirect.
    /// </summary>
    internal static async Task<IResult> ClickAsync(FlywheelStore store, CampaignRuntime runtime, TimeProvider time, string token, CancellationToken ct)
    {
        if (runtime.Links.Resolve(token) is not { Kind: "click", Url: { } url } link || runtime.Links.Policy.Refusal(url) is not null
            || !Uri.TryCreate(url, UriKind.Absolute, out var target))
            return Problems.Missing(Error.NotFound("$.token", "this link is not valid"));
        if (await runtime.Campaigns.GetMessageByKeyAsync(link.IdempotencyKey, ct) is { } message)
        {
            await using (var session = await IngestSession.BeginAsync(store, "click", "tracking_link", ct))
            {
                var written = session.WriteEvent(new EventRow
                {
                    EventId = ClickEventId(message.MessageId), Type = "click", Time = time.GetUtcNow().ToUnixTimeMilliseconds(), CustomerId = message.CustomerId,
                    Channel = message.Channel, Source = "flywheel", Medium = message.Channel, Campaign = link.Campaign ?? message.SourceId,
                    Content = message.StepId, Properties = new JsonObject { ["url"] = url, ["message_key"] = link.IdempotencyKey }.ToJsonString(),
                });
                // A repeat click finds its event stored: the session is dropped, so it leaves no ingest behind either.
                if (written == WriteOutcome.Inserted) await session.CommitAsync(1, 0, ct);
            }
            await runtime.Campaigns.RecordClickAsync(message.MessageId, ct);
        }
        var separator = string.IsNullOrEmpty(target.Query) ? "?" : "&";
        var campaign = Uri.EscapeDataString(link.Campaign ?? "flywheel");
        return TypedResults.Redirect(url + separator + "utm_source=flywheel&utm_medium=" + Uri.EscapeDataString(link.IdempotencyKey.Split(':')[0] == "b" ? "broadcast" : "journey") +
            "&utm_campaign=" + campaign);
    }

    /// <summary>The id of a message's click event: one per message, however often its links are opened.</summary>
    internal static string ClickEventId(long messageId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"clk-{messageId}");

    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    /// <summary>The open pixel: records the message's first open and answers a transparent 1×1 GIF (also for unknown tokens, so mail clients show nothing broken).</summary>
    internal static async Task<IResult> OpenAsync(CampaignRuntime runtime, string token, CancellationToken ct)
    {
        if (runtime.Links.Resolve(token) is { Kind: "open" } link && await runtime.Campaigns.GetMessageByKeyAsync(link.IdempotencyKey, ct) is { } message)
            await runtime.Campaigns.RecordOpenAsync(message.MessageId, ct);
        return TypedResults.File(Pixel, "image/gif");
    }

    /// <summary>
    /// Unsubscribe (GET from the link, POST from List-Unsubscribe-Post one-click): withdraws marketing consent on the message's
    /// channel at once — queued messages are checked again at send time — and answers with a page in Chinese and English.
    /// </summary>
    internal static async Task<IResult> UnsubscribeAsync(FlywheelStore store, CampaignRuntime runtime, TimeProvider time, string token, CancellationToken ct)
    {
        if (runtime.Links.Resolve(token) is not { Kind: "unsubscribe" } link)
            return Problems.Missing(Error.NotFound("$.token", "this link is not valid"));
        var message = await runtime.Campaigns.GetMessageByKeyAsync(link.IdempotencyKey, ct);
        if (message is null) return Problems.Missing(Error.NotFound("$.token", "this message is not known here"));
        var channel = message.Channel is "email" or "sms" or "wecom" ? message.Channel : "webhook";
        await RecordConsentAsync(store, time, message.CustomerId, channel, "marketing", "withdrawn", "unsubscribe_link:" + link.IdempotencyKey, ct);
        return TypedResults.Content(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>已退订</title><body><h1>已退订 / Unsubscribed</h1>" +
            $"<p>您将不再收到我们的营销{(channel == "email" ? "邮件" : "消息")}。You will no longer receive marketing messages on this channel.</p></body></html>",
            "text/html; charset=utf-8");
    }
}
