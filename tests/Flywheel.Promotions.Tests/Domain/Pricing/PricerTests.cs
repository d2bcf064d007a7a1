using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using static Flywheel.Promotions.Tests.Domain.Pricing.Fx;

namespace Flywheel.Promotions.Tests.Domain.Pricing;

/// <summary>Worked examples for every mechanic, with the figures a Tmall or JD shopper would see.</summary>
public class PricerTests
{
    private static readonly Promotion Man300Jian40 = Promo("m300-40", new ThresholdOff(Y(300), Y(40)));

    [Fact]
    public void Price_Threshold_ExactlyOnThreshold_Applies()
    {
        var priced = Pricer(Man300Jian40).Ok(Cart(Line("1", 100, 3)));
        Assert.Equal(Y(260), priced.Total);
        Assert.Equal(Y(40), priced.Discount);
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_Threshold_OneCentBelow_DoesNotApply_AndSaysHowMuchMore()
    {
        var priced = Pricer(Man300Jian40).Ok(Cart(Line("1", 299.99m)));
        Assert.Equal(Y(299.99m), priced.Total);
        var next = Assert.Single(priced.NextThresholds);
        Assert.Equal(1, next.Needed);
        Assert.Equal("再买¥0.01可享满300减40", next.MessageZh);
    }

    [Fact]
    public void Price_Threshold_AllocatesByEligibleValue_LargestRemainder()
    {
        // 满300减40 over 100 + 100 + 100.01: 40 splits 13.33/13.33/13.34 — the extra cent goes to the largest remainder.
        var priced = Pricer(Man300Jian40).Ok(Cart(Line("a", 100), Line("b", 100), Line("c", 100.01m)));
        Assert.Equal([1333L, 1333L, 1334L], priced.Lines.Select(l => l.Discount));
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_RepeatingThreshold_DeductsPerStep_AndTellsTheNextStep()
    {
        var promo = Promo("m300-50", new RepeatingThresholdOff(Y(300), Y(50)));
        var priced = Pricer(promo).Ok(Cart(Line("1", 677)));
        Assert.Equal(Y(100), priced.Discount); // two full 300s
        Assert.Equal("再买¥223.00可享每满300减50", priced.NextThresholds.Single().MessageZh);
        var small = Pricer(promo).Ok(Cart(Line("1", 277)));
        Assert.Equal("再买¥23.00可享每满300减50", small.NextThresholds.Single().MessageZh);
        Assert.Equal("Add ¥23.00 more to get ¥50 off every ¥300", small.NextThresholds.Single().MessageEn);
    }

    [Fact]
    public void Price_RepeatingThreshold_StopsAtCap()
    {
        var promo = Promo("m300-50-cap", new RepeatingThresholdOff(Y(300), Y(50), Cap: Y(100)));
        var priced = Pricer(promo).Ok(Cart(Line("1", 1000)));
        Assert.Equal(Y(100), priced.Discount);
        Assert.Empty(priced.NextThresholds);
    }

    [Theory]
    [InlineData(199.99, 0)]
    [InlineData(200, 20)]
    [InlineData(399.99, 20)]
    [InlineData(400, 50)]
    [InlineData(800, 120)]
    [InlineData(5000, 120)]
    public void Price_Tiered_TakesTheHighestTierReached(decimal yuan, decimal off)
    {
        var promo = Promo("tiers", new TieredThresholdOff([new(Y(200), Y(20)), new(Y(400), Y(50)), new(Y(800), Y(120))]));
        var priced = Pricer(promo).Ok(Cart(Line("1", yuan)));
        Assert.Equal(Y(off), priced.Discount);
    }

    [Fact]
    public void Price_ThresholdPercent_满折()
    {
        var priced = Pricer(Promo("z", new ThresholdPercentOff(Y(199), 10))).Ok(Cart(Line("1", 250)));
        Assert.Equal(Y(25), priced.Discount);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 10)] // 2件9折
    [InlineData(3, 30)] // 3件7折
    [InlineData(5, 30)]
    public void Price_QuantityPercent_N件M折(int qty, int percent)
    {
        var promo = Promo("nm", new QuantityPercentOff([new(2, 10), new(3, 30)]));
        var priced = Pricer(promo).Ok(Cart(Line("1", 100, qty)));
        Assert.Equal(Y(100) * qty * percent / 100, priced.Discount);
    }

    [Fact]
    public void Price_QuantityPercent_CountsUnitsAcrossLinesOfTheStore()
    {
        var promo = Promo("nm", new QuantityPercentOff([new(2, 10)]));
        var priced = Pricer(promo).Ok(Cart(Line("1", 100), Line("2", 50)));
        Assert.Equal(Y(15), priced.Discount);
        AssertConsistent(priced);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 50)]
    [InlineData(3, 50)]
    [InlineData(4, 100)]
    public void Price_SecondItemHalfPrice_Repeats(int qty, decimal off)
    {
        var promo = Promo("half", new BuyXGetY(1, 1, 50), Stage.Item);
        var priced = Pricer(promo).Ok(Cart(Line("1", 100, qty)));
        Assert.Equal(Y(off), priced.Discount);
    }

