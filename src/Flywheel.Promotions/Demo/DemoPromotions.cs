using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;

namespace Flywheel.Promotions.Demo;

/// <summary>
/// The promotions a demo store runs (<c>flywheel demo</c>), so pricing a cart on it shows discounts: the flagship store's
/// tiered 满减, the baby store's 2件9折 and 满99包邮. Scoped to the demo catalogue's stores (flagship, baby_store); open-ended.
/// </summary>
internal static class DemoPromotions
{
    public static readonly IReadOnlyList<string> Definitions =
    [
        """
        {"id":"flagship-tiers","name":"旗舰店 满200减20/满400减50","stage":"store","scope":{"stores":["flagship"]},
         "mechanic":{"type":"tiered","tiers":[{"threshold":20000,"amount_off":2000},{"threshold":40000,"amount_off":5000}]},"status":"active"}
        """,
        """
        {"id":"baby-2-90","name":"母婴 2件9折","stage":"store","scope":{"stores":["baby_store"]},
         "mechanic":{"type":"quantity_percent","tiers":[{"quantity":2,"percent_off":10}]},"status":"active"}
        """,
        """
        {"id":"free-ship-99","name":"满99包邮","stage":"shipping","mechanic":{"type":"free_shipping","threshold":9900},"status":"active"}
        """,
    ];

    /// <summary>Saves the demo promotions (replacing earlier ones of the same ids); the first refusal, if any.</summary>
    public static async Task<Result<int>> AddAsync(FlywheelStore store, CancellationToken ct)
    {
        using var catalog = new PromotionCatalog(store);
        foreach (var json in Definitions)
        {
            if (!PromotionJson.ParsePromotion(json).TryGetValue(out var promotion, out var invalid)) return invalid;
            var saved = await catalog.SaveAsync(promotion, ct);
            if (!saved.IsSuccess) return saved.Error!;
        }
        return Definitions.Count;
    }
}
