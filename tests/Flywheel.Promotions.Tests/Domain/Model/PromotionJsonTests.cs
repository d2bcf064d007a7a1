using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Tests.Domain.Model;

public class PromotionJsonTests
{
    [Fact]
    public void ParsePromotion_SnakeCase_WithMechanicType()
    {
        var json = """
            {"id": "d11-cross", "name": "双11 跨店每满300减50", "stage": "platform",
             "mechanic": {"type": "repeating_threshold", "step": 30000, "amount_off": 5000, "cap": 100000},
             "funding": {"platform_percent": 60}, "valid_from": "2026-11-10T20:00:00+08:00", "valid_to": "2026-11-12T00:00:00+08:00"}
            """;
        var p = PromotionJson.ParsePromotion(json).Value;
        Assert.Equal(new RepeatingThresholdOff(30000, 5000, 100000), p.Mechanic);
        Assert.Equal(60, p.Funding!.PlatformPercent);
        var again = PromotionJson.ParsePromotion(PromotionJson.Write(p)).Value;
        Assert.Equal(PromotionJson.Write(p), PromotionJson.Write(again));
        Assert.Contains("\"type\":\"repeating_threshold\"", PromotionJson.Write(p));
    }

    [Theory]
    [InlineData("""{"id":"x","name":"x","stage":"store","mechanic":{"type":"tiered","tiers":[{"threshold":20000,"amount_off":2000},{"threshold":10000,"amount_off":5000}]}}""", "mechanic.tiers[1]")]
    [InlineData("""{"id":"x","name":"x","stage":"store","mechanic":{"type":"free_shipping","threshold":9900}}""", "stage")]
    [InlineData("""{"id":"x","name":"x","stage":"item","mechanic":{"type":"direct","percent_off":10,"amount_off":100}}""", "mechanic")]
    [InlineData("""{"id":"x","name":"x","stage":"item","mechanic":{"type":"presale","deposit":5000,"value":5000}}""", "mechanic.value")]
    [InlineData("""{"id":"x","name":"x","stage":"store","mechanic":{"type":"threshold","threshold":"300"}}""", "mechanic.threshold")]
    [InlineData("""{"id":"x","name":"x","stage":"store","mechanic":{"type":"nope"}}""", "mechanic")]
    [InlineData("""{"id":"x","name":"x","stage":"store","mechanic":{"type":"threshold","threshold":100,"amount_off":10},"colour":"red"}""", "colour")]
    public void ParsePromotion_Invalid_NamesThePath(string json, string path)
    {
        var error = PromotionJson.ParsePromotion(json).Error!;
        Assert.StartsWith(path, error.Path);
    }

    [Fact]
    public void Conflicts_OneSidedStackableWith_AndStackingFlashPrices()
    {
        var a = new Promotion("a", "a", new FlashPrice(100), Stage.Item, StackableWith: ["b"]);
        var b = new Promotion("b", "b", new FlashPrice(90), Stage.Item, StackableWith: ["c"]);
        var errors = PromotionValidator.Conflicts([a, b]);
        Assert.Contains(errors, e => e.Path == "[0].stackable_with");
        var c = new Promotion("c", "c", new FlashPrice(100), Stage.Item);
        var d = new Promotion("d", "d", new FlashPrice(90), Stage.Item);
        Assert.Contains(PromotionValidator.Conflicts([c, d]), e => e.Path == "[0].exclusivity_group");
        Assert.DoesNotContain(PromotionValidator.Conflicts([c, d with { ExclusivityGroup = "flash" }, c with { Id = "e", ExclusivityGroup = "flash", Priority = 1 }]),
            e => e.Message.Contains("'d'") && e.Message.Contains("'e'"));
    }
}
