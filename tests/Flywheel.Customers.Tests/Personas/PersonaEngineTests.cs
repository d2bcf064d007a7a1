using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers;
using Flywheel.Customers.Personas;
using Flywheel.Customers.Profiles;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Customers.Tests.Personas;

public class PersonaEngineTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    /// <summary>
    /// Ten customers: f0..f5 women in 浙江 (tier1), m0..m3 men in 四川 (tier3). Women buy beauty at ¥300 and are most
    /// active at 21:00; men buy once at ¥80 and are most active at 09:00. f0..f3 are the segment.
    /// </summary>
    private static async Task<(EventIndex, ProfileTable)> StoreAsync(FlywheelStore store)
    {
        await using var session = await IngestSession.BeginAsync(store, "test", "persona", CancellationToken.None);
        session.UpsertProduct(new ProductRow { Sku = "lipstick", Name = "口红", Category = "美妆", ListPrice = 30_000 });
        session.UpsertProduct(new ProductRow { Sku = "rice", Name = "大米", Category = "食品", ListPrice = 8_000 });
        var n = 0;
        foreach (var (id, woman) in Enumerable.Range(0, 6).Select(i => ($"f{i}", true)).Concat(Enumerable.Range(0, 4).Select(i => ($"m{i}", false))))
        {
            session.UpsertCustomer(new CustomerRow
            {
                CustomerId = id, Gender = woman ? "female" : "male", BirthDate = woman ? "1998-01-01" : "1980-07-01", Province = woman ? "浙江" : "四川",
                CityTier = woman ? "tier1" : "tier3",
                Present = CustomerFields.Gender | CustomerFields.BirthDate | CustomerFields.Province | CustomerFields.CityTier,
            });
            var hour = woman ? 21 : 9;
            var at = new DateTimeOffset(2026, 6, 1, hour, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
            session.WriteEvent(new EventRow { EventId = $"e{n++}", Type = "page_view", Time = at, CustomerId = id, Channel = woman ? "xiaohongshu" : "jd" });
            var order = new OrderRow { OrderId = $"o{n++}", CustomerId = id, Status = "paid", PlacedAt = at, PaidAt = at, Channel = "tmall" };
            order.Lines.Add(new OrderLineRow { Sku = woman ? "lipstick" : "rice", Quantity = 1, UnitPrice = woman ? 30_000 : 8_000 });
            Assert.True(session.WriteOrder(order, createMissingProducts: false).IsSuccess);
        }
        await session.CommitAsync(10, 0, CancellationToken.None);
        return (await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None), await ProfileTable.LoadAsync(store, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Run_SharesAgainstTheBaseAndHighlights(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var (index, profiles) = await StoreAsync(store);
        var persona = PersonaEngine.Run(index, profiles, "test", new HashSet<string> { "f0", "f1", "f2", "f3" }, AsOf).Value;

        Assert.Equal((4L, 10L), (persona.Customers, persona.BaseCustomers));
        Assert.Equal(30_000, persona.Aov);
        Assert.Equal((6 * 30_000 + 4 * 8_000) / 10, persona.BaseAov);
        var gender = persona.Dimensions.Single(d => d.Code == "gender");
        var female = gender.Values.Single(v => v.Value == "female");
        Assert.Equal((4L, 1.0, 6L, 0.6), (female.Count, female.Share, female.BaseCount, female.BaseShare));
        Assert.Equal(1.0 / 0.6, female.Lift!.Value, 10);
        Assert.Equal(0, gender.Values.Single(v => v.Value == "male").Count);
        Assert.Equal("25-29", persona.Dimensions.Single(d => d.Code == "age_band").Values[0].Value);
        Assert.Equal("xiaohongshu", persona.Dimensions.Single(d => d.Code == "first_channel").Values[0].Value);
        Assert.Equal("美妆", persona.Dimensions.Single(d => d.Code == "preferred_category").Values[0].Value);
        Assert.Equal("200-500", persona.Dimensions.Single(d => d.Code == "price_band").Values[0].Value);
        Assert.Equal("21", persona.Dimensions.Single(d => d.Code == "peak_hour").Values[0].Value);

        // Every highlight is over-represented and common enough; the readable sentence carries the figures.
        Assert.NotEmpty(persona.Highlights);
        Assert.All(persona.Highlights, h => Assert.True(h.Value.Lift > 1 && h.Value.Share >= PersonaEngine.MinHighlightShare));
        Assert.Contains(persona.Highlights, h => h.Dimension.Code == "gender" && h.TextZh == "性别「女」占 100.0%，全体为 60.0%，是全体的 1.7 倍");
        Assert.Contains("\"text_en\":\"Gender \\\"female\\\": 100.0% of the segment vs 60.0% of all customers (1.7x)\"", PersonaJson.Write(persona));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Run_EmptyOrUnknownMembers_IsAClearError(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var (index, profiles) = await StoreAsync(store);
        Assert.Equal("segment", PersonaEngine.Run(index, profiles, "x", new HashSet<string>(), AsOf).Error?.Path);
        Assert.Contains("none of", PersonaEngine.Run(index, profiles, "x", new HashSet<string> { "ghost" }, AsOf).Error?.Message);
        Assert.Equal("not_found", CustomerSets.Resolve(index, "vip", AsOf).Error?.Code);
        Assert.Equal(10, CustomerSets.Resolve(index, "all", AsOf).Value.Count);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ResolveAsync_ASavedAudienceComesFirst(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var (index, profiles) = await StoreAsync(store);
        var name = Flywheel.Analytics.Storage.AudienceName.Parse("abandoned_cart").Value;
        var saved = await Flywheel.Analytics.Storage.AudienceStore.SaveAsync(store,
            new Flywheel.Analytics.Storage.AudienceHeader(name, "加购未付款", "funnel_dropoff", "{}", 0), ["m1", "m2"],
            Flywheel.Analytics.Storage.AudienceSaveMode.Replace, CancellationToken.None);
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        var members = await CustomerSets.ResolveAsync(store, index, "abandoned_cart", AsOf, CancellationToken.None);
        Assert.Equal(["m1", "m2"], members.Value.Order(StringComparer.Ordinal));
        var persona = PersonaEngine.Run(index, profiles, "abandoned_cart", members.Value, AsOf).Value;
        Assert.Equal(1.0, persona.Dimensions.Single(d => d.Code == "gender").Values.Single(v => v.Value == "male").Share);
        Assert.Equal("not_found", (await CustomerSets.ResolveAsync(store, index, "nobody_saved_this", AsOf, CancellationToken.None)).Error?.Code);
    }

    [Theory]
    [InlineData("2008-07-01", "<18")]
    [InlineData("2008-06-30", "18-24")]
    [InlineData("1976-06-30", "50+")]
    [InlineData("1976-07-01", "40-49")]
    [InlineData("2027-01-01", "unknown")]
    public void AgeBand_CountsBirthdays(string birth, string band) =>
        Assert.Equal(band, PersonaEngine.AgeBand(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), new DateOnly(2026, 6, 30)));
}
