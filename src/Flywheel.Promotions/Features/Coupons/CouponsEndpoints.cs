using Flywheel.Hosting.Access;
using System.Text.Json;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Flywheel.Promotions.Features.Coupons;

/// <summary>A batch to create (see <see cref="CouponBatchInput"/>, money in fen), optionally with <c>generate</c> bearer codes.</summary>
internal sealed record CouponBatchBody(
    string? Id, string? Name, string? Kind, long? AmountOff, int? PercentOff, long? Threshold, string? Store, string? Category,
    long? MaxDiscount, string? Funding, long? TotalQuantity, long? Budget, int? PerCustomerClaimLimit, int? PerCustomerUseLimit,
    string? ValidFrom, string? ValidTo, int? ValidDaysAfterClaim, int? Generate);

internal sealed record ClaimBody(string? CustomerId, string? IdempotencyKey);

internal sealed record RedeemBody(string? OrderId, string? CustomerId, long? Discount, string? IdempotencyKey);

internal sealed record ReleaseBody(string? OrderId, string? Reason, string? IdempotencyKey);

/// <summary>A customer's coupons.</summary>
internal sealed record CustomerCoupons(string CustomerId, IReadOnlyList<CustomerCoupon> Coupons);

/// <summary>
/// The coupon ledger over HTTP: create a batch (and generate codes), read its counters, claim, redeem and release, and a
/// customer's coupons. Claim, redeem and release need an idempotency key (body <c>idempotency_key</c> or header
/// <c>Idempotency-Key</c>); a repeat gets the first answer, status and body. Refusals are ProblemDetails whose errors name
/// the JSON path: 400 bad input, 403 another customer's coupon, 404 unknown, 409 spent/expired/over a named limit, 422 a
/// key reused for a different request. Money is integer fen.
/// </summary>
internal static class CouponsEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/coupons/batches", CreateBatchAsync).Requires(Permission.MarketingWrite).WithName("CreateCouponBatch")
            .WithSummary("Create a coupon batch (store, platform, category or no_threshold; amount_off or percent_off in fen/percent) and optionally generate codes")
            .Accepts<CouponBatchBody>("application/json").Produces<CreatedBatch>(StatusCodes.Status201Created, "application/json");
        group.MapGet("/coupons/batches/{id}", GetBatchAsync).Requires(Permission.ReportsRead).WithName("CouponBatch")
            .WithSummary("A batch with its counters: issued, redeemed, remaining, budget spent and left")
            .Produces<CouponBatchStatus>(StatusCodes.Status200OK, "application/json");
        group.MapPost("/coupons/batches/{id}/claim", ClaimAsync).Requires(Permission.Checkout).WithName("ClaimCoupon")
            .WithSummary("Claim a coupon of the batch for a customer (customer_id, idempotency_key)")
            .Accepts<ClaimBody>("application/json").Produces<ClaimedCoupon>(StatusCodes.Status201Created, "application/json");
        group.MapPost("/coupons/{code}/redeem", RedeemAsync).Requires(Permission.Checkout).WithName("RedeemCoupon")
            .WithSummary("Redeem a coupon on an order (order_id, customer_id, discount in fen, idempotency_key); succeeds once")
            .Accepts<RedeemBody>("application/json").Produces<CouponRedemption>(StatusCodes.Status200OK, "application/json");
        group.MapPost("/coupons/{code}/release", ReleaseAsync).Requires(Permission.Checkout).WithName("ReleaseCoupon")
            .WithSummary("Undo a redemption on refund or cancellation (order_id, reason, idempotency_key): the use and the budget return once")
            .Accepts<ReleaseBody>("application/json").Produces<CouponRelease>(StatusCodes.Status200OK, "application/json");
        group.MapGet("/customers/{id}/coupons", CustomerCouponsAsync).Requires(Permission.CustomersRead).WithName("CustomerCoupons")
            .WithSummary("A customer's coupons with their state now: claimed, redeemed or expired")
            .Produces<CustomerCoupons>(StatusCodes.Status200OK, "application/json");
    }

    internal static async Task<Results<JsonHttpResult<CreatedBatch>, ProblemHttpResult>> CreateBatchAsync(CouponsHandler handler, HttpRequest request,
        IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync<CouponBatchBody>(request, options.Value.MaxCouponRequestBytes, ct);
        if (!body.TryGetValue(out var b, out var bad)) return bad.ToProblem();
        var input = new CouponBatchInput(b.Id, b.Name, b.Kind, b.AmountOff, b.PercentOff, b.Threshold, b.Store, b.Category, b.MaxDiscount, b.Funding,
            b.TotalQuantity, b.Budget, b.PerCustomerClaimLimit, b.PerCustomerUseLimit, b.ValidFrom, b.ValidTo, b.ValidDaysAfterClaim);
        var created = await handler.CreateBatchAsync(input, b.Generate, options.Value.MaxGenerateOverHttp, "generate", ct);
        return created.TryGetValue(out var result, out var refused) ? Json(result, StatusCodes.Status201Created) : refused.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<CouponBatchStatus>, ProblemHttpResult>> GetBatchAsync(CouponsHandler handler, string id, CancellationToken ct)
    {
        var batch = await handler.GetBatchAsync(id, "id", ct);
        return batch.TryGetValue(out var status, out var refused) ? Json(status) : refused.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<ClaimedCoupon>, ProblemHttpResult>> ClaimAsync(CouponsHandler handler, string id, HttpRequest request,
        IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync<ClaimBody>(request, options.Value.MaxCouponRequestBytes, ct);
        if (!body.TryGetValue(out var b, out var bad)) return bad.ToProblem();
        var claimed = await handler.ClaimAsync(new ClaimRequest(id, b.CustomerId, Key(request, b.IdempotencyKey)), ct);
        return claimed.TryGetValue(out var coupon, out var refused) ? Json(coupon, StatusCodes.Status201Created) : refused.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<CouponRedemption>, ProblemHttpResult>> RedeemAsync(CouponsHandler handler, string code,
        HttpRequest request, IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync<RedeemBody>(request, options.Value.MaxCouponRequestBytes, ct);
        if (!body.TryGetValue(out var b, out var bad)) return bad.ToProblem();
        var redeemed = await handler.RedeemAsync(new RedeemRequest(code, b.OrderId, b.CustomerId, b.Discount, Key(request, b.IdempotencyKey)), ct);
        return redeemed.TryGetValue(out var redemption, out var refused) ? Json(redemption) : refused.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<CouponRelease>, ProblemHttpResult>> ReleaseAsync(CouponsHandler handler, string code,
        HttpRequest request, IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync<ReleaseBody>(request, options.Value.MaxCouponRequestBytes, ct);
        if (!body.TryGetValue(out var b, out var bad)) return bad.ToProblem();
        var released = await handler.ReleaseAsync(new ReleaseRequest(code, b.OrderId, b.Reason, Key(request, b.IdempotencyKey)), ct);
        return released.TryGetValue(out var release, out var refused) ? Json(release) : refused.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<CustomerCoupons>, ProblemHttpResult>> CustomerCouponsAsync(CouponsHandler handler, string id,
        CancellationToken ct)
    {
        var coupons = await handler.CustomerCouponsAsync(id, ct);
        return coupons.TryGetValue(out var list, out var refused) ? Json(new CustomerCoupons(id, list)) : refused.ToProblem();
    }

    private static string? Key(HttpRequest request, string? fromBody) =>
        !string.IsNullOrEmpty(fromBody) ? fromBody
        : request.Headers.TryGetValue("Idempotency-Key", out var header) && header.Count > 0 ? header[0] : null;

    private static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, CouponLedger.Json, "application/json", status);

    /// <summary>The body as <typeparamref name="T"/>, or a malformed-JSON error naming the JSON path of a wrongly typed field.</summary>
    private static async Task<Result<T>> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken ct) where T : class
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body)
        {
            if (body.Root.ValueKind != JsonValueKind.Object) return Error.Invalid("$", "the body must be a JSON object");
            try
            {
                return body.Root.Deserialize<T>(CouponLedger.Json)!;
            }
            catch (JsonException e)
            {
                var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
                return Error.Invalid(path, $"{path} has the wrong type: numbers are integers (money in fen), text is a string");
            }
        }
    }
}
