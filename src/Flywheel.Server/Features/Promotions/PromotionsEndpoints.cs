using System.Text.Json;
using Flywheel.Primitives;
using Flywheel.Promotions.Catalog;
using Flywheel.Promotions.Model;
using Flywheel.Promotions.Pricing;
using Flywheel.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Server.Features.Promotions;

/// <summary>A refund quote request: the paid order's lines and the units to refund.</summary>
public sealed record RefundQuoteRequest(IReadOnlyList<PaidLine>? Order, IReadOnlyList<RefundItem>? Items);

/// <summary>
/// Pricing over HTTP: <c>POST /v1/carts/price</c> (a cart → the priced cart with its explanation, from the in-memory index, no
/// database call), <c>/v1/promotions</c> (list, get, create or replace with validation and conflict checks, delete, validate a set
/// without saving) and <c>POST /v1/refunds/quote</c>. Bodies use the snake_case JSON of <see cref="PromotionJson"/>; money is fen.
/// </summary>
internal static class PromotionsEndpoints
{
    public static void MapPromotionsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Promotions");
        group.MapPost("/carts/price", PriceAsync).WithName("PriceCart")
            .WithSummary("Price a cart: lines, customer tier, time, shipping fees and held coupons; returns per-line steps, totals, funding, unused coupons and next-threshold messages")
            .Accepts<Cart>("application/json").Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/promotions", ListAsync).WithName("Promotions").WithSummary("Every promotion, optionally only one status (draft, active, archived)");
        group.MapGet("/promotions/{id}", GetAsync).WithName("Promotion");
        group.MapPost("/promotions", SaveAsync).WithName("SavePromotion")
            .WithSummary("Create or replace a promotion; 400 with the field's JSON path when invalid, 409 naming the other promotion on a conflict")
            .Accepts<Promotion>("application/json");
        group.MapPut("/promotions/{id}", SaveAsync).WithName("ReplacePromotion").Accepts<Promotion>("application/json");
        group.MapDelete("/promotions/{id}", DeleteAsync).WithName("DeletePromotion");
        group.MapPost("/promotions/validate", ValidateAsync).WithName("ValidatePromotions")
            .WithSummary("Validate a list of promotions and report conflicts within it and with the stored ones, without saving")
            .Accepts<Promotion[]>("application/json");
        group.MapGet("/promotions/pipeline", GetPipelineAsync).WithName("PricingPipeline")
            .WithSummary("The order in which promotions and coupons stack for this store: {\"steps\": [\"item\", ..., \"shipping\"]}");
        group.MapPut("/promotions/pipeline", SetPipelineAsync).WithName("SetPricingPipeline")
            .WithSummary("Replace the stacking order: item first, shipping last, the middle four steps in any order or left out; 409 when a stored promotion would lose its step");
        group.MapPost("/refunds/quote", QuoteRefundAsync).WithName("QuoteRefund")
            .WithSummary("The money to return for units of lines of a paid order (largest-remainder exact across partial refunds)")
            .Accepts<RefundQuoteRequest>("application/json");
    }

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Text(JsonSerializer.Serialize(value, PromotionJson.Options), "application/json", statusCode: status);

    private static ProblemHttpResult InvalidAt(Error error) => Problems.Invalid(error with { Path = Problems.JsonPath(error.Path) });

    private static async Task<Result<T>> ReadAsync<T>(HttpRequest request, ServerOptions options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body)
        {
            try
            {
                var value = body.Root.Deserialize<T>(PromotionJson.Options);
                return value is null ? Error.Invalid("$", "the body is null") : value;
            }
            catch (JsonException e)
            {
                return Error.Invalid(e.Path ?? "$", e.Message.Split(" Path:")[0]);
            }
        }
    }

    internal static async Task<IResult> PriceAsync(HttpRequest request, PromotionCatalog catalog, ServerOptions options, TimeProvider time, CancellationToken ct)
    {
        var read = await ReadAsync<Cart>(request, options, ct);
        if (!read.TryGetValue(out var cart, out var error)) return error.Code == "invalid" ? InvalidAt(error) : Problems.FromBodyError(error);
        // A cart without a time is priced now.
        if (cart.At == default) cart = cart with { At = time.GetUtcNow() };
        var normalised = PromotionJson.Normalise(cart);
        if (!normalised.TryGetValue(out cart, out error)) return InvalidAt(error);
        var pricer = await catalog.GetPricerAsync(ct);
        var priced = pricer.Price(cart);
        return priced.TryGetValue(out var result, out error) ? Json(result) : InvalidAt(error);
    }

    internal static async Task<IResult> ListAsync(PromotionCatalog catalog, string? status, CancellationToken ct)
    {
        PromotionStatus? filter = status switch
        {
            null or "" => null,
            "draft" => PromotionStatus.Draft,
            "active" => PromotionStatus.Active,
            "archived" => PromotionStatus.Archived,
            _ => (PromotionStatus)(-1),
        };
        if (filter == (PromotionStatus)(-1)) return InvalidAt(Error.Invalid("$.status", "status is draft, active or archived"));
        return Json(await catalog.ListAsync(filter, ct));
    }

    internal static async Task<IResult> GetAsync(PromotionCatalog catalog, string id, CancellationToken ct) =>
        await catalog.GetAsync(id, ct) is { } p ? Json(p) : Problems.Missing(Error.NotFound("$.id", $"no promotion '{id}'"));

    internal static async Task<IResult> SaveAsync(HttpRequest request, PromotionCatalog catalog, ServerOptions options, string? id, CancellationToken ct)
    {
        var read = await ReadAsync<Promotion>(request, options, ct);
        if (!read.TryGetValue(out var promotion, out var error)) return error.Code == "invalid" ? InvalidAt(error) : Problems.FromBodyError(error);
        if (id is not null && promotion.Id != id) return InvalidAt(Error.Invalid("id", $"the body's id '{promotion.Id}' differs from the URL's '{id}'"));
        var saved = await catalog.SaveAsync(promotion, ct);
        if (!saved.TryGetValue(out var result, out error))
            return error.Code == "conflict" ? Problems.ConflictWith(error with { Path = Problems.JsonPath(error.Path) }) : InvalidAt(error);
        return Json(result.Promotion, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    internal static async Task<IResult> DeleteAsync(PromotionCatalog catalog, string id, CancellationToken ct) =>
        await catalog.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.Missing(Error.NotFound("$.id", $"no promotion '{id}'"));

    internal static async Task<IResult> ValidateAsync(HttpRequest request, PromotionCatalog catalog, ServerOptions options, CancellationToken ct)
    {
        var read = await ReadAsync<List<Promotion>>(request, options, ct);
        if (!read.TryGetValue(out var set, out var error)) return error.Code == "invalid" ? InvalidAt(error) : Problems.FromBodyError(error);
        var errors = new List<ItemError>();
        for (var i = 0; i < set.Count; i++)
            if (PromotionValidator.Validate(set[i]) is { } e) errors.Add(new ItemError(i, Problems.JsonPath($"[{i}]." + e.Path), e.Message));
        foreach (var e in PromotionValidator.Conflicts(set)) errors.Add(new ItemError(null, Problems.JsonPath(e.Path), e.Message));
        var ids = set.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var stored = (await catalog.ListAsync(null, ct)).Where(p => !ids.Contains(p.Id)).ToList();
        for (var i = 0; i < set.Count; i++)
            foreach (var e in PromotionValidator.Conflicts(set[i], stored)) errors.Add(new ItemError(i, Problems.JsonPath($"[{i}]." + e.Path), e.Message));
        return Json(new { valid = errors.Count == 0, errors });
    }

    internal static async Task<IResult> GetPipelineAsync(PromotionCatalog catalog, CancellationToken ct) =>
        TypedResults.Text((await catalog.GetPipelineAsync(ct)).ToJson(), "application/json");

    internal static async Task<IResult> SetPipelineAsync(HttpRequest request, PromotionCatalog catalog, ServerOptions options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return Problems.FromBodyError(error);
        PricingPipeline pipeline;
        using (body)
        {
            var parsed = PricingPipeline.ParseJson(body.Root.GetRawText());
            if (!parsed.TryGetValue(out pipeline, out error)) return Problems.Invalid(error);
        }
        var saved = await catalog.SetPipelineAsync(pipeline, ct);
        if (!saved.TryGetValue(out pipeline, out error)) return Problems.ConflictWith(error with { Path = "$.steps" });
        return TypedResults.Text(pipeline.ToJson(), "application/json");
    }

    internal static async Task<IResult> QuoteRefundAsync(HttpRequest request, ServerOptions options, CancellationToken ct)
    {
        var read = await ReadAsync<RefundQuoteRequest>(request, options, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.Code == "invalid" ? InvalidAt(error) : Problems.FromBodyError(error);
        var quote = Refunds.Quote(body.Order ?? [], body.Items ?? []);
        if (quote.TryGetValue(out var result, out error)) return Json(result);
        return error.Code == "not_found" ? Problems.Invalid(error with { Path = Problems.JsonPath(error.Path) }) : InvalidAt(error);
    }
}
