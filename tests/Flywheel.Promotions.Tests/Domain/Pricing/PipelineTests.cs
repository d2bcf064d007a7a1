using Flywheel.Promotions.Storage;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Tests;
using static Flywheel.Promotions.Tests.Domain.Pricing.Fx;

namespace Flywheel.Promotions.Tests.Domain.Pricing;

/// <summary>The per-tenant stacking pipeline: worked examples of reordered and missing steps, validation, storage, and the exact search under every pipeline.</summary>
public class PipelineTests
{
    private static readonly PipelineStep[] Middle =
        [PipelineStep.StorePromotions, PipelineStep.StoreCoupons, PipelineStep.PlatformPromotions, PipelineStep.PlatformCoupons];

    private static Pricer PricerWith(PricingPipeline pipeline, params Promotion[] promotions) => new(PromotionIndex.Build(promotions), pipeline: pipeline);

    [Fact]
    public void CouponsBeforeStorePromotions_ThresholdsAreCheckedOnThePriceBeforeManJian()
    {
        // ¥300 of goods, store 满200减20, a store coupon 满300减50.
        var cart = Cart(Line("1", 300)) with { HeldCoupons = [Coupon("S50", CouponKind.Store, 50, thresholdYuan: 300, store: "s1")] };
        var promo = Promo("m200-20", new ThresholdOff(Y(200), Y(20)));

        // Default (Tmall) order: 满减 first leaves ¥280, below the coupon's ¥300 threshold.
        var standard = PricerWith(PricingPipeline.Default, promo).Ok(cart);
        Assert.Equal(Y(280), standard.Total);
        Assert.Equal("threshold_not_met", Assert.Single(standard.UnusedCoupons).Reason);

        // Coupons first: the coupon sees ¥300 (→ ¥250), then 满200减20 still applies (→ ¥230).
        var couponsFirst = PricingPipeline.Create([PipelineStep.Item, PipelineStep.StoreCoupons, PipelineStep.StorePromotions,
            PipelineStep.PlatformPromotions, PipelineStep.PlatformCoupons, PipelineStep.Shipping]).Value;
        var priced = PricerWith(couponsFirst, promo).Ok(cart);
        Assert.Equal(Y(230), priced.Total);
        Assert.Equal(["S50"], priced.UsedCoupons);
        Assert.Equal(["S50", "m200-20"], priced.Lines[0].Steps.Select(s => s.Id));
        AssertConsistent(priced);
    }

    [Fact]
    public void LeftOutStep_ItsPromotionsAndCouponsNeverApply()
    {
        var cart = Cart(Line("1", 400)) with { HeldCoupons = [Coupon("P30", CouponKind.Platform, 30, thresholdYuan: 100)] };
        var cross = Promo("cross", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform);
        var noPlatform = PricingPipeline.Create([PipelineStep.Item, PipelineStep.StorePromotions, PipelineStep.StoreCoupons, PipelineStep.Shipping]).Value;
        var priced = PricerWith(noPlatform, cross).Ok(cart);
        Assert.Equal(Y(400), priced.Total);
        Assert.Empty(priced.UsedCoupons);
        Assert.Equal(Y(320), PricerWith(PricingPipeline.Default, cross).Ok(cart).Total);
    }

    [Theory]
    [InlineData("{\"steps\":[\"store_promotions\",\"item\",\"shipping\"]}", "$.steps[0]")]
    [InlineData("{\"steps\":[\"item\",\"store_promotions\"]}", "$.steps[1]")]
    [InlineData("{\"steps\":[\"item\",\"store_coupons\",\"store_coupons\",\"shipping\"]}", "$.steps[2]")]
    [InlineData("{\"steps\":[\"item\",\"loyalty\",\"shipping\"]}", "$.steps[1]")]
    [InlineData("{\"steps\":\"item\"}", "$.steps")]
    [InlineData("{\"steps\":[\"item\",\"shipping\"],\"extra\":1}", "$.extra")]
    [InlineData("[1,2", "$")]
    public void ParseJson_BadPipelines_NameThePlace(string json, string path)
    {
        var parsed = PricingPipeline.ParseJson(json);
        Assert.False(parsed.IsSuccess);
        Assert.Equal(path, parsed.Error!.Path);
    }

