using Flywheel.Primitives;

namespace Flywheel.Promotions.Contracts;

/// <summary>A coupon issued to a customer: its code, batch, validity, and what it takes off (fen, or a percentage).</summary>
public sealed record IssuedCoupon(string Code, string BatchId, string CustomerId, DateTimeOffset ValidTo, long? AmountOff, int? PercentOff);

/// <summary>
/// Issues coupons of a batch to customers, exactly once per idempotency key: a repeat with the same key gets the first answer.
/// This is how other modules (a journey's "issue coupon" step) hand out coupons; the ledger behind it is Promotions' own.
/// </summary>
public interface ICouponIssuer
{
    /// <summary>
    /// Claims a coupon of <paramref name="batchId"/> for <paramref name="customerId"/>. Refusals (unknown batch, none left, over a
    /// limit) are <see cref="Error"/> values, never exceptions. Thread-safe.
    /// </summary>
    Task<Result<IssuedCoupon>> IssueAsync(string batchId, string customerId, string idempotencyKey, CancellationToken ct);
}
