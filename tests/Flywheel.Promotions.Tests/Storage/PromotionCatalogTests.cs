using Flywheel.Promotions.Storage;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Tests;
using static Flywheel.Promotions.Tests.Domain.Pricing.Fx;

namespace Flywheel.Promotions.Tests.Storage;

/// <summary>The promotions table and the compiled index, on SQLite and PostgreSQL.</summary>
public class PromotionCatalogTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_ThenPrice_UsesTheNewIndex_AndDraftsAreNotPriced(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        using var catalog = new PromotionCatalog(store);
        var cart = Cart(Line("1", 300));
        Assert.Equal(Y(300), (await catalog.GetPricerAsync(default)).Ok(cart).Total);

        var saved = await catalog.SaveAsync(Promo("m300-40", new ThresholdOff(Y(300), Y(40))), default);
        Assert.True(saved.Value.Created);
        Assert.Equal(Y(260), (await catalog.GetPricerAsync(default)).Ok(cart).Total);

        await catalog.SaveAsync(Promo("draft", new DirectDiscount(PercentOff: 50), Stage.Item) with { Status = PromotionStatus.Draft }, default);
        Assert.Equal(Y(260), (await catalog.GetPricerAsync(default)).Ok(cart).Total);
        Assert.Equal(2, (await catalog.ListAsync(null, default)).Count);
        Assert.Single(await catalog.ListAsync(PromotionStatus.Draft, default));

        // a new catalog over the same store (a restarted server) loads the same
        using var reopened = new PromotionCatalog(store);
        Assert.Equal(Y(260), (await reopened.GetPricerAsync(default)).Ok(cart).Total);
        var roundTrip = await reopened.GetAsync("m300-40", default);
        Assert.Equal(new ThresholdOff(Y(300), Y(40)), roundTrip!.Mechanic);

        Assert.True(await catalog.DeleteAsync("m300-40", default));
        Assert.Equal(Y(300), (await catalog.GetPricerAsync(default)).Ok(cart).Total);
        Assert.False(await catalog.DeleteAsync("m300-40", default));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_Conflicting_IsRefusedAtSaveTime(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        using var catalog = new PromotionCatalog(store);
        Assert.True((await catalog.SaveAsync(Promo("a", new ThresholdOff(Y(300), Y(40)), group: "store-mj", priority: 1), default)).IsSuccess);
        var clash = await catalog.SaveAsync(Promo("b", new ThresholdOff(Y(200), Y(20)), group: "store-mj", priority: 1), default);
        Assert.Equal("conflict", clash.Error!.Code);
        Assert.Contains("'b' and 'a'", clash.Error.Message);
        Assert.Single(await catalog.ListAsync(null, default));
        var invalid = await catalog.SaveAsync(Promo("c", new ThresholdOff(Y(300), Y(400))), default);
        Assert.Equal("mechanic.amount_off", invalid.Error!.Path);
    }
}
