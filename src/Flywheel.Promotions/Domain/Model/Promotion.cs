using System.Text.Json.Serialization;

namespace Flywheel.Promotions.Domain.Model;

/// <summary>
/// Where in the default pipeline a promotion runs. Later stages see the price after earlier ones:
/// item (限时折扣, member price) → store (store 满减, then store coupons) → platform (跨店满减, then platform coupons) → shipping (包邮).
/// </summary>
internal enum Stage
{
    Item = 0,
    Store = 1,
    Platform = 2,
    Shipping = 3,
}

/// <summary>Lifecycle of a saved promotion: only active ones are compiled into the pricing index.</summary>
internal enum PromotionStatus
{
    Draft,
    Active,
    Archived,
}

/// <summary>
/// Which lines a promotion may touch. Each non-empty list must match (SKU AND category AND brand AND store);
/// an empty or missing list matches everything.
/// </summary>
internal sealed record Scope(
    IReadOnlyList<string>? Skus = null,
    IReadOnlyList<string>? Categories = null,
    IReadOnlyList<string>? Brands = null,
    IReadOnlyList<string>? Stores = null)
{
    public static readonly Scope All = new();
}

/// <summary>Who pays: <see cref="PlatformPercent"/> (0-100) of every discount is funded by the platform, the rest by the merchant.</summary>
internal sealed record Funding(int PlatformPercent = 0)
{
    public static readonly Funding Merchant = new(0);
    public static readonly Funding Platform = new(100);
}

/// <summary>A step of a tiered threshold: spend at least <see cref="Threshold"/> fen, get <see cref="AmountOff"/> fen off.</summary>
internal sealed record Tier(long Threshold, long AmountOff);

/// <summary>A step of N件M折: at least <see cref="Quantity"/> units in scope, <see cref="PercentOff"/> percent off them (9折 = 10).</summary>
internal sealed record QuantityTier(int Quantity, int PercentOff);

/// <summary>A member price: customers of <see cref="Tier"/> pay <see cref="PercentOff"/> percent less.</summary>
internal sealed record TierDiscount(string Tier, int PercentOff);

/// <summary>What a promotion does. One record per mechanic; the JSON property "type" names it.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ThresholdOff), "threshold")]
[JsonDerivedType(typeof(RepeatingThresholdOff), "repeating_threshold")]
[JsonDerivedType(typeof(TieredThresholdOff), "tiered")]
[JsonDerivedType(typeof(ThresholdPercentOff), "threshold_percent")]
[JsonDerivedType(typeof(QuantityPercentOff), "quantity_percent")]
[JsonDerivedType(typeof(BuyXGetY), "buy_x_get_y")]
[JsonDerivedType(typeof(GiftWithPurchase), "gift")]
[JsonDerivedType(typeof(DirectDiscount), "direct")]
[JsonDerivedType(typeof(FlashPrice), "flash_price")]
[JsonDerivedType(typeof(MemberPrice), "member_price")]
[JsonDerivedType(typeof(MemberDay), "member_day")]
[JsonDerivedType(typeof(FreeShipping), "free_shipping")]
[JsonDerivedType(typeof(PresaleDeposit), "presale")]
internal abstract record Mechanic;

/// <summary>满减: eligible amount ≥ Threshold → AmountOff fen off (满300减40). At the platform stage this is 跨店满减.</summary>
internal sealed record ThresholdOff(long Threshold, long AmountOff) : Mechanic;

/// <summary>每满减: AmountOff for every full Step of eligible amount (每满300减50), at most Cap fen in total when set.</summary>
internal sealed record RepeatingThresholdOff(long Step, long AmountOff, long? Cap = null) : Mechanic;

/// <summary>Tiered 满减: the highest tier reached applies (满200减20 / 满400减50 / 满800减120).</summary>
internal sealed record TieredThresholdOff(IReadOnlyList<Tier> Tiers) : Mechanic;

/// <summary>满折: eligible amount ≥ Threshold → PercentOff percent off the eligible amount (满199打9折: percent_off 10).</summary>
internal sealed record ThresholdPercentOff(long Threshold, int PercentOff) : Mechanic;

/// <summary>N件M折: the highest tier whose unit count is reached applies to every unit in scope (2件9折, 3件7折).</summary>
internal sealed record QuantityPercentOff(IReadOnlyList<QuantityTier> Tiers) : Mechanic;

/// <summary>
/// Buy Buy units, get Get units PercentOff percent off (100 = free, 50 = 第二件半价). With GetSku null the discounted units are
/// the same SKU as the bought ones (per line); otherwise they are units of GetSku bought in the same cart. Repeating applies the
/// offer for every full set, otherwise once.
/// </summary>
internal sealed record BuyXGetY(int Buy, int Get, int PercentOff, string? GetSku = null, bool Repeating = true) : Mechanic;

/// <summary>赠品: eligible amount ≥ Threshold → Quantity units of GiftSku added free (no money moves).</summary>
internal sealed record GiftWithPurchase(long Threshold, string GiftSku, int Quantity = 1) : Mechanic;

/// <summary>A direct discount per unit on the lines in scope: PercentOff percent or AmountOff fen (exactly one).</summary>
internal sealed record DirectDiscount(int? PercentOff = null, long? AmountOff = null) : Mechanic;

/// <summary>限时折扣: the unit price during the promotion's validity window (never raises a price).</summary>
internal sealed record FlashPrice(long UnitPrice) : Mechanic;

/// <summary>Member price: a percentage off per customer tier.</summary>
internal sealed record MemberPrice(IReadOnlyList<TierDiscount> Tiers) : Mechanic;

/// <summary>会员日: on Day (in the pricing time zone) customers of the listed tiers get PercentOff percent off.</summary>
internal sealed record MemberDay(DayOfWeek Day, IReadOnlyList<string> Tiers, int PercentOff) : Mechanic;

/// <summary>满99包邮: a store's goods after all discounts (lines in scope) ≥ Threshold → its shipping fee is waived.</summary>
internal sealed record FreeShipping(long Threshold) : Mechanic;

/// <summary>
/// 定金膨胀: a Deposit (fen per unit) paid in the presale window counts as Value (fen per unit, Value &gt; Deposit) against the final
/// price. The cart line says how many units carry a paid deposit; the engine prices the balance payment.
/// </summary>
internal sealed record PresaleDeposit(long Deposit, long Value) : Mechanic;

/// <summary>
/// A promotion: what it does (<see cref="Mechanic"/>), where it applies (<see cref="Scope"/>), when (<see cref="ValidFrom"/>
/// inclusive to <see cref="ValidTo"/> exclusive), who pays (<see cref="Funding"/>), and how it stacks:
/// promotions sharing an <see cref="ExclusivityGroup"/> never apply to the same line; an <see cref="Exclusive"/> promotion never
/// shares a line with any other promotion; when <see cref="StackableWith"/> is set it lists the promotion ids or exclusivity groups
/// this one may share a line with (both sides must allow it). Higher <see cref="Priority"/> is tried first within a stage.
/// <see cref="Experiment"/> names an experiment (the Experiments module): a customer in its holdout variant does not get the
/// promotion (carts with a customer_id only; an anonymous cart gets it as usual).
/// </summary>
internal sealed record Promotion(
    string Id,
    string Name,
    Mechanic Mechanic,
    Stage Stage,
    Scope? Scope = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidTo = null,
    Funding? Funding = null,
    string? ExclusivityGroup = null,
    bool Exclusive = false,
    int Priority = 0,
    IReadOnlyList<string>? StackableWith = null,
    PromotionStatus Status = PromotionStatus.Active,
    string? Experiment = null);
