using Flywheel.Analytics.Contracts;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Features.Assign;
using Flywheel.Experiments.Storage;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Experiments.Demo;

/// <summary>
/// The demo store's experiment: 双11预热短信文案 (d11_sms_copy), two texts of the SMS broadcast 双11 预热短信 that the demo runs in its
/// past — a: early-bird prices (the broadcast's own text), b: a time-limited coupon — with 10% of the customers held out, judged on
/// conversion with revenue, orders and AOV beside it and refund and unsubscribe rates as guardrails. Created and started at the
/// broadcast's planning time on the demo's clock, so the broadcast's assignments are its exposures and the demo's orders its outcomes.
/// </summary>
internal static class DemoExperiment
{
    public const string Key = "d11_sms_copy";

    /// <summary>The demo experiment's salt (fixed, so a demo is reproducible).</summary>
    public const string Salt = "flywheel-demo-d11_sms_copy";

    public const string Definition = """
        {"key": "d11_sms_copy", "name": "双11预热短信文案",
         "hypothesis": "限时券文案（b）比早鸟价文案（a）带来更多下单；两者都比不发（对照组）带来增量。(A time-limited coupon text (b) converts better than the early-bird text (a); both beat sending nothing.)",
         "unit": "customer",
         "variants": [{"key": "holdout", "name": "对照组（不发送）", "weight": 10, "holdout": true},
                      {"key": "a", "name": "早鸟价文案", "weight": 45},
                      {"key": "b", "name": "限时券文案", "weight": 45}],
         "window_days": 14, "confidence": 0.95,
         "metrics": {"primary": "conversion", "secondary": ["revenue", "orders", "aov"], "guardrails": ["refund_rate", "unsubscribe_rate"]}}
        """;

    /// <summary>Creates and starts the experiment at <paramref name="clock"/>'s now; the assignments it returns record exposures at that clock's time.</summary>
    public static async Task<Result<ExperimentAssignments>> StartAsync(FlywheelStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!DefinitionParser.Parse(Definition).TryGetValue(out var definition, out var invalid)) return invalid;
        var experiments = new ExperimentStore(store);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // A fixed salt: the same demo store assigns the same customers to the same texts on every run (as a holdout_percent hash did).
        var created = await experiments.CreateAsync(definition, now, ct, Salt);
        if (!created.IsSuccess) return created.Error!;
        var started = await experiments.StartAsync(Key, now, ct);
        if (!started.IsSuccess) return started.Error!;
        return new ExperimentAssignments(experiments, new SegmentTargeting(store, new EventIndexHost(store), clock), clock);
    }
}
