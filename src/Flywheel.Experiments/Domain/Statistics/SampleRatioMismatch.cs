using MathNet.Numerics;

namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>The sample-ratio-mismatch check: the p-value (null with a reason when there is nothing to test) and whether to warn.</summary>
internal sealed record SrmCheck(double? PValue, bool Warning, double? ChiSquare, string? Reason = null);

/// <summary>
/// Sample-ratio mismatch: Pearson's chi-square goodness of fit of the units assigned to each arm against the expected weights,
/// χ² = Σ (observed − expected)² / expected with k − 1 degrees of freedom, p = Q((k − 1)/2, χ²/2) (the upper regularized gamma).
/// A split that far from its design (p &lt; 0.001, the threshold GrowthBook and Optimizely use) means assignment or logging is
/// broken and the effects cannot be trusted. Units in an arm of weight 0 give p = 0.
/// </summary>
internal static class SampleRatioMismatch
{
    public const double WarningThreshold = 0.001;

    public static SrmCheck Check(IReadOnlyList<long> units, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (units.Count < 2) return new SrmCheck(null, false, null, "one arm only");
        if (weights is not null && weights.Count != units.Count) throw new ArgumentException("one weight per arm", nameof(weights));
        double total = 0;
        foreach (var u in units) total += Math.Max(0, u);
        if (total == 0) return new SrmCheck(null, false, null, "no units assigned yet");
        var weightSum = weights?.Sum() ?? units.Count;
        if (!(weightSum > 0) || !double.IsFinite(weightSum)) return new SrmCheck(null, false, null, "the weights do not sum to a positive number");
        var chi = 0.0;
        for (var i = 0; i < units.Count; i++)
        {
            var share = (weights?[i] ?? 1) / weightSum;
            var observed = (double)Math.Max(0, units[i]);
            if (share <= 0)
            {
                if (observed > 0) return new SrmCheck(0, true, null, $"arm {i} has units but weight 0");
                continue;
            }
            var expected = total * share;
            chi += (observed - expected) * (observed - expected) / expected;
        }
        var p = chi <= 0 ? 1 : SpecialFunctions.GammaUpperRegularized((units.Count - 1) / 2.0, chi / 2);
        p = double.IsFinite(p) ? Math.Clamp(p, 0, 1) : 0;
        return new SrmCheck(p, p < WarningThreshold, chi);
    }
}
