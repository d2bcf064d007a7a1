using Flywheel.Promotions.Domain.Model;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flywheel.Primitives;

namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>One step of the stacking pipeline. Promotion steps apply every active promotion of their stage; coupon steps apply the chosen held coupons of that stage.</summary>
internal enum PipelineStep
{
    Item,
    StorePromotions,
    StoreCoupons,
    PlatformPromotions,
    PlatformCoupons,
    Shipping,
}

/// <summary>
/// The order in which a tenant's promotions and coupons stack. Each step sees the prices left by the steps before it. The
/// default mirrors Tmall/JD: item-level (限时折扣, member price) → store promotions (店铺满减) → store coupons → cross-store
/// and platform promotions (跨店满减) → platform coupons → shipping. A tenant may reorder the four middle steps (for example
/// coupons before 满减, so thresholds are checked on the price before 满减) or leave a step out (a store with no platform
/// promotions); <c>item</c> is always first and <c>shipping</c> always last. Stored in the setting <see cref="SettingKey"/>.
/// </summary>
internal sealed record PricingPipeline(IReadOnlyList<PipelineStep> Steps)
{
    public const string SettingKey = "promotions.pipeline";

    public static PricingPipeline Default { get; } = new([
        PipelineStep.Item, PipelineStep.StorePromotions, PipelineStep.StoreCoupons,
        PipelineStep.PlatformPromotions, PipelineStep.PlatformCoupons, PipelineStep.Shipping,
    ]);

    public bool IsDefault => Steps.SequenceEqual(Default.Steps);

    public static string Name(PipelineStep step) => step switch
    {
        PipelineStep.Item => "item",
        PipelineStep.StorePromotions => "store_promotions",
        PipelineStep.StoreCoupons => "store_coupons",
        PipelineStep.PlatformPromotions => "platform_promotions",
        PipelineStep.PlatformCoupons => "platform_coupons",
        _ => "shipping",
    };

    private static PipelineStep? Parse(string name) => name switch
    {
        "item" => PipelineStep.Item,
        "store_promotions" => PipelineStep.StorePromotions,
        "store_coupons" => PipelineStep.StoreCoupons,
        "platform_promotions" => PipelineStep.PlatformPromotions,
        "platform_coupons" => PipelineStep.PlatformCoupons,
        "shipping" => PipelineStep.Shipping,
        _ => null,
    };

    /// <summary>Checks the rules above; the error names the offending position.</summary>
    public static Result<PricingPipeline> Create(IReadOnlyList<PipelineStep> steps)
    {
        if (steps.Count == 0 || steps[0] != PipelineStep.Item) return Error.Invalid("steps[0]", "the pipeline starts with \"item\" (item-level prices come first)");
        if (steps[^1] != PipelineStep.Shipping) return Error.Invalid($"steps[{steps.Count - 1}]", "the pipeline ends with \"shipping\"");
        var seen = new HashSet<PipelineStep>();
        for (var i = 0; i < steps.Count; i++)
            if (!seen.Add(steps[i])) return Error.Invalid($"steps[{i}]", $"\"{Name(steps[i])}\" appears twice");
        return new PricingPipeline([.. steps]);
    }

    /// <summary>Parses <c>{"steps": ["item", "store_promotions", ...]}</c>.</summary>
    public static Result<PricingPipeline> ParseJson(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            return Error.Invalid("$", $"not valid JSON: {e.Message}");
        }
        if (node is not JsonObject o) return Error.Invalid("$", "a pipeline is an object: {\"steps\": [...]}");
        foreach (var (key, _) in o)
            if (key != "steps") return Error.Invalid("$." + key, "unknown field (a pipeline has only \"steps\")");
        if (o["steps"] is not JsonArray array) return Error.Invalid("$.steps", "steps is an array of step names");
        var steps = new List<PipelineStep>();
        for (var i = 0; i < array.Count; i++)
        {
            var name = array[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (name is null || Parse(name) is not { } step)
                return Error.Invalid($"$.steps[{i}]", "a step is one of item, store_promotions, store_coupons, platform_promotions, platform_coupons, shipping");
            steps.Add(step);
        }
        var created = Create(steps);
        return created.TryGetValue(out var pipeline, out var error) ? pipeline : Error.Invalid("$." + error.Path, error.Message);
    }

    public string ToJson() => new JsonObject { ["steps"] = new JsonArray([.. Steps.Select(s => (JsonNode)JsonValue.Create(Name(s)))]) }.ToJsonString();

    internal bool Has(PipelineStep step) => Steps.Contains(step);

    /// <summary>The name of the pipeline step a promotion needs when the pipeline lacks it; null when it is there.</summary>
    internal string? StageMissing(Promotion promotion)
    {
        if (promotion.Mechanic is FreeShipping) return null; // shipping is always the last step
        var step = promotion.Stage switch
        {
            Stage.Store => PipelineStep.StorePromotions,
            Stage.Platform => PipelineStep.PlatformPromotions,
            _ => PipelineStep.Item,
        };
        return Has(step) ? null : Name(step);
    }

}
