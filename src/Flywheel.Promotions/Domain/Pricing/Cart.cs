using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>
/// A cart line: <see cref="UnitListPrice"/> in fen. <see cref="LineId"/> identifies the line in the result and breaks every rounding
/// tie, so the order of lines in a cart never changes its price. <see cref="PresaleUnits"/> of the units carry a paid 定金.
/// </summary>
internal sealed record CartLine(
    string LineId,
    string Sku,
    string Store,
    string Category,
    string? Brand,
    int Quantity,
    long UnitListPrice,
    int PresaleUnits = 0);

/// <summary>
/// What to price: the lines, the customer's member tier (null for none), the time of pricing, the shipping fee per store (fen)
/// and the coupons the customer holds (the engine picks the best combination).
/// </summary>
internal sealed record Cart(
    IReadOnlyList<CartLine> Lines,
    DateTimeOffset At,
    string? CustomerId = null,
    string? CustomerTier = null,
    IReadOnlyDictionary<string, long>? ShippingFees = null,
    IReadOnlyList<HeldCoupon>? HeldCoupons = null);

/// <summary>Where a discount came from.</summary>
internal enum DiscountSource
{
    Promotion,
    Coupon,
}

/// <summary>One discount on one line, in the order applied. <see cref="Amount"/> = <see cref="PlatformFunded"/> + <see cref="MerchantFunded"/>.</summary>
internal sealed record LineStep(DiscountSource Source, string Id, string Name, Stage Stage, long Amount, long PlatformFunded, long MerchantFunded);

/// <summary>
/// A priced line: list amount (unit list price × quantity), the steps applied in order, the discount (sum of steps) and what is paid.
/// <see cref="DepositPaid"/> is the 定金 already paid for presale units; <see cref="BalanceDue"/> = <see cref="Paid"/> - <see cref="DepositPaid"/>.
/// </summary>
internal sealed record PricedLine(
    string LineId,
    string Sku,
    string Store,
    int Quantity,
    long UnitListPrice,
    long ListAmount,
    IReadOnlyList<LineStep> Steps,
    long Discount,
    long Paid,
    long DepositPaid,
    long BalanceDue);

/// <summary>
/// One application of an order-level promotion or coupon (a 满减 over a store's lines, a 跨店满减 over the cart, a coupon, a
/// shipping waiver): the eligible amount it saw, the discount, and for cross-store ones the share allocated to each store.
/// </summary>
internal sealed record OrderDiscount(
    DiscountSource Source,
    string Id,
    string Name,
    Stage Stage,
    string? Store,
    long EligibleAmount,
    long Amount,
    long PlatformFunded,
    long MerchantFunded,
    IReadOnlyDictionary<string, long> ByStore);

/// <summary>Per store: goods, discounts, shipping and who funds what.</summary>
internal sealed record StoreTotals(
    string Store,
    long ListAmount,
    long Discount,
    long GoodsPaid,
    long ShippingFee,
    long ShippingDiscount,
    long ShippingPaid,
    long PlatformFunded,
    long MerchantFunded);

/// <summary>A held coupon the best deal did not use, with a stable reason code and a sentence for the shopper.</summary>
internal sealed record UnusedCoupon(string Code, string Reason, string Message);

/// <summary>A gift added by a gift-with-purchase promotion.</summary>
internal sealed record GiftLine(string PromotionId, string Sku, int Quantity);

/// <summary>How far the cart is from the next threshold of a promotion: "再买¥23.00可享每满300减50".</summary>
internal sealed record NextThreshold(string PromotionId, string? Store, long Needed, string MessageZh, string MessageEn);

/// <summary>
/// A promotion withheld from this customer because they are in the holdout (control group) of the experiment it names, with
/// a sentence in Chinese and English.
/// </summary>
internal sealed record HeldOutPromotion(string PromotionId, string Name, string Experiment, string MessageZh, string MessageEn)
{
    public static HeldOutPromotion Of(string promotionId, string name, string experiment) =>
        new(promotionId, name, experiment, $"对照组：本单不参与「{name}」（实验 {experiment}）",
            $"held out: '{name}' does not apply to this customer (control group of experiment {experiment})");
}

/// <summary>
/// The priced cart. Totals in fen: <see cref="Total"/> = <see cref="GoodsPaid"/> + <see cref="ShippingPaid"/>; the discount of
/// every line sums exactly to the order's discount; <see cref="PlatformFunded"/> + <see cref="MerchantFunded"/> = all discounts
/// including shipping waivers. <see cref="HeldOut"/> lists the promotions withheld from the customer as an experiment's holdout.
/// </summary>
internal sealed record PricedCart(
    IReadOnlyList<PricedLine> Lines,
    IReadOnlyList<StoreTotals> Stores,
    IReadOnlyList<OrderDiscount> OrderDiscounts,
    IReadOnlyList<string> UsedCoupons,
    IReadOnlyList<UnusedCoupon> UnusedCoupons,
    IReadOnlyList<GiftLine> Gifts,
    IReadOnlyList<NextThreshold> NextThresholds,
    long ListAmount,
    long Discount,
    long GoodsPaid,
    long ShippingFee,
    long ShippingDiscount,
    long ShippingPaid,
    long Total,
    long DepositPaid,
    long BalanceDue,
    long PlatformFunded,
    long MerchantFunded,
    int CombinationsEvaluated,
    IReadOnlyList<HeldOutPromotion>? HeldOut = null);
