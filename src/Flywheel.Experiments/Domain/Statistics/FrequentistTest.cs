using MathNet.Numerics.Distributions;

namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>
/// An effect with its confidence interval and two-sided p-value, or why it is undefined (<see cref="Reason"/>, the numbers then
/// null). <see cref="StandardError"/> is the estimate's standard error.
/// </summary>
internal sealed record EffectEstimate(double? Effect, double? CiLow, double? CiHigh, double? PValue, double? StandardError = null, string? Reason = null)
{
    public static EffectEstimate Undefined(string reason) => new(null, null, null, null, null, reason);
}

/// <summary>
/// Fixed-horizon tests of variant against control. Binomial metrics: the two-proportion z-test with the unpooled standard error
/// √(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂), the same error for the interval and the p-value so that "the interval excludes 0" and
/// "p &lt; α" always agree. Mean and ratio metrics: Welch's t-test (Welch–Satterthwaite degrees of freedom; ratio metrics use the
/// normal, their variance being asymptotic). The relative lift (variant − control) / control uses the delta method,
/// Var ≈ Var(m₂)/m₁² + m₂²·Var(m₁)/m₁⁴, with the same reference distribution. A zero standard error gives p = 1 and the interval
/// [0, 0] when the effect is 0, p = 0 and the interval [effect, effect] otherwise.
/// </summary>
internal static class FrequentistTest
{
    public static EffectEstimate Absolute(ArmEstimate control, ArmEstimate variant, MetricKind kind, double confidence)
    {
        var effect = variant.Mean - control.Mean;
        var variance = control.VarianceOfMean + variant.VarianceOfMean;
        return Test(effect, variance, DegreesOfFreedom(control, variant, kind), confidence);
    }

    public static EffectEstimate Relative(ArmEstimate control, ArmEstimate variant, MetricKind kind, double confidence)
    {
        if (control.Mean == 0) return EffectEstimate.Undefined("the control's mean is 0: a relative lift is undefined");
        var c = control.Mean;
        var effect = variant.Mean / c - 1;
        var variance = variant.VarianceOfMean / (c * c) + variant.Mean * variant.Mean * control.VarianceOfMean / (c * c * c * c);
        return Test(effect, variance, DegreesOfFreedom(control, variant, kind), confidence);
    }

    /// <summary>Welch–Satterthwaite degrees of freedom for a mean metric; null (the normal) for binomial and ratio metrics.</summary>
    public static double? DegreesOfFreedom(ArmEstimate control, ArmEstimate variant, MetricKind kind)
    {
        if (kind != MetricKind.Mean) return null;
        var a = control.VarianceOfMean;
        var b = variant.VarianceOfMean;
        if (a + b <= 0 || control.Units < 2 || variant.Units < 2) return null;
        var df = (a + b) * (a + b) / (a * a / (control.Units - 1) + b * b / (variant.Units - 1));
        return double.IsFinite(df) && df > 0 ? df : null;
    }

    /// <summary>The interval and p-value of an estimate with the given variance (t with <paramref name="df"/>, or the normal).</summary>
    public static EffectEstimate Test(double effect, double variance, double? df, double confidence)
    {
        if (!double.IsFinite(effect) || !double.IsFinite(variance)) return EffectEstimate.Undefined("the numbers are too large to compare");
        var se = Math.Sqrt(Math.Max(0, variance));
        if (se == 0)
            return effect == 0 ? new EffectEstimate(0, 0, 0, 1, 0) : new EffectEstimate(effect, effect, effect, 0, 0);
        df = Usable(df);
        var critical = Critical(confidence, df);
        var statistic = Math.Abs(effect) / se;
        var p = df is { } d ? 2 * StudentT.CDF(0, 1, d, -statistic) : 2 * Normal.CDF(0, 1, -statistic);
        return new EffectEstimate(effect, effect - critical * se, effect + critical * se, Math.Clamp(p, 0, 1), se);
    }

    /// <summary>The two-sided critical value of <paramref name="confidence"/>: the t quantile with <paramref name="df"/>, or the normal's.</summary>
    public static double Critical(double confidence, double? df)
    {
        var q = 1 - (1 - confidence) / 2;
        return Usable(df) is { } d ? StudentT.InvCDF(0, 1, d, q) : Normal.InvCDF(0, 1, q);
    }

    // Past a million degrees of freedom the t is the normal to 7 digits, and the normal's quantile needs no root finding.
    private static double? Usable(double? df) => df is { } d && d < 1e6 ? d : null;
}
