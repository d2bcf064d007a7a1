namespace Flywheel.Promotions.Domain.Model;

/// <summary>Who pays for a discount: the platform (平台) or the merchant (商家).</summary>
internal enum FundingParty
{
    Merchant,
    Platform,
}

/// <summary>Where a coupon applies: one store's goods, any store (platform), one category, or anything without a threshold (无门槛).</summary>
internal enum CouponKind
{
    Store,
    Platform,
    Category,
    NoThreshold,
}

/// <summary>
/// What a coupon takes off, shared by the coupon ledger (which issues and redeems coupons) and the pricing engine
/// (which applies them): an amount (fen) or a percentage off (1-99), above a threshold (fen, on the eligible amount),
/// limited to a store or category, optionally capped, paid for by a funding party.
/// </summary>
internal sealed record CouponSpec(
    CouponKind Kind,
    long? AmountOff,
    int? PercentOff,
    long Threshold,
    string? Store,
    string? Category,
    long? MaxDiscount,
    FundingParty Funding);

/// <summary>A coupon a customer holds: its code, its batch and what it is worth, valid in [ValidFrom, ValidTo).</summary>
internal sealed record HeldCoupon(string Code, string BatchId, CouponSpec Spec, DateTimeOffset ValidFrom, DateTimeOffset ValidTo);