    [Fact]
    public void ParseJson_RoundTrips()
    {
        var json = "{\"steps\":[\"item\",\"platform_promotions\",\"store_promotions\",\"shipping\"]}";
        Assert.Equal(json, PricingPipeline.ParseJson(json).Value.ToJson());
        Assert.True(PricingPipeline.ParseJson(PricingPipeline.Default.ToJson()).Value.IsDefault);
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 120; seed++) data.Add(seed * 104_729);
        return data;
    }

    /// <summary>A random valid pipeline: the middle steps shuffled, each left out with probability 1/5.</summary>
    internal static PricingPipeline RandomPipeline(Random rng)
    {
        var middle = Middle.OrderBy(_ => rng.Next()).Where(_ => rng.Next(5) != 0);
        return PricingPipeline.Create([PipelineStep.Item, .. middle, PipelineStep.Shipping]).Value;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Price_RandomPipeline_BestDealEqualsBruteForce_AndInvariantsHold(int seed)
    {
        var (promotions, cart) = PricerPropertyTests.Generate(seed);
        var pipeline = RandomPipeline(new Random(seed));
        var pricer = PricerWith(pipeline, promotions);
        var best = pricer.Ok(cart);
        AssertConsistent(best);
        var held = cart.HeldCoupons!;
        var brute = long.MaxValue;
        for (var mask = 0; mask < 1 << held.Count; mask++)
        {
            var subset = held.Where((_, i) => (mask & (1 << i)) != 0).ToList();
            if (subset.GroupBy(c => (c.Spec.Kind, c.Spec.Store)).Any(g => g.Count() > 1)) continue;
            brute = Math.Min(brute, pricer.PriceWith(cart, subset).Total);
        }
        Assert.True(brute == best.Total, $"seed {seed}, pipeline {pipeline.ToJson()}: search {best.Total}, brute force {brute}");
        Assert.Equal(best.Total, PricerWith(pipeline, promotions).Ok(cart with { Lines = cart.Lines.Reverse().ToArray() }).Total);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Catalog_StoresThePipeline_AndRefusesToDropAStepAPromotionNeeds(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        using var catalog = new PromotionCatalog(store);
        Assert.True((await catalog.GetPipelineAsync(default)).IsDefault);
        Assert.True((await catalog.SaveAsync(Promo("cross", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform), default)).IsSuccess);

        var noPlatform = PricingPipeline.Create([PipelineStep.Item, PipelineStep.StorePromotions, PipelineStep.StoreCoupons, PipelineStep.Shipping]).Value;
        var refused = await catalog.SetPipelineAsync(noPlatform, default);
        Assert.Equal("conflict", refused.Error!.Code);
        Assert.Contains("'cross'", refused.Error.Message);
        Assert.True((await catalog.GetPipelineAsync(default)).IsDefault);

        var couponsFirst = PricingPipeline.Create([PipelineStep.Item, PipelineStep.StoreCoupons, PipelineStep.StorePromotions,
            PipelineStep.PlatformCoupons, PipelineStep.PlatformPromotions, PipelineStep.Shipping]).Value;
        Assert.True((await catalog.SetPipelineAsync(couponsFirst, default)).IsSuccess);
        using var reopened = new PromotionCatalog(store);
        Assert.Equal(couponsFirst.Steps, (await reopened.GetPipelineAsync(default)).Steps);
        Assert.Equal(couponsFirst.Steps, (await reopened.GetPricerAsync(default)).Pipeline.Steps);

        // archived, the promotion no longer holds the step; a new platform promotion is then refused at save time
        Assert.True((await catalog.SaveAsync(Promo("cross", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform) with { Status = PromotionStatus.Archived }, default)).IsSuccess);
        Assert.True((await catalog.SetPipelineAsync(noPlatform, default)).IsSuccess);
        var again = await catalog.SaveAsync(Promo("cross2", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform), default);
        Assert.Equal("conflict", again.Error!.Code);
        Assert.Equal("stage", again.Error.Path);
        Assert.Null(await catalog.GetAsync("cross2", default));
    }
}
