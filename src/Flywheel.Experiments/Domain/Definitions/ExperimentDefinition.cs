namespace Flywheel.Experiments.Domain.Definitions;

/// <summary>
/// What an experiment is: its variants (the first is the control every other variant is compared with; at most one is the
/// holdout that receives nothing), the share of units it takes (<see cref="Traffic"/>), who may enter (<see cref="Segment"/>, for
/// customer units), how long after a unit's exposure its metrics count (<see cref="WindowDays"/>), the confidence level of its
/// intervals and which metrics judge it. Built only by <see cref="DefinitionParser"/>, so every instance is valid.
/// </summary>
internal sealed record ExperimentDefinition(string Key, string Name, string? Hypothesis, string Unit, IReadOnlyList<VariantDefinition> Variants,
    double Traffic, string? Segment, int WindowDays, double Confidence, MetricSelection Metrics)
{
    /// <summary>The baseline: the first variant.</summary>
    public VariantDefinition Control => Variants[0];

    /// <summary>The variant that receives nothing, if there is one.</summary>
    public VariantDefinition? Holdout => Variants.FirstOrDefault(v => v.Holdout);

    /// <summary>The variant of that key, or null.</summary>
    public VariantDefinition? Variant(string key) => Variants.FirstOrDefault(v => v.Key == key);

    /// <summary>Sum of the variants' weights (at most 10 × 10 000, so an int).</summary>
    public int TotalWeight => Variants.Sum(v => v.Weight);
}

/// <summary>One arm: its key (unique in the experiment), a display name (the key when none was given), its weight and whether it is the holdout.</summary>
internal sealed record VariantDefinition(string Key, string Name, int Weight, bool Holdout);

/// <summary>
/// The metrics that judge an experiment, by name from <see cref="ExperimentCatalog.Metrics"/>: one primary (the decision), secondary ones
/// (reported), guardrails (must not get worse).
/// </summary>
internal sealed record MetricSelection(string Primary, IReadOnlyList<string> Secondary, IReadOnlyList<string> Guardrails);

/// <summary>The fixed vocabularies and bounds of a definition.</summary>
internal static class ExperimentCatalog
{
    public const string Customer = "customer", Anonymous = "anonymous";

    /// <summary>What a unit is: a customer id, or an anonymous (device / cookie) id.</summary>
    public static readonly IReadOnlyList<string> Units = [Customer, Anonymous];

    /// <summary>The metric names a definition may use; the metrics themselves live in the results part of the module.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["conversion", "revenue", "orders", "units", "aov", "refund_rate", "unsubscribe_rate", "discount"];

    public const int MinVariants = 2, MaxVariants = 10, MinWeight = 1, MaxWeight = 10_000, MaxKeyLength = 40, MaxExperimentKeyLength = 64;
    public const int MinWindowDays = 1, MaxWindowDays = 90, MaxNameLength = 200, MaxHypothesisLength = 4000, MaxSegmentLength = 128;
    public const double MinConfidence = 0.80, MaxConfidence = 0.999;

    /// <summary>Keys an experiment may not take: they are paths of their own under /v1/experiments.</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(["analyze", "sample-size"], StringComparer.Ordinal);

    /// <summary>Defaults of the optional fields.</summary>
    public const double DefaultTraffic = 1.0, DefaultConfidence = 0.95;
    public const int DefaultWindowDays = 14;
    public const string DefaultPrimary = "conversion";

    /// <summary>Whether <paramref name="key"/> is 1 to <paramref name="max"/> characters of a-z, 0-9, '_' and '-'.</summary>
    public static bool IsKey(string? key, int max) =>
        key is { Length: > 0 } && key.Length <= max && key.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-');
}
