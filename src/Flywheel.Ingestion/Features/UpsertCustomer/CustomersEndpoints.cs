using Flywheel.Hosting.Access;
using System.Text.Json;
using Flywheel.Ingestion.Parsing;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flywheel.Ingestion.Features.UpsertCustomer;

/// <summary>
/// The shape of PUT /v1/customers/{id}: the CSV customers contract's attributes (absent ones are left as stored)
/// plus consents.
/// </summary>
internal sealed record CustomerRequest(string? CustomerId, string? Name, string? Gender, string? BirthDate, string? Province, string? City,
    string? CityTier, string? SignupChannel, string? SignupAt, string? MemberTier, string? TimeZone, string? Phone, string? Email,
    string? TaobaoId, string? JdId, string? PinduoduoId, string? DouyinId, string? WechatOpenid, string? WechatUnionid,
    IReadOnlyList<ConsentRequest>? Consents);

/// <summary>purpose: marketing or transactional; status: granted or withdrawn; at: when (default now).</summary>
internal sealed record ConsentRequest(string Channel, string Purpose, string Status, string? At, string? Source);

/// <summary>
/// outcome: inserted, updated (an attribute changed, an identity such as a phone or e-mail was added, or a consent changed) or
/// unchanged; changed: what was written, by field name (name, city, phone, email, taobao_id ..., consents), empty when unchanged.
/// </summary>
internal sealed record CustomerResponse(string CustomerId, string Outcome, IReadOnlyList<string> Changed);

internal static class CustomersEndpoints
{
    private const string DefaultConsentSource = "http:customers";

    private static readonly Dictionary<string, string> Channels = Fields.Choices(
        ("email", ["mail"]), ("sms", []), ("wecom", ["企业微信"]), ("webhook", []));
    private static readonly Dictionary<string, string> Purposes = Fields.Choices(("marketing", []), ("transactional", []));
    private static readonly Dictionary<string, string> States = Fields.Choices(("granted", []), ("withdrawn", []));

    public static void MapCustomersEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Customers")
            .MapPut("/customers/{id}", UpsertAsync).Requires(Permission.IngestWrite)
            .WithName("UpsertCustomer")
            .WithSummary("Create or update a customer and record consent changes")
            .WithDescription("201 when created, 200 when updated or unchanged; 409 when an identity (phone, email, platform id) belongs to another customer.")
            .Accepts<CustomerRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    internal static async Task<Results<Created<CustomerResponse>, Ok<CustomerResponse>, ProblemHttpResult>> UpsertAsync(
        string id, HttpRequest request, FlywheelStore store, TimeProvider time, IngestionOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;

        if (TypeError(body.Root) is { } typeError) return Problems.Invalid($"{typeError.Path}: {typeError.Message}", [typeError]);
        var fields = new RouteIdFields(new JsonRecordFields(body.Root, "$"), id);
        var bodyId = fields.Inner.Get("customer_id");
        if (bodyId is not null && bodyId != id)
            return Problems.Invalid($"$.customer_id: the body names customer '{bodyId}' but the URL names '{id}'; they must agree (or leave customer_id out)",
                [new ItemError(null, "$.customer_id", $"'{bodyId}' differs from the customer id in the URL ('{id}')")]);

        var context = new ParseContext(options.TimeZone, time.GetUtcNow());
        if (!CustomerParser.Parse(fields, context, DefaultConsentSource).TryGetValue(out var row, out var error))
            return Problems.Invalid(error);
        if (body.Root.TryGetProperty("consents", out var consents) && consents.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in consents.EnumerateArray())
            {
                var consent = ParseConsent(item, JsonRecordFields.Index("$.consents", index), context);
                if (!consent.TryGetValue(out var change, out var consentError)) return Problems.Invalid(consentError, index);
                row.Consents.Add(change);
                index++;
            }
        }

