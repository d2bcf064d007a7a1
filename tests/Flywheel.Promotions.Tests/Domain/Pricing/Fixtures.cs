using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;

namespace Flywheel.Promotions.Tests.Domain.Pricing;

/// <summary>Small builders for worked examples: prices are in yuan in the test text and converted to fen here.</summary>
internal static class Fx
{
    public static readonly DateTimeOffset Now = new(2026, 11, 11, 10, 0, 0, TimeSpan.FromHours(8)); // a Wednesday

    public static long Y(decimal yuan) => (long)(yuan * 100);

    public static CartLine Line(string id, decimal unitYuan, int qty = 1, string store = "s1", string category = "beauty", string? brand = "b1", string? sku = null, int presale = 0) =>
        new(id, sku ?? "sku-" + id, store, category, brand, qty, Y(unitYuan), presale);

    public static Cart Cart(params CartLine[] lines) => new(lines, Now);

    public static Promotion Promo(string id, Mechanic mechanic, Stage stage = Stage.Store, Scope? scope = null, Funding? funding = null,
        string? group = null, bool exclusive = false, int priority = 0, IReadOnlyList<string>? stackableWith = null) =>
        new(id, id, mechanic, stage, scope, null, null, funding, group, exclusive, priority, stackableWith);

    public static Pricer Pricer(params Promotion[] promotions) => new(PromotionIndex.Build(promotions));

    public static PricedCart Ok(this Pricer pricer, Cart cart)
    {
        var result = pricer.Price(cart);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Value;
    }

    public static HeldCoupon Coupon(string code, CouponKind kind, decimal? amountYuan = null, int? percent = null, decimal thresholdYuan = 0,
        string? store = null, string? category = null, decimal? maxYuan = null, FundingParty funding = FundingParty.Merchant) =>
        new(code, "batch-" + code, new CouponSpec(kind, amountYuan is { } a ? Y(a) : null, percent, Y(thresholdYuan), store, category,
            maxYuan is { } m ? Y(m) : null, funding), Now.AddDays(-1), Now.AddDays(1));

    /// <summary>The invariants every priced cart keeps, checked after every example.</summary>
    public static void AssertConsistent(PricedCart priced)
    {
        long discount = 0, paid = 0;
        foreach (var line in priced.Lines)
        {
            Assert.True(line.Paid >= 0, $"line {line.LineId} paid {line.Paid}");
            Assert.Equal(line.ListAmount - line.Discount, line.Paid);
            Assert.Equal(line.Discount, line.Steps.Sum(s => s.Amount));
            foreach (var s in line.Steps)
            {
                Assert.True(s.Amount > 0);
                Assert.Equal(s.Amount, s.PlatformFunded + s.MerchantFunded);
                Assert.True(s.PlatformFunded >= 0 && s.MerchantFunded >= 0);
            }
            discount += line.Discount;
            paid += line.Paid;
        }
        Assert.Equal(priced.Discount, discount);
        Assert.Equal(priced.GoodsPaid, paid);
        Assert.Equal(priced.ListAmount - priced.Discount, priced.GoodsPaid);
        Assert.Equal(priced.GoodsPaid + priced.ShippingPaid, priced.Total);
        Assert.Equal(priced.Discount + priced.ShippingDiscount, priced.PlatformFunded + priced.MerchantFunded);
        foreach (var od in priced.OrderDiscounts.Where(o => o.Stage != Stage.Shipping))
        {
            // every order-level discount is allocated to lines exactly (a store-stage one to the lines of its store)
            Assert.Equal(od.Amount, priced.Lines.Where(l => od.Store is null || l.Store == od.Store)
                .SelectMany(l => l.Steps).Where(s => s.Id == od.Id && s.Stage == od.Stage).Sum(s => s.Amount));
            Assert.Equal(od.Amount, od.ByStore.Values.Sum());
            Assert.Equal(od.Amount, od.PlatformFunded + od.MerchantFunded);
        }
        Assert.Equal(priced.Total, priced.Stores.Sum(s => s.GoodsPaid + s.ShippingPaid));
    }
}
