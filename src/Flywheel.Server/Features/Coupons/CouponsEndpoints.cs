using System.Text.Json;
using Flywheel.Primitives;
using Flywheel.Promotions.Coupons;
using Flywheel.Server.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Server.Features.Coupons;

/// <summary>A batch to create (see <see cref="CouponBatchInput"/>, money in fen), optionally with <c>generate</c> bearer codes.</summary>
public sealed record CouponBatchBody(
    string? Id, string? Name, string? Kind, long? AmountOff, int? PercentOff, long? Threshold, string? Store, string? Category,
    long? MaxDiscount, string? Funding, long? TotalQuantity, long? Budget, int? PerCustomerClaimLimit, int? PerCustomerUseLimit,
    string? ValidFrom, string? ValidTo, int? ValidDaysAfterClaim, int? Generate);

public sealed record ClaimBody(string? CustomerId, string? IdempotencyKey);

public sealed record RedeemBody(string? OrderId, string? CustomerId, long? Discount, string? IdempotencyKey);

public sealed record ReleaseBody(string? OrderId, string? Reason, string? IdempotencyKey);

/// <summary>
/// The coupon ledger over HTTP: create a batch (and generate codes), read its counters, claim, redeem and release, and a
/// customer's coupons. Claim, redeem and release need an idempotency key (body <c>idempotency_key</c> or header
/// <c>Idempotency-Key</c>); a repeat gets the first answer, status and body. Refusals are ProblemDetails whose errors name
/// the JSON path: 400 bad input, 403 another customer's coupon, 404 unknown, 409 spent/expired/over a named limit, 422 a
/// key reused for a different request. Money is integer fen.
/// </summary>
internal static class CouponsEndpoints
{
    /// <summary>Codes generated in one HTTP request come back in its body; larger runs belong to <c>flywheel coupons generate</c>.</summary>
    public const int MaxGenerateOverHttp = 100_000;

    private const long MaxBody = 64 * 1024;
    private const string ForbiddenType = "https://flywheel.dev/problems/forbidden";
    private const string KeyReusedType = "https://flywheel.dev/problems/idempotency-key-reused";

