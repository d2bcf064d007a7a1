using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>
/// The Bayesian verdict on a variant: the chance it beats control, its expected loss (risk: E[max(control − variant, 0)], what
/// choosing it costs on average in the metric's own unit when it is in fact worse), the control's expected loss (choosing control
/// when the variant is better), and the credible interval of the relative uplift. Numbers are null with a <see cref="Reason"/>
/// when undefined.
/// </summary>
internal sealed record BayesianEstimate(double? ChanceToWin, double? ExpectedLoss, double? CiLow, double? CiHigh, double? ControlExpectedLoss = null,
    string? Reason = null)
{
    public static BayesianEstimate Undefined(string reason) => new(null, null, null, null, null, reason);
}

/// <summary>
/// Bayesian A/B comparison in the manner of GrowthBook's stats engine (gbstats), checked against its published test vectors.
/// Binomial: each arm's rate has the posterior Beta(1 + c, 1 + n − c) (prior Beta(1, 1)). The relative uplift is log-normal: the
/// difference of the log rates has mean ψ(α_B) − ψ(α_B + β_B) − ψ(α_A) + ψ(α_A + β_A) and variance
/// ψ₁(α_A) − ψ₁(α_A + β_A) + ψ₁(α_B) − ψ₁(α_B + β_B) (the exact moments of ln p under a Beta: digamma ψ and trigamma ψ₁). That,
/// not the delta approximation Var ≈ var_A/m_A² + var_B/m_B² with mean ln(m_B/m_A), is what gives GrowthBook's 49/100 vs 51/100
/// chance to win 0.61052 (the delta approximation gives 0.61078; the exact P(p_B &gt; p_A) of the two Betas is 0.61077).
/// Gaussian (mean and ratio metrics, flat prior): each arm's mean is normal with the sample variance of the mean; the log uplift
/// has mean ln(m_B/m_A) and variance var_A/m_A² + var_B/m_B² (delta method; this is GrowthBook's Gaussian vector: chance
/// 0.92427). Chance to win = Φ(mean/sd) of the log uplift; the credible interval is exp(mean ± z·sd) − 1. When a Gaussian mean is
/// not positive the log is undefined: the chance then comes from the normal difference of the means and the interval from the
/// delta-method relative lift. Risk: binomial, the exact expected loss of the two Betas (GrowthBook's vector: 0.01912 and 0.03872);
/// Gaussian, for the normal difference d = B − A of the posterior means, E[max(−d, 0)] = σ·φ(μ/σ) − μ·Φ(−μ/σ).
/// </summary>
internal static class BayesianTest
{
    public static BayesianEstimate Binomial(ArmSummary control, ArmSummary variant, double confidence)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(variant);
        var (aA, bA) = Posterior(control);
        var (aB, bB) = Posterior(variant);
        var logMean = SpecialFunctions.DiGamma(aB) - SpecialFunctions.DiGamma(aB + bB) - SpecialFunctions.DiGamma(aA) + SpecialFunctions.DiGamma(aA + bA);
        var logVariance = Trigamma(aA) - Trigamma(aA + bA) + Trigamma(aB) - Trigamma(aB + bB);
        var (loss, controlLoss) = BetaRisk(aA, bA, aB, bB);
        var (chance, low, high) = LogNormal(logMean, logVariance, confidence);
        return Finite(new BayesianEstimate(chance, loss, low, high, controlLoss));
    }

    public static BayesianEstimate Gaussian(ArmEstimate control, ArmEstimate variant, double confidence)
    {
        var (loss, controlLoss) = Risk(variant.Mean - control.Mean, control.VarianceOfMean + variant.VarianceOfMean);
        if (control.Mean > 0 && variant.Mean > 0)
        {
            var logMean = Math.Log(variant.Mean) - Math.Log(control.Mean);
            var logVariance = control.VarianceOfMean / (control.Mean * control.Mean) + variant.VarianceOfMean / (variant.Mean * variant.Mean);
            var (chance, low, high) = LogNormal(logMean, logVariance, confidence);
            return Finite(new BayesianEstimate(chance, loss, low, high, controlLoss));
        }
        var difference = variant.Mean - control.Mean;
        var winChance = ChanceAbove(difference, control.VarianceOfMean + variant.VarianceOfMean);
        var relative = FrequentistTest.Relative(control, variant, MetricKind.Ratio, confidence);
        return Finite(new BayesianEstimate(winChance, loss, relative.CiLow, relative.CiHigh, controlLoss,
            relative.Reason is { } why ? why : "a mean is not positive: the interval is the delta-method relative lift, not log-normal"));
    }

    /// <summary>The Beta posterior of a binomial arm under the Beta(1, 1) prior.</summary>
    public static (double Alpha, double Beta) Posterior(ArmSummary arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        var n = Math.Max(0, arm.Units);
        var c = Math.Clamp(arm.Sum, 0, n);
        return (1 + c, 1 + n - c);
    }

    private static (double Mean, double Variance) BetaMoments(double a, double b) => (a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)));

    /// <summary>
    /// The exact expected losses of two Beta posteriors: (A − B)⁺ = ∫₀¹ 1{B &lt; t &lt; A} dt, so by independence
    /// E[(A − B)⁺] = ∫₀¹ F_B(t)·(1 − F_A(t)) dt, a smooth one-dimensional integral (Gauss–Legendre, 96 points, over the means ± 12
    /// standard deviations, outside which the integrand is below 1e-30; the normal approximation past 100,000 units). Returns (loss of choosing B, loss of keeping A).
    /// </summary>
    private static (double Variant, double Control) BetaRisk(double aA, double bA, double aB, double bB)
    {
        var (mA, vA) = BetaMoments(aA, bA);
        var (mB, vB) = BetaMoments(aB, bB);
        // Past 100,000 units a Beta is a normal to far more digits than a loss is read (and its incomplete beta function slow).
        if (aA + bA > 1e5 || aB + bB > 1e5) return Risk(mB - mA, vA + vB);
        var spread = 12 * Math.Sqrt(Math.Max(vA, vB));
        var low = Math.Max(0, Math.Min(mA, mB) - spread);
        var high = Math.Min(1, Math.Max(mA, mB) + spread);
        if (!(high > low)) return (0, 0);
        var variantLoss = Integrate.GaussLegendre(t => Beta.CDF(aB, bB, t) * (1 - Beta.CDF(aA, bA, t)) is var v && double.IsFinite(v) ? v : 0, low, high, 96);
        var controlLoss = Integrate.GaussLegendre(t => Beta.CDF(aA, bA, t) * (1 - Beta.CDF(aB, bB, t)) is var v && double.IsFinite(v) ? v : 0, low, high, 96);
        // Without the integral's rounding, controlLoss − variantLoss is exactly m_B − m_A.
        return (Math.Max(0, variantLoss), Math.Max(0, controlLoss));
    }

    private static (double? Chance, double? Low, double? High) LogNormal(double mean, double variance, double confidence)
    {
        var chance = ChanceAbove(mean, variance);
        var sd = Math.Sqrt(Math.Max(0, variance));
        var z = Normal.InvCDF(0, 1, 1 - (1 - confidence) / 2);
        return (chance, Math.Exp(mean - z * sd) - 1, Math.Exp(mean + z * sd) - 1);
    }

    /// <summary>P(X &gt; 0) for X ~ N(mean, variance); a point mass when the variance is 0 (½ at exactly 0).</summary>
    private static double ChanceAbove(double mean, double variance)
    {
        var sd = Math.Sqrt(Math.Max(0, variance));
        if (sd == 0) return mean > 0 ? 1 : mean < 0 ? 0 : 0.5;
        return Normal.CDF(0, 1, mean / sd);
    }

    /// <summary>(E[max(−d, 0)], E[max(d, 0)]) for d ~ N(mean, variance): the loss of choosing the variant, and of keeping control.</summary>
    private static (double Variant, double Control) Risk(double mean, double variance)
    {
        var sd = Math.Sqrt(Math.Max(0, variance));
        if (sd == 0) return (Math.Max(-mean, 0), Math.Max(mean, 0));
        var z = mean / sd;
        var variantLoss = sd * Normal.PDF(0, 1, z) - mean * Normal.CDF(0, 1, -z);
        return (Math.Max(0, variantLoss), Math.Max(0, variantLoss + mean));
    }

    /// <summary>
    /// The trigamma function ψ₁(x) for x &gt; 0 (MathNet has the digamma, not this): the recurrence ψ₁(x) = ψ₁(x + 1) + 1/x² up to
    /// x ≥ 10, then the asymptotic series 1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵) + 1/(42x⁷) − 1/(30x⁹) (Abramowitz &amp; Stegun 6.4.12),
    /// accurate to about 1e-15 there.
    /// </summary>
    public static double Trigamma(double x)
    {
        var result = 0.0;
        while (x < 10)
        {
            result += 1 / (x * x);
            x += 1;
        }
        var inv = 1 / x;
        var inv2 = inv * inv;
        return result + inv + inv2 / 2 + inv * inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 / 30)));
    }

    private static BayesianEstimate Finite(BayesianEstimate e)
    {
        static bool Ok(double? v) => v is null || double.IsFinite(v.Value);
        if (Ok(e.ChanceToWin) && Ok(e.ExpectedLoss) && Ok(e.ControlExpectedLoss) && Ok(e.CiLow) && Ok(e.CiHigh)) return e;
        return e with
        {
            ChanceToWin = Ok(e.ChanceToWin) ? e.ChanceToWin : null,
            ExpectedLoss = Ok(e.ExpectedLoss) ? e.ExpectedLoss : null,
            ControlExpectedLoss = Ok(e.ControlExpectedLoss) ? e.ControlExpectedLoss : null,
            CiLow = null,
            CiHigh = null,
            Reason = "the credible interval overflows: the uplift is too uncertain or too large to state",
        };
    }
}