        await using var session = await IngestSession.BeginAsync(store, "http:customers", $"PUT /v1/customers/{id}", ct);
        var changed = new List<string>();
        var written = session.UpsertCustomer(row, changed);
        if (!written.TryGetValue(out var outcome, out var writeError))
            return Problems.ConflictWith(writeError with { Path = "$." + IdentityColumn(writeError.Path) });
        await session.CommitAsync(1, 0, ct);
        var name = outcome.ToString().ToLowerInvariant();
        Log.CustomerWritten(loggers.CreateLogger("Flywheel.Server.Customers"), id, name);
        var response = new CustomerResponse(id, name, changed);
        return outcome == WriteOutcome.Inserted
            ? TypedResults.Created($"/v1/customers/{Uri.EscapeDataString(id)}", response)
            : TypedResults.Ok(response);
    }

    private static Flywheel.Primitives.Result<ConsentChange> ParseConsent(JsonElement item, string path, ParseContext context)
    {
        var r = new JsonRecordFields(item, path);
        if (r.TypeError() is { } typeError) return typeError;
        if (r.Get("channel") is null) return Flywheel.Primitives.Error.Invalid(r.Where("channel"), "'channel' is required (email, sms, wecom, webhook)");
        var channel = Fields.Enum(r, "channel", Channels, "email, sms, wecom, webhook");
        if (!channel.IsSuccess) return channel.Error!;
        if (r.Get("purpose") is null) return Flywheel.Primitives.Error.Invalid(r.Where("purpose"), "'purpose' is required (marketing or transactional)");
        var purpose = Fields.Enum(r, "purpose", Purposes, "marketing, transactional");
        if (!purpose.IsSuccess) return purpose.Error!;
        if (r.Get("status") is null) return Flywheel.Primitives.Error.Invalid(r.Where("status"), "'status' is required (granted or withdrawn)");
        var status = Fields.Enum(r, "status", States, "granted, withdrawn");
        if (!status.IsSuccess) return status.Error!;
        var at = Fields.Time(r, "at", context);
        if (!at.IsSuccess) return at.Error!;
        var source = Fields.Optional(r, "source");
        if (!source.IsSuccess) return source.Error!;
        return new ConsentChange(channel.Value!, purpose.Value!, status.Value!, at.Value ?? context.Now.ToUnixTimeMilliseconds(),
            source.Value ?? DefaultConsentSource);
    }

    /// <summary>Like JsonRecordFields.TypeError, but "consents" is an array of objects.</summary>
    private static ItemError? TypeError(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return new ItemError(null, "$", $"expected a JSON object of customer attributes, got {root.ValueKind.ToString().ToLowerInvariant()}");
        foreach (var property in root.EnumerateObject())
        {
            var kind = property.Value.ValueKind;
            if (property.Name == "consents")
            {
                if (kind is not (JsonValueKind.Array or JsonValueKind.Null))
                    return new ItemError(null, "$.consents", "expected an array of {channel, purpose, status, at?, source?} objects");
                continue;
            }
            if (kind is JsonValueKind.Object or JsonValueKind.Array)
                return new ItemError(null, "$." + property.Name, $"expected a string or a number, got {kind.ToString().ToLowerInvariant()}");
        }
        return null;
    }

    private static string IdentityColumn(string? kind) => kind switch
    {
        "taobao" or "jd" or "pinduoduo" or "douyin" => kind + "_id",
        null => "customer_id",
        _ => kind,
    };

    /// <summary>The customer id comes from the URL; everything else from the body.</summary>
    private sealed class RouteIdFields(JsonRecordFields inner, string id) : IRecordFields
    {
        public JsonRecordFields Inner => inner;

        public string? Get(string column) => column == "customer_id" ? id : inner.Get(column);

        public bool Has(string column) => column == "customer_id" || inner.Has(column);

        public string Where(string column) => column == "customer_id" ? "{id}" : inner.Where(column);

        public string? NotText(string column) => column == "customer_id" ? null : inner.NotText(column);
    }
}
