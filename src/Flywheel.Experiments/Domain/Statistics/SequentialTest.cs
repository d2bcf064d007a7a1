namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>An always-valid p-value and confidence sequence at one look, or why there is none.</summary>
internal sealed record SequentialEstimate(double? PValue, double? CiLow, double? CiHigh, string? Reason = null)
{
    public static SequentialEstimate Undefined(string reason) => new(null, null, null, reason);
}

/// <summary>One look of a sequential test: the estimate then, the always-valid p-value and interval so far, and whether it is significant.</summary>
internal sealed record SequentialLook(int Look, double? Effect, double? PValue, double? CiLow, double? CiHigh, bool Significant, string? Reason = null);

/// <summary>Every look's sequential result and the first look (0-based) at which it became significant, null if none.</summary>
internal sealed record SequentialPath(IReadOnlyList<SequentialLook> Looks, int? FirstSignificantLook);

/// <summary>
/// Sequential testing that stays valid however often one peeks: the mixture sequential probability ratio test (mSPRT, Johari et
/// al. 2017) with a normal mixture over the effect, and its confidence sequence, which is Howard et al.'s (2021) asymptotic
/// confidence sequence as GrowthBook computes it. For an estimate θ̂ with variance V after N units in all (both arms), write
/// σ² = V·N (the per-unit variance scale) and mixing variance τ² = ρ²·σ². The likelihood ratio against θ = 0 is
/// Λ = √(V/(V+τ²))·exp(τ²θ̂²/(2V(V+τ²))), and 1/Λ is an always-valid p-value (by Ville's inequality); the running minimum over
/// looks keeps it so. Inverting Λ &lt; 1/α gives the sequence θ̂ ± √(V(V+τ²)/τ² · (2·ln(1/α) + ln((V+τ²)/V))), which with τ² = ρ²σ²
/// is σ·√(2(Nρ²+1)/(N²ρ²)·ln(√(Nρ²+1)/α)), Howard's formula; running intersection over looks. Because p ≤ α exactly when the
/// sequence excludes 0, the two never disagree.
/// Mixing variance: ρ is chosen, as in GrowthBook, so the sequence is narrowest when N reaches a tuning number N* of units,
/// ρ² = (−2·ln α + ln(−2·ln α + 1)) / N*; N* defaults to 5000 (GrowthBook's default). A larger N* suits longer experiments
/// (narrower late, wider early); any choice keeps the error guarantee.
/// </summary>
internal static class SequentialTest
{
    /// <summary>GrowthBook's default tuning: the total units at which the confidence sequence is narrowest.</summary>
    public const double DefaultTuning = 5000;

    /// <summary>The sequential result of one look at an estimate <paramref name="effect"/> with variance <paramref name="variance"/> after <paramref name="units"/> units.</summary>
    public static SequentialEstimate At(double effect, double variance, long units, double confidence, double tuning = DefaultTuning)
    {
        if (!double.IsFinite(effect) || !double.IsFinite(variance)) return SequentialEstimate.Undefined("the numbers are too large to compare");
        if (units <= 0) return SequentialEstimate.Undefined("no units");
        var alpha = 1 - confidence;
        var v = Math.Max(0, variance);
        if (v == 0) return effect == 0 ? new SequentialEstimate(1, 0, 0) : new SequentialEstimate(0, effect, effect);
        var rho2 = Rho2(alpha, tuning);
        var nRho2 = units * rho2; // τ²/V
        var halfWidth = Math.Sqrt(v * (1 + nRho2) / nRho2 * (2 * Math.Log(1 / alpha) + Math.Log(1 + nRho2)));
        // ln Λ = −½·ln(1 + τ²/V) + (τ²/V)/(1 + τ²/V) · z²/2
        var z2 = effect * effect / v;
        var logLambda = -0.5 * Math.Log(1 + nRho2) + nRho2 / (1 + nRho2) * z2 / 2;
        var p = logLambda <= 0 ? 1 : Math.Exp(-logLambda);
        return new SequentialEstimate(Math.Clamp(p, 0, 1), effect - halfWidth, effect + halfWidth);
    }

    /// <summary>ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*: the mixture that makes the sequence narrowest at N* units.</summary>
    public static double Rho2(double alpha, double tuning)
    {
        var l = -2 * Math.Log(alpha);
        return (l + Math.Log(l + 1)) / tuning;
    }

    /// <summary>
    /// The absolute difference (variant − control) judged at each look (cumulative arms, e.g. one per day), with the running minimum
    /// p-value and running intersection of intervals, and the first look where p ≤ α (the day the result became valid). A look whose
    /// estimate is undefined carries the running values unchanged and its reason.
    /// </summary>
    public static SequentialPath OverLooks(IReadOnlyList<(ArmSummary Control, ArmSummary Variant)> looks, MetricKind kind, double confidence = 0.95,
        double tuning = DefaultTuning)
    {
        ArgumentNullException.ThrowIfNull(looks);
        var alpha = 1 - confidence;
        var result = new List<SequentialLook>(looks.Count);
        double? p = null, low = null, high = null;
        int? first = null;
        for (var i = 0; i < looks.Count; i++)
        {
            var (control, variant) = looks[i];
            var (c, whyC) = ArmEstimate.Of(control, kind);
            var (v, whyV) = ArmEstimate.Of(variant, kind);
            if (c is not { } a || v is not { } b)
            {
                result.Add(new SequentialLook(i, null, p, low, high, p <= alpha, whyC ?? whyV));
                continue;
            }
            var effect = b.Mean - a.Mean;
            var at = At(effect, a.VarianceOfMean + b.VarianceOfMean, a.Units + b.Units, confidence, tuning);
            if (at.PValue is not { } pNow)
            {
                result.Add(new SequentialLook(i, effect, p, low, high, p <= alpha, at.Reason));
                continue;
            }
            p = p is { } before ? Math.Min(before, pNow) : pNow;
            var lo = low is { } l ? Math.Max(l, at.CiLow!.Value) : at.CiLow!.Value;
            var hi = high is { } h ? Math.Min(h, at.CiHigh!.Value) : at.CiHigh!.Value;
            // Intervals from different looks can fail to overlap by chance (probability ≤ α over the whole run); then the newest stands.
            (low, high) = lo <= hi ? (lo, hi) : (at.CiLow, at.CiHigh);
            var significant = p <= alpha;
            if (significant && first is null) first = i;
            result.Add(new SequentialLook(i, effect, p, low, high, significant));
        }
        return new SequentialPath(result, first);
    }
}
