using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;

namespace Flywheel.Promotions.Contracts;

/// <summary>
/// Coupon batches whose codes are handed to partners rather than claimed by shoppers (Grow: a creator's exclusive code, one
/// claimed per collaboration through <see cref="ICouponIssuer"/>). The ledger, its checks and its counters are Promotions' own.
/// </summary>
public static class PartnerCouponBatches
{
    /// <summary>
    /// Creates an active no-threshold batch of <paramref name="totalQuantity"/> coupons taking <paramref name="amountOff"/> fen off,
    /// each valid <paramref name="validDays"/> days from its claim; one claim per holder. True when created, false when a batch with
    /// the id already exists (left as it is); refusals of the values are <see cref="Error"/>s naming the field.
    /// </summary>
    public static async Task<Result<bool>> EnsureAsync(FlywheelStore store, string id, string name, long amountOff, long totalQuantity, int validDays,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await CouponLedger.GetBatchAsync(store, id, ct) is not null) return false;
        var batch = CouponBatches.Validate(new CouponBatchInput(id, name, "no_threshold", amountOff, null, 0, null, null, null, "merchant", totalQuantity, null,
            1, null, null, null, validDays));
        if (!batch.TryGetValue(out var definition, out var error)) return error;
        var created = await CouponLedger.CreateBatchAsync(store, definition, ct);
        if (created.IsSuccess) return true;
        return created.Error!.Kind == ErrorKind.Conflict ? false : created.Error;
    }

    /// <summary>The coupon issuer over <paramref name="store"/>, for code that runs without the host's services (a demo).</summary>
    public static ICouponIssuer Issuer(FlywheelStore store) => new CouponIssuer(store);
}