    public static void MapCouponsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Coupons");
        group.MapPost("/coupons/batches", CreateBatchAsync)
            .WithName("CreateCouponBatch")
            .WithSummary("Create a coupon batch (store, platform, category or no_threshold; amount_off or percent_off in fen/percent) and optionally generate codes")
            .Accepts<CouponBatchBody>("application/json")
            .Produces(StatusCodes.Status201Created, contentType: "application/json");
        group.MapGet("/coupons/batches/{id}", GetBatchAsync)
            .WithName("CouponBatch")
            .WithSummary("A batch with its counters: issued, redeemed, remaining, budget spent and left")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/coupons/batches/{id}/claim", ClaimAsync)
            .WithName("ClaimCoupon")
            .WithSummary("Claim a coupon of the batch for a customer (customer_id, idempotency_key)")
            .Accepts<ClaimBody>("application/json")
            .Produces(StatusCodes.Status201Created, contentType: "application/json");
        group.MapPost("/coupons/{code}/redeem", RedeemAsync)
            .WithName("RedeemCoupon")
            .WithSummary("Redeem a coupon on an order (order_id, customer_id, discount in fen, idempotency_key); succeeds once")
            .Accepts<RedeemBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/coupons/{code}/release", ReleaseAsync)
            .WithName("ReleaseCoupon")
            .WithSummary("Undo a redemption on refund or cancellation (order_id, reason, idempotency_key): the use and the budget return once")
            .Accepts<ReleaseBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/customers/{id}/coupons", CustomerCouponsAsync)
            .WithName("CustomerCoupons")
            .WithSummary("A customer's coupons with their state now: claimed, redeemed or expired")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
    }

    internal static async Task<IResult> CreateBatchAsync(FlywheelStore store, HttpRequest request, CancellationToken ct)
    {
        var body = await ReadAsync<CouponBatchBody>(request, ct);
        if (!body.TryGetValue(out var b, out var bad)) return Problems.FromBodyError(bad);
        if (b.Generate is < 0 or > MaxGenerateOverHttp)
            return Problems.Invalid(Error.Invalid("$.generate", $"generate is {b.Generate}; over HTTP 0 to {MaxGenerateOverHttp} codes (use flywheel coupons generate for more)"));
        if (b.Generate is { } g && g > b.TotalQuantity)
            return Problems.Invalid(Error.Invalid("$.generate", $"generate ({g}) is more than total_quantity ({b.TotalQuantity})"));
        var input = new CouponBatchInput(b.Id, b.Name, b.Kind, b.AmountOff, b.PercentOff, b.Threshold, b.Store, b.Category, b.MaxDiscount, b.Funding,
            b.TotalQuantity, b.Budget, b.PerCustomerClaimLimit, b.PerCustomerUseLimit, b.ValidFrom, b.ValidTo, b.ValidDaysAfterClaim);
        var definition = CouponBatches.Validate(input);
        if (!definition.TryGetValue(out var batch, out var invalid)) return Refusal(invalid);
        var created = await CouponLedger.CreateBatchAsync(store, batch, ct);
        if (!created.TryGetValue(out var status, out var conflict)) return Refusal(conflict);
        IReadOnlyList<string>? codes = null;
        if (b.Generate is > 0)
        {
            var generated = await CouponLedger.GenerateAsync(store, batch.Id, b.Generate.Value, ct);
            if (!generated.TryGetValue(out codes, out var failed)) return Refusal(failed);
            status = (await CouponLedger.GetBatchAsync(store, batch.Id, ct))!;
        }
        return Json(new { batch = status, codes }, StatusCodes.Status201Created);
    }

    internal static async Task<IResult> GetBatchAsync(FlywheelStore store, string id, CancellationToken ct)
    {
        if (CouponBatches.CheckId(id) is { } bad) return Refusal(bad);
        var batch = await CouponLedger.GetBatchAsync(store, id, ct);
        return batch is null ? Refusal(Error.NotFound("id", $"there is no coupon batch '{id}'")) : Json(batch);
    }

    internal static async Task<IResult> ClaimAsync(FlywheelStore store, string id, HttpRequest request, CancellationToken ct)
    {
        var body = await ReadAsync<ClaimBody>(request, ct);
        if (!body.TryGetValue(out var b, out var bad)) return Problems.FromBodyError(bad);
        var claimed = await CouponLedger.ClaimAsync(store, new ClaimRequest(id, b.CustomerId, Key(request, b.IdempotencyKey)), ct);
        return claimed.TryGetValue(out var coupon, out var refused) ? Json(coupon, StatusCodes.Status201Created) : Refusal(refused);
    }

    internal static async Task<IResult> RedeemAsync(FlywheelStore store, string code, HttpRequest request, CancellationToken ct)
    {
        var body = await ReadAsync<RedeemBody>(request, ct);
        if (!body.TryGetValue(out var b, out var bad)) return Problems.FromBodyError(bad);
        var redeemed = await CouponLedger.RedeemAsync(store, new RedeemRequest(code, b.OrderId, b.CustomerId, b.Discount, Key(request, b.IdempotencyKey)), ct);
        return redeemed.TryGetValue(out var redemption, out var refused) ? Json(redemption) : Refusal(refused);
    }

    internal static async Task<IResult> ReleaseAsync(FlywheelStore store, string code, HttpRequest request, CancellationToken ct)
    {
        var body = await ReadAsync<ReleaseBody>(request, ct);
        if (!body.TryGetValue(out var b, out var bad)) return Problems.FromBodyError(bad);
        var released = await CouponLedger.ReleaseAsync(store, new ReleaseRequest(code, b.OrderId, b.Reason, Key(request, b.IdempotencyKey)), ct);
        return released.TryGetValue(out var release, out var refused) ? Json(release) : Refusal(refused);
    }

    internal static async Task<IResult> CustomerCouponsAsync(FlywheelStore store, TimeProvider time, string id, CancellationToken ct)
    {
        if (id.Length > CouponLedger.MaxIdLength) return Refusal(Error.Invalid("id", $"a customer id has at most {CouponLedger.MaxIdLength} characters"));
        var coupons = await CouponLedger.CustomerCouponsAsync(store, id, time.GetUtcNow(), ct);
        return Json(new { customer_id = id, coupons });
    }

    /// <summary>The ledger's refusal as a ProblemDetails; ledger paths name body fields, so they become "$.field".</summary>
    internal static ProblemHttpResult Refusal(Error error)
    {
        var located = error with { Path = Problems.JsonPath(error.Path) };
        return error.Code switch
        {
            "not_found" => Problems.Missing(located),
            "conflict" => Problems.ConflictWith(located),
            CouponLedger.Forbidden => Problems.Create(StatusCodes.Status403Forbidden, ForbiddenType, "Not this customer's coupon", located.ToString(),
                [new ItemError(null, located.Path!, located.Message)]),
            CouponLedger.IdempotencyMismatch => Problems.Create(StatusCodes.Status422UnprocessableEntity, KeyReusedType,
                "The idempotency key was used for a different request", located.ToString(), [new ItemError(null, located.Path!, located.Message)]),
            _ => Problems.Invalid(located),
        };
    }

    private static string? Key(HttpRequest request, string? fromBody) =>
        !string.IsNullOrEmpty(fromBody) ? fromBody
        : request.Headers.TryGetValue("Idempotency-Key", out var header) && header.Count > 0 ? header[0] : null;

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Text(JsonSerializer.Serialize(value, CouponLedger.Json), "application/json", statusCode: status);

    /// <summary>The body as <typeparamref name="T"/>, or a malformed-JSON error naming the JSON path of a wrongly typed field.</summary>
    private static async Task<Result<T>> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        var read = await RequestBody.ReadJsonAsync(request, MaxBody, ct);
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
