namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>
/// What every test works on: an arm's estimate of the metric (<see cref="Mean"/>: a rate, a mean or a ratio), the per-unit
/// variance behind it (<see cref="UnitVariance"/>, so the estimate's own variance is <see cref="VarianceOfMean"/> = unit variance / n)
/// and the units. Built from an <see cref="ArmSummary"/> by <see cref="Of"/>, or adjusted by <see cref="Cuped"/>.
/// </summary>
internal readonly record struct ArmEstimate(string Variant, long Units, double Mean, double UnitVariance)
{
    /// <summary>The variance of the estimate itself: unit variance / n (0 without units).</summary>
    public double VarianceOfMean => Units > 0 ? UnitVariance / Units : 0;

    /// <summary>
    /// The estimate of a metric in an arm, or why there is none: no units; fewer than 2 units for a mean or ratio (no sample
    /// variance); a ratio whose denominator sums to 0. Binomial: rate c/n with variance p(1 − p) (the two-proportion z-test's).
    /// Mean: Σx/n with the sample variance (n − 1). Ratio: Σnum/Σden with the delta method on per-unit moments,
    /// Var(R) ≈ (var_num/d² − 2·m·cov/d³ + m²·var_den/d⁴) / n where m, d are the per-unit means of numerator and denominator.
    /// </summary>
    public static (ArmEstimate? Estimate, string? Reason) Of(ArmSummary arm, MetricKind kind)
    {
        ArgumentNullException.ThrowIfNull(arm);
        if (arm.Units <= 0) return (null, $"arm '{arm.Variant}' has no units");
        if (kind == MetricKind.Binomial)
        {
            var p = Math.Clamp(arm.Mean, 0, 1);
            return (new ArmEstimate(arm.Variant, arm.Units, p, p * (1 - p)), null);
        }
        if (arm.Units < 2) return (null, $"arm '{arm.Variant}' has 1 unit: a variance needs at least 2");
        if (kind == MetricKind.Mean) return Finite(new ArmEstimate(arm.Variant, arm.Units, arm.Mean, arm.SampleVariance));

        if (arm.DenominatorSum == 0) return (null, $"arm '{arm.Variant}': the ratio's denominator sums to 0");
        double n = arm.Units;
        var m = arm.Sum / n;
        var d = arm.DenominatorSum / n;
        var varNum = arm.SampleVariance;
        var varDen = Math.Max(0, (arm.DenominatorSumSquares - arm.DenominatorSum * arm.DenominatorSum / n) / (n - 1));
        var cov = (arm.CrossSum - arm.Sum * arm.DenominatorSum / n) / (n - 1);
        var unitVariance = varNum / (d * d) - 2 * m * cov / (d * d * d) + m * m * varDen / (d * d * d * d);
        return Finite(new ArmEstimate(arm.Variant, arm.Units, arm.Sum / arm.DenominatorSum, Math.Max(0, unitVariance)));
    }

    private static (ArmEstimate?, string?) Finite(ArmEstimate e) =>
        double.IsFinite(e.Mean) && double.IsFinite(e.UnitVariance) ? (e, null) : (null, $"arm '{e.Variant}': the numbers are too large to compare");
}
