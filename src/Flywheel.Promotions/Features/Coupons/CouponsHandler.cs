using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;

namespace Flywheel.Promotions.Features.Coupons;

/// <summary>A created batch with the bearer codes generated with it (null when none were asked for).</summary>
internal sealed record CreatedBatch(CouponBatchStatus Batch, IReadOnlyList<string>? Codes);

/// <summary>
/// The coupon use cases — create a batch, read it, generate codes, claim, redeem, release, a customer's coupons — that the
/// <c>/v1/coupons</c> endpoints and the <c>coupons</c> commands both call, so checks and messages exist once. The ledger
/// behind them changes every counter exactly once (docs/adr/0006-coupon-redemption.md).
/// </summary>
internal sealed class CouponsHandler(FlywheelStore store, TimeProvider time)
{
    /// <summary>Validates and creates a batch, then generates <paramref name="generate"/> codes (at most <paramref name="maxGenerate"/>).</summary>
    public async Task<Result<CreatedBatch>> CreateBatchAsync(CouponBatchInput input, int? generate, int maxGenerate, string generateOption, CancellationToken ct)
    {
        if (generate is { } wanted && (wanted < 0 || wanted > maxGenerate))
            return Error.Invalid(generateOption, $"generate is {wanted}; over HTTP 0 to {maxGenerate} codes (use flywheel coupons generate for more)");
        if (generate is { } g && g > input.TotalQuantity)
            return Error.Invalid(generateOption, $"generate ({g}) is more than total_quantity ({input.TotalQuantity})");
        var definition = CouponBatches.Validate(input);
        if (!definition.TryGetValue(out var batch, out var invalid)) return invalid;
        var created = await CouponLedger.CreateBatchAsync(store, batch, ct);
        if (!created.TryGetValue(out var status, out var conflict)) return conflict;
        if (generate is not > 0) return new CreatedBatch(status, null);
        var generated = await GenerateAsync(batch.Id, generate.Value, ct);
        if (!generated.TryGetValue(out var codes, out var failed)) return failed;
        return new CreatedBatch((await CouponLedger.GetBatchAsync(store, batch.Id, ct))!, codes);
    }

    public async Task<Result<CouponBatchStatus>> GetBatchAsync(string id, string path, CancellationToken ct)
    {
        if (CouponBatches.CheckId(id, path) is { } bad) return bad;
        return await CouponLedger.GetBatchAsync(store, id, ct) is { } batch ? batch : Error.NotFound(path, $"there is no coupon batch '{id}'");
    }

    public Task<Result<IReadOnlyList<string>>> GenerateAsync(string batchId, int count, CancellationToken ct) =>
        CouponLedger.GenerateAsync(store, batchId, count, ct);

    public Task<Result<ClaimedCoupon>> ClaimAsync(ClaimRequest request, CancellationToken ct) => CouponLedger.ClaimAsync(store, request, ct);

    public Task<Result<CouponRedemption>> RedeemAsync(RedeemRequest request, CancellationToken ct) => CouponLedger.RedeemAsync(store, request, ct);

    public Task<Result<CouponRelease>> ReleaseAsync(ReleaseRequest request, CancellationToken ct) => CouponLedger.ReleaseAsync(store, request, ct);

    /// <summary>A customer's coupons with their state now: claimed, redeemed or expired.</summary>
    public async Task<Result<IReadOnlyList<CustomerCoupon>>> CustomerCouponsAsync(string customerId, CancellationToken ct)
    {
        if (customerId.Length > CouponLedger.MaxIdLength) return Error.Invalid("id", $"a customer id has at most {CouponLedger.MaxIdLength} characters");
        return Result<IReadOnlyList<CustomerCoupon>>.Success(await CouponLedger.CustomerCouponsAsync(store, customerId, time.GetUtcNow(), ct));
    }
}