    [Fact]
    public void Price_BuyXGetY_DifferentSku_DiscountsTheGetLine()
    {
        // buy 2 shampoos, get a conditioner free; 3 shampoos and 2 conditioners → one conditioner free
        var promo = Promo("b2g1", new BuyXGetY(2, 1, 100, GetSku: "cond"), Stage.Store, new Scope(Skus: ["shampoo"]));
        var priced = Pricer(promo).Ok(Cart(Line("1", 59, 3, sku: "shampoo"), Line("2", 39, 2, sku: "cond")));
        Assert.Equal(0, priced.Lines[0].Discount);
        Assert.Equal(Y(39), priced.Lines[1].Discount);
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_Gift_AddedAtThreshold()
    {
        var promo = Promo("gift", new GiftWithPurchase(Y(299), "sample-kit"));
        Assert.Single(Pricer(promo).Ok(Cart(Line("1", 299))).Gifts);
        var below = Pricer(promo).Ok(Cart(Line("1", 298)));
        Assert.Empty(below.Gifts);
        Assert.Equal("再买¥1.00可享满299送sample-kit", below.NextThresholds.Single().MessageZh);
    }

    [Fact]
    public void Price_Direct_PercentAndAmount_ByCategoryAndBrand()
    {
        var pricer = Pricer(
            Promo("cat", new DirectDiscount(PercentOff: 20), Stage.Item, new Scope(Categories: ["beauty"])),
            Promo("brand", new DirectDiscount(AmountOff: Y(5)), Stage.Item, new Scope(Brands: ["b2"])));
        var priced = pricer.Ok(Cart(Line("1", 100), Line("2", 30, 2, category: "food", brand: "b2")));
        Assert.Equal(Y(20), priced.Lines[0].Discount);
        Assert.Equal(Y(10), priced.Lines[1].Discount);
    }

    [Fact]
    public void Price_FlashPrice_OnlyInsideItsWindow()
    {
        var flash = Promo("flash", new FlashPrice(Y(79)), Stage.Item, new Scope(Skus: ["lipstick"])) with
        {
            ValidFrom = Now.AddHours(-1),
            ValidTo = Now.AddHours(1),
        };
        var pricer = Pricer(flash);
        Assert.Equal(Y(158), pricer.Ok(Cart(Line("1", 99, 2, sku: "lipstick"))).Total);
        Assert.Equal(Y(198), pricer.Ok(Cart(Line("1", 99, 2, sku: "lipstick")) with { At = Now.AddHours(1) }).Total);
        Assert.Equal(Y(50), pricer.Ok(Cart(Line("1", 50, sku: "lipstick"))).Total); // never raises a price
    }

    [Fact]
    public void Price_MemberPriceAndMemberDay_ByTierAndWeekday()
    {
        var pricer = Pricer(
            Promo("member", new MemberPrice([new("gold", 5), new("platinum", 10)]), Stage.Item, group: "member"),
            Promo("wed", new MemberDay(DayOfWeek.Wednesday, ["platinum"], 10), Stage.Item));
        var cart = Cart(Line("1", 200));
        Assert.Equal(Y(200), pricer.Ok(cart).Total);
        Assert.Equal(Y(190), pricer.Ok(cart with { CustomerTier = "gold" }).Total);
        Assert.Equal(Y(162), pricer.Ok(cart with { CustomerTier = "platinum" }).Total); // 200 × 0.9 × 0.9
        Assert.Equal(Y(180), pricer.Ok(cart with { CustomerTier = "platinum", At = Now.AddDays(1) }).Total);
    }

    [Fact]
    public void Price_MemberDay_UsesChinaTimeNotUtc()
    {
        // 2026-11-11 00:30 +08:00 is Wednesday in Shanghai but still Tuesday in UTC
        var pricer = Pricer(Promo("wed", new MemberDay(DayOfWeek.Wednesday, ["gold"], 10), Stage.Item));
        var cart = Cart(Line("1", 100)) with { CustomerTier = "gold", At = new DateTimeOffset(2026, 11, 10, 16, 30, 0, TimeSpan.Zero) };
        Assert.Equal(Y(90), pricer.Ok(cart).Total);
    }

    [Fact]
    public void Price_ThresholdAfterItemDiscounts_UsesTheDiscountedAmount()
    {
        // 320 list, 10% member price → 288 < 300: 满300减40 no longer applies
        var pricer = Pricer(Promo("member", new MemberPrice([new("gold", 10)]), Stage.Item), Man300Jian40);
        var priced = pricer.Ok(Cart(Line("1", 320)) with { CustomerTier = "gold" });
        Assert.Equal(Y(288), priced.Total);
        Assert.Equal("再买¥12.00可享满300减40", priced.NextThresholds.Single().MessageZh);
    }

    [Fact]
    public void Price_CrossStore_CombinesStores_AllocatesBack_SplitsFunding()
    {
        // 跨店每满300减50, platform funds 60%: store A 200 + store B 150 = 350 → 50 off, 28.57/21.43 by eligible value
        var cross = Promo("cross", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform, funding: new Funding(60));
        var priced = Pricer(cross).Ok(Cart(Line("a", 200, store: "A"), Line("b", 150, store: "B")));
        Assert.Equal(Y(50), priced.Discount);
        var od = priced.OrderDiscounts.Single();
        Assert.Equal(Y(30), od.PlatformFunded);
        Assert.Equal(Y(20), od.MerchantFunded);
        Assert.Equal(2857, od.ByStore["A"]);
        Assert.Equal(2143, od.ByStore["B"]);
        Assert.Equal(Y(30), priced.PlatformFunded);
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_StoreThreshold_IsPerStore()
    {
        var priced = Pricer(Man300Jian40).Ok(Cart(Line("a", 200, store: "A"), Line("b", 150, store: "B")));
        Assert.Equal(0, priced.Discount);
        Assert.Equal(2, priced.NextThresholds.Count);
    }

    [Fact]
    public void Price_FreeShipping_PerStore_AfterDiscounts()
    {
        var ship = Promo("ship", new FreeShipping(Y(99)), Stage.Shipping);
        var cart = Cart(Line("a", 99, store: "A"), Line("b", 98.99m, store: "B")) with
        {
            ShippingFees = new Dictionary<string, long> { ["A"] = Y(10), ["B"] = Y(8) },
        };
        var priced = Pricer(ship).Ok(cart);
        Assert.Equal(Y(10), priced.ShippingDiscount);
        Assert.Equal(Y(8), priced.ShippingPaid);
        Assert.Equal("再买¥0.01可享满99包邮", priced.NextThresholds.Single().MessageZh);
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_Presale_PricesTheBalance()
    {
        // 定金50抵100 on a 599 item: deposit paid 50, worth 100; total 549, balance 499
        var presale = Promo("presale", new PresaleDeposit(Y(50), Y(100)), Stage.Item, new Scope(Skus: ["serum"]));
        var priced = Pricer(presale).Ok(Cart(Line("1", 599, sku: "serum", presale: 1)));
        Assert.Equal(Y(549), priced.Total);
        Assert.Equal(Y(50), priced.DepositPaid);
        Assert.Equal(Y(499), priced.BalanceDue);
    }

    [Fact]
    public void Price_Presale_LaterDiscountsNeverEatTheDeposit()
    {
        var pricer = Pricer(Promo("presale", new PresaleDeposit(Y(50), Y(100)), Stage.Item), Promo("big", new ThresholdOff(Y(50), Y(50))));
        var priced = pricer.Ok(Cart(Line("1", 120, presale: 1)));
        Assert.Equal(Y(50), priced.Total); // 120 - 50 inflation = 70, then at most 20 more
        Assert.Equal(0, priced.BalanceDue);
    }

    [Fact]
    public void Price_CouponThatWouldMakeALineNegative_IsClamped()
    {
        var priced = Pricer().Ok(Cart(Line("1", 15)) with { HeldCoupons = [Coupon("c20", CouponKind.NoThreshold, 20)] });
        Assert.Equal(0, priced.Total);
        Assert.Equal(Y(15), priced.Discount);
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_Stacking_ItemThenStoreThenCouponThenPlatform()
    {
        var pricer = Pricer(
            Promo("flash", new FlashPrice(Y(180)), Stage.Item, new Scope(Skus: ["sku-1"])),
            Promo("store", new ThresholdOff(Y(300), Y(30))),
            Promo("cross", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform, funding: Funding.Platform));
        var cart = Cart(Line("1", 200, 2)) with { HeldCoupons = [Coupon("s20", CouponKind.Store, 20, thresholdYuan: 299, store: "s1")] };
        var priced = pricer.Ok(cart);
        // 400 → flash 360 → 满300减30 330 → store coupon 满299减20 310 → 跨店每满300减50 260
        Assert.Equal(Y(260), priced.Total);
        Assert.Equal(["flash", "store", "s20", "cross"], priced.Lines[0].Steps.Select(s => s.Id));
        Assert.Equal(Y(50), priced.PlatformFunded);
        AssertConsistent(priced);
    }

    [Fact]
    public void Price_ExclusivityGroup_OnlyTheHigherPriorityApplies()
    {
        var pricer = Pricer(
            Promo("a", new DirectDiscount(PercentOff: 10), Stage.Item, group: "g", priority: 1),
            Promo("b", new DirectDiscount(PercentOff: 30), Stage.Item, group: "g", priority: 2));
        var priced = pricer.Ok(Cart(Line("1", 100)));
        Assert.Equal(["b"], priced.Lines[0].Steps.Select(s => s.Id));
    }

    [Fact]
    public void Price_ExclusivePromotion_IsNeverCombined()
    {
        var pricer = Pricer(
            Promo("excl", new DirectDiscount(PercentOff: 30), Stage.Item, new Scope(Categories: ["beauty"]), exclusive: true, priority: 5),
            Promo("store", new ThresholdOff(Y(50), Y(10))));
        var priced = pricer.Ok(Cart(Line("1", 100), Line("2", 100, category: "food")) with { });
        Assert.Equal(["excl"], priced.Lines[0].Steps.Select(s => s.Id));
        // the other line still gets the store 满减, and only its own value counts towards the threshold
        Assert.Equal(["store"], priced.Lines[1].Steps.Select(s => s.Id));
        Assert.Equal(Y(100), priced.OrderDiscounts.Single().EligibleAmount);
    }

    [Fact]
    public void Price_StackableWith_BothSidesMustAgree()
    {
        var pricer = Pricer(
            Promo("a", new DirectDiscount(PercentOff: 10), Stage.Item, stackableWith: ["c"]),
            Promo("b", new ThresholdOff(Y(50), Y(10))),
            Promo("c", new ThresholdOff(Y(50), Y(5)), Stage.Platform));
        var priced = pricer.Ok(Cart(Line("1", 100)));
        Assert.Equal(["a", "c"], priced.Lines[0].Steps.Select(s => s.Id));
    }

    [Fact]
    public void Price_UnusedCoupons_SayWhy()
    {
        var cart = Cart(Line("1", 100)) with
        {
            HeldCoupons =
            [
                Coupon("big", CouponKind.Store, 30, thresholdYuan: 99, store: "s1"),
                Coupon("small", CouponKind.Store, 10, thresholdYuan: 50, store: "s1"),
                Coupon("far", CouponKind.Platform, 50, thresholdYuan: 300),
                Coupon("other", CouponKind.Store, 10, store: "s2"),
                Coupon("old", CouponKind.Platform, 10) with { ValidTo = Now.AddMinutes(-1) },
            ],
        };
        var priced = Pricer().Ok(cart);
        Assert.Equal(["big"], priced.UsedCoupons);
        var reasons = priced.UnusedCoupons.ToDictionary(u => u.Code, u => u.Reason);
        Assert.Equal("slot_taken", reasons["small"]);
        Assert.Equal("threshold_not_met", reasons["far"]);
        Assert.Equal("not_applicable", reasons["other"]);
        Assert.Equal("expired", reasons["old"]);
        Assert.Contains("再买¥200.00", priced.UnusedCoupons.Single(u => u.Code == "far").Message);
    }

    [Fact]
    public void Price_BestDeal_IsNotGreedy()
    {
        // A bigger store coupon would push the cart below the 跨店满减 threshold: the smaller one wins overall.
        var cross = Promo("cross", new ThresholdOff(Y(300), Y(60)), Stage.Platform);
        var cart = Cart(Line("1", 310)) with
        {
            HeldCoupons = [Coupon("s20", CouponKind.Store, 20, store: "s1"), Coupon("s10", CouponKind.Store, 10, store: "s1")],
        };
        var priced = Pricer(cross).Ok(cart);
        Assert.Equal(["s10"], priced.UsedCoupons);
        Assert.Equal(Y(240), priced.Total);
        Assert.Equal("slot_taken", priced.UnusedCoupons.Single().Reason);
    }

    [Fact]
    public void Price_PercentCoupon_CappedByMaxDiscount_OnCategory()
    {
        var cart = Cart(Line("1", 500), Line("2", 100, category: "food")) with
        {
            HeldCoupons = [Coupon("cat", CouponKind.Category, percent: 20, category: "beauty", maxYuan: 80, funding: FundingParty.Platform)],
        };
        var priced = Pricer().Ok(cart);
        Assert.Equal(Y(80), priced.Lines[0].Discount);
        Assert.Equal(0, priced.Lines[1].Discount);
        Assert.Equal(Y(80), priced.PlatformFunded);
    }

    [Fact]
    public void Price_InvalidCart_IsAnErrorWithAPath()
    {
        var result = Pricer().Price(Cart(Line("1", 10), Line("1", 20)));
        Assert.Equal("lines[1].line_id", result.Error!.Path);
        Assert.Equal("lines[0].quantity", Pricer().Price(Cart(Line("1", 10, 0))).Error!.Path);
    }
}
