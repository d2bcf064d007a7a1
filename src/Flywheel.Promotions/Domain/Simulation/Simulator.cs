using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Ingestion.Contracts;

namespace Flywheel.Promotions.Domain.Simulation;

/// <summary>What one promotion of the draft set did over the replayed orders.</summary>
internal sealed record PromotionOutcome(string Id, string Name, int Orders, long Discount, long PlatformFunded, long MerchantFunded, int NearMisses);

/// <summary>
/// A simulation report: orders replayed, their list value, the discount the draft set would have given, split by funding party,
/// the average discount rate (basis points of list value), orders that crossed at least one threshold, orders that missed one by
/// less than 20% of it, per-promotion outcomes, and the conflicts and invalid definitions in the set.
/// </summary>
internal sealed record SimulationReport(
    DateOnly From,
    DateOnly To,
    int Orders,
    long ListAmount,
    long Discount,
    long ShippingWaived,
    long PlatformFunded,
    long MerchantFunded,
    int DiscountRateBasisPoints,
    int OrdersCrossingThresholds,
    int OrdersNearThresholds,
    IReadOnlyList<PromotionOutcome> Promotions,
    IReadOnlyList<Error> Conflicts);

/// <summary>
/// Replays a store's historical orders (list prices, quantities, the customer's member tier, the order's shipping fee, the time
/// it was placed) against a draft promotion set before anything is published. Coupons are left out: which coupons a shopper
/// would have held is not in the history.
/// </summary>
internal static class Simulator
{
    /// <summary>At most this many orders are replayed, a bound on time and memory for one run.</summary>
    public const int MaxOrders = 2_000_000;

    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <param name="pipeline">The tenant's stacking pipeline (see <see cref="PromotionCatalog.GetPipelineAsync"/>); the default when null.</param>
    public static async Task<Result<SimulationReport>> RunAsync(IOrderHistory history, IReadOnlyList<Promotion> drafts, DateOnly from, DateOnly to, CancellationToken ct,
        PricingPipeline? pipeline = null)
    {
        if (to < from) return Error.Invalid("to", "--to is on or after --from");
        var invalid = new List<Error>();
        for (var i = 0; i < drafts.Count; i++)
            if (PromotionValidator.Validate(drafts[i]) is { } e) invalid.Add(e with { Path = $"[{i}].{e.Path}" });
        var conflicts = invalid.Concat(PromotionValidator.Conflicts(drafts)).ToList();
        pipeline ??= PricingPipeline.Default;
        for (var i = 0; i < drafts.Count; i++)
            if (pipeline.StageMissing(drafts[i]) is { } missing)
                conflicts.Add(Error.Conflict($"[{i}].stage", $"'{drafts[i].Id}' would never apply: the store's pricing pipeline has no {missing} step"));
        var valid = drafts.Where(p => PromotionValidator.Validate(p) is null).Select(p => p with { Status = PromotionStatus.Active }).ToList();
        var pricer = new Pricer(PromotionIndex.Build(valid), pipeline: pipeline);
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), China);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), China);

        var outcomes = valid.ToDictionary(p => p.Id, p => new Outcome(p.Name));
        int orders = 0, crossing = 0, near = 0;
        long list = 0, discount = 0, waived = 0, platform = 0, merchant = 0;
        var thresholdIds = valid.Where(p => p.Mechanic is ThresholdOff or RepeatingThresholdOff or TieredThresholdOff or ThresholdPercentOff or GiftWithPurchase or FreeShipping)
            .Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var nearLimit = valid.ToDictionary(p => p.Id, p => p.Mechanic switch
        {
            ThresholdOff t => t.Threshold / 5,
            RepeatingThresholdOff r => r.Step / 5,
            TieredThresholdOff t => t.Tiers[0].Threshold / 5,
            ThresholdPercentOff t => t.Threshold / 5,
            GiftWithPurchase g => g.Threshold / 5,
            FreeShipping f => f.Threshold / 5,
            _ => 0L,
        });

        await foreach (var order in history.ReadPlacedAsync(start, end, ct))
        {
            if (++orders > MaxOrders) return Error.TooLarge($"more than {MaxOrders} orders in the period; simulate a shorter one");
            var result = pricer.Price(ToCart(order));
            if (!result.TryGetValue(out var priced, out _)) continue;
            list += priced.ListAmount;
            discount += priced.Discount;
            waived += priced.ShippingDiscount;
            platform += priced.PlatformFunded;
            merchant += priced.MerchantFunded;
            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in priced.Lines)
                foreach (var step in line.Steps.Where(s => s.Source == DiscountSource.Promotion))
                {
                    var o = outcomes[step.Id];
                    o.Discount += step.Amount;
                    o.Platform += step.PlatformFunded;
                    o.Merchant += step.MerchantFunded;
                    touched.Add(step.Id);
                }
            foreach (var od in priced.OrderDiscounts.Where(d => d.Stage == Stage.Shipping && d.Source == DiscountSource.Promotion))
            {
                var o = outcomes[od.Id];
                o.Discount += od.Amount;
                o.Platform += od.PlatformFunded;
                o.Merchant += od.MerchantFunded;
                touched.Add(od.Id);
            }
            foreach (var g in priced.Gifts) touched.Add(g.PromotionId);
            foreach (var id in touched) outcomes[id].Orders++;
            if (touched.Overlaps(thresholdIds)) crossing++;
            var missed = priced.NextThresholds.Where(n => n.Needed > 0 && n.Needed <= nearLimit.GetValueOrDefault(n.PromotionId)).Select(n => n.PromotionId).Distinct().ToList();
            foreach (var id in missed) outcomes[id].NearMisses++;
            if (missed.Count > 0) near++;
        }
        var rate = list == 0 ? 0 : (int)((Int128)(discount + waived) * 10_000 / list);
        return new SimulationReport(from, to, orders, list, discount, waived, platform, merchant, rate, crossing, near,
            [.. valid.Select(p => outcomes[p.Id]).Zip(valid, (o, p) => new PromotionOutcome(p.Id, o.Name, o.Orders, o.Discount, o.Platform, o.Merchant, o.NearMisses))],
            conflicts);
    }

    private sealed class Outcome(string name)
    {
        public string Name { get; } = name;
        public int Orders;
        public long Discount, Platform, Merchant;
        public int NearMisses;
    }

    /// <summary>A historical order as the cart it was: list prices, quantities, the member tier, the order's shipping fee.</summary>
    internal static Cart ToCart(HistoricOrder order)
    {
        var lines = order.Lines.Select(l => new CartLine(l.LineNo.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Sku,
            l.ProductStore ?? order.Store ?? "default", l.Category ?? "", l.Brand, l.Quantity, l.UnitListPrice)).ToList();
        return Build(lines, order.PlacedAt.ToOffset(China), order.CustomerId, order.MemberTier, order.Store, order.ShippingFee);
    }

    private static Cart Build(List<CartLine> lines, DateTimeOffset at, string? customer, string? tier, string? orderStore, long shipping)
    {
        // The order's shipping fee belongs to its store (or the first line's store when the order names none).
        var store = orderStore ?? lines[0].Store;
        var fees = new Dictionary<string, long>(StringComparer.Ordinal) { [store] = shipping };
        return new Cart(lines, at, customer, tier, fees);
    }

}
