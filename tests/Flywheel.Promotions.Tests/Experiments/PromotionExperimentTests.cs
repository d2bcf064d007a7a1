using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Promotions.Features.PriceCart;
using Flywheel.Promotions.Features.SavePromotion;
using Flywheel.Promotions.Storage;
using Flywheel.Tests;
using static Flywheel.Promotions.Tests.Domain.Pricing.Fx;

namespace Flywheel.Promotions.Tests.Experiments;

/// <summary>A promotion that names an experiment is withheld from the customers the experiment puts in its holdout.</summary>
public sealed class PromotionExperimentTests : IDisposable
{
    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    private static FixedAssignments Double() => new("m300_holdout", ["holdout", "treatment"], "holdout",
        unit => unit switch { "u-hold" => "holdout", "u-treat" => "treatment", _ => null });

    private static Promotion Held => Promo("m300-40", new ThresholdOff(Y(300), Y(40))) with { Experiment = "m300_holdout" };

    // Names the experiment too, but its scope never matches the carts below: it is never a candidate, so never assigned.
    private static Promotion Elsewhere => Promo("sku-z", new ThresholdOff(Y(100), Y(10)), scope: new Scope(Skus: ["SKU-Z"])) with { Experiment = "m300_holdout" };

    [Fact]
    public void Json_RoundTripsTheExperiment_AndThePricerLeavesHeldOutPromotionsOut()
    {
        var parsed = PromotionJson.ParsePromotion(PromotionJson.Write(Held)).Value;
        Assert.Equal("m300_holdout", parsed.Experiment);
        Assert.Equal("experiment", PromotionValidator.Validate(Held with { Experiment = "" })!.Path);

        var pricer = Pricer(Held, Elsewhere);
        var cart = Cart(Line("1", 300));
        Assert.Equal([("m300-40", "m300_holdout")], pricer.ExperimentCandidates(cart));
        var normal = pricer.Ok(cart);
        Assert.Equal((Y(260), 0), (normal.Total, normal.HeldOut!.Count));
        var held = pricer.Price(cart, new HashSet<string> { "m300-40" }).Value;
        Assert.Equal(Y(300), held.Total);
        var line = Assert.Single(held.HeldOut!);
        Assert.Equal(("m300-40", "m300_holdout"), (line.PromotionId, line.Experiment));
        Assert.Contains("对照组", line.MessageZh, StringComparison.Ordinal);
        Assert.Contains("held out", line.MessageEn, StringComparison.Ordinal);
        Assert.Empty(Pricer(Promo("plain", new ThresholdOff(Y(300), Y(40)))).ExperimentCandidates(cart));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Price_WithholdsThePromotionFromTheHoldout_AndAppliesItToOthers(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        using var catalog = new PromotionCatalog(store);
        var experiments = Double();
        var save = new SavePromotionHandler(catalog, experiments);
        Assert.True((await save.SaveAsync(Held, null, default)).IsSuccess);
        Assert.True((await save.SaveAsync(Elsewhere, null, default)).IsSuccess);
        var handler = new PriceCartHandler(catalog, new TestClock(Now), experiments);
        var cart = Cart(Line("1", 300));

        var holdout = (await handler.HandleAsync(cart with { CustomerId = "u-hold" }, default)).Value;
        Assert.Equal((Y(300), 0L), (holdout.Total, holdout.Discount));
        Assert.Equal("m300-40", Assert.Single(holdout.HeldOut!).PromotionId);

        var treated = (await handler.HandleAsync(cart with { CustomerId = "u-treat" }, default)).Value;
        Assert.Equal(Y(260), treated.Total);
        Assert.Empty(treated.HeldOut!);
        var outside = (await handler.HandleAsync(cart with { CustomerId = "u-other" }, default)).Value;
        Assert.Equal(Y(260), outside.Total);

        // An anonymous cart cannot be held out: it gets the promotion, and no one is asked.
        var calls = experiments.Calls.Count;
        var anonymous = (await handler.HandleAsync(cart, default)).Value;
        Assert.Equal(Y(260), anonymous.Total);
        Assert.Equal(calls, experiments.Calls.Count);

        Assert.Equal([("m300_holdout", "u-hold", "promotion:m300-40"), ("m300_holdout", "u-treat", "promotion:m300-40"), ("m300_holdout", "u-other", "promotion:m300-40")],
            experiments.Calls);
        Assert.Contains("对照组", PriceCartCommand.Explain(holdout), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_RefusesAnUnknownExperiment_OrAHostWithoutTheModule(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        using var catalog = new PromotionCatalog(store);
        var unavailable = await new SavePromotionHandler(catalog).SaveAsync(Held, null, default);
        Assert.Equal("experiment", unavailable.Error!.Path);
        Assert.Contains("experiments are not available", unavailable.Error.Message, StringComparison.Ordinal);
        var handler = new SavePromotionHandler(catalog, Double());
        var unknown = await handler.SaveAsync(Held with { Experiment = "nope" }, null, default);
        Assert.Equal("experiment", unknown.Error!.Path);
        Assert.Contains("no experiment 'nope'", unknown.Error.Message, StringComparison.Ordinal);
        var check = await handler.CheckAsync([Promo("ok", new ThresholdOff(Y(300), Y(40))), Held with { Id = "bad", Experiment = "nope" }], default);
        Assert.Equal("[1].experiment", Assert.Single(check.Errors).Error.Path);
        Assert.Empty(await catalog.ListAsync(null, default));
    }
}
