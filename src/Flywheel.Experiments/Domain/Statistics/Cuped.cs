namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>The arms adjusted by CUPED, θ, or why not adjusted (then <see cref="Arms"/> is null).</summary>
internal sealed record CupedAdjustment(IReadOnlyList<ArmEstimate>? Arms, double? Theta, string? Reason = null);

/// <summary>
/// CUPED (Deng et al. 2013): the metric Y is adjusted by a pre-period covariate X (the same metric before the experiment),
/// Y' = Y − θ(X − X̄), with θ = cov(Y, X) / var(X) pooled within arms (Σ over arms of the centred cross products over Σ of the
/// centred squares of X), X̄ the covariate's mean over all arms. Each arm's adjusted mean is Ȳ − θ(X̄_arm − X̄) and its adjusted
/// per-unit variance (S_yy − 2θ·S_xy + θ²·S_xx)/(n − 1) (clamped at 0). Randomization makes E[X̄_arm − X̄] = 0, so the effect stays
/// unbiased while its variance shrinks by about ρ² (ρ the correlation of X and Y): <see cref="VarianceReduction"/> reports
/// 1 − Var(adjusted difference) / Var(raw difference). For binomial and mean metrics; every arm needs the covariate and 2 units.
/// </summary>
internal static class Cuped
{
    public static CupedAdjustment Adjust(IReadOnlyList<ArmSummary> arms, MetricKind kind)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (kind == MetricKind.Ratio) return new CupedAdjustment(null, null, "CUPED applies to binomial and mean metrics");
        if (!arms.Any(a => a.HasCovariate)) return new CupedAdjustment(null, null, "no pre-period covariate");
        if (arms.Any(a => !a.HasCovariate)) return new CupedAdjustment(null, null, "an arm has no pre-period covariate");
        if (arms.Any(a => a.Units < 2)) return new CupedAdjustment(null, null, "an arm has fewer than 2 units");
        double sxy = 0, sxx = 0, covariateSum = 0, units = 0;
        foreach (var a in arms)
        {
            double n = a.Units;
            sxy += a.CovariateCrossSum - a.Sum * a.CovariateSum / n;
            sxx += Math.Max(0, a.CovariateSumSquares - a.CovariateSum * a.CovariateSum / n);
            covariateSum += a.CovariateSum;
            units += n;
        }
        if (!(sxx > 0) || !double.IsFinite(sxx) || !double.IsFinite(sxy)) return new CupedAdjustment(null, null, "the covariate does not vary");
        var theta = sxy / sxx;
        var overall = covariateSum / units;
        var adjusted = new List<ArmEstimate>(arms.Count);
        foreach (var a in arms)
        {
            double n = a.Units;
            var ySs = Math.Max(0, a.SumSquares - a.Sum * a.Sum / n);
            var xSs = Math.Max(0, a.CovariateSumSquares - a.CovariateSum * a.CovariateSum / n);
            var xy = a.CovariateCrossSum - a.Sum * a.CovariateSum / n;
            var mean = a.Sum / n - theta * (a.CovariateSum / n - overall);
            var variance = Math.Max(0, (ySs - 2 * theta * xy + theta * theta * xSs) / (n - 1));
            if (!double.IsFinite(mean) || !double.IsFinite(variance)) return new CupedAdjustment(null, null, "the numbers are too large to adjust");
            adjusted.Add(new ArmEstimate(a.Variant, a.Units, mean, variance));
        }
        return new CupedAdjustment(adjusted, theta);
    }

    /// <summary>1 − Var(adjusted difference) / Var(raw difference); null when the raw difference has no variance.</summary>
    public static double? VarianceReduction(ArmEstimate rawControl, ArmEstimate rawVariant, ArmEstimate control, ArmEstimate variant)
    {
        var raw = rawControl.VarianceOfMean + rawVariant.VarianceOfMean;
        if (!(raw > 0)) return null;
        var reduction = 1 - (control.VarianceOfMean + variant.VarianceOfMean) / raw;
        return double.IsFinite(reduction) ? reduction : null;
    }
}
