using Flywheel.Primitives;
using Flywheel.Promotions.Contracts;
using Flywheel.Storage;

namespace Flywheel.Promotions.Storage;

/// <summary>The coupon ledger's claim, as other modules see it.</summary>
internal sealed class CouponIssuer(FlywheelStore store) : ICouponIssuer
{
    public async Task<Result<IssuedCoupon>> IssueAsync(string batchId, string customerId, string idempotencyKey, CancellationToken ct)
    {
        var claimed = await CouponLedger.ClaimAsync(store, new ClaimRequest(batchId, customerId, idempotencyKey), ct);
        if (!claimed.TryGetValue(out var coupon, out var error)) return error;
        var batch = await CouponLedger.GetBatchAsync(store, batchId, ct);
        return new IssuedCoupon(coupon.Code, coupon.BatchId, coupon.CustomerId, coupon.ValidTo, batch?.Spec.AmountOff, batch?.Spec.PercentOff);
    }
}
