using MathNet.Numerics.Distributions;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>
/// What a sample-size question asks. <see cref="Baseline"/> is the control's conversion rate (binomial) or mean (mean; then
/// <see cref="Sd"/> its standard deviation per unit). <see cref="Mde"/> is the minimum detectable effect, relative to the baseline
/// (0.1 = +10 %) or absolute (<see cref="Relative"/> false: +0.01 = one percentage point). <see cref="Variants"/> counts all arms
/// including control. <see cref="DailyUnits"/>, when given, is the units entering the experiment per day across all arms.
/// </summary>
internal sealed record SampleSizeRequest(MetricKind Metric, double Baseline, double Mde, bool Relative = true, double? Sd = null, double Alpha = 0.05,
    double Power = 0.8, int Variants = 2, double? DailyUnits = null);

/// <summary>The answer: units per arm and in all, days at the daily traffic (null without it), and the per-comparison alpha used.</summary>
internal sealed record SampleSizeResult(long PerVariant, long Total, long? Days, double AbsoluteEffect, double ComparisonAlpha, double Power, string Formula);

/// <summary>
/// Units per arm to detect an absolute effect δ with a two-sided test at level α and the given power, comparing each variant with
/// control (α split Bonferroni-wise over the variants − 1 comparisons): n = (z₁₋α/2 + z_power)² · (σ₁² + σ₂²) / δ². Binomial:
/// σ₁² = p(1 − p), σ₂² = (p + δ)(1 − p − δ) at baseline p (unpooled, as the z-test this engine runs). Mean: σ₁ = σ₂ = sd.
/// For example 10 % → 12 % at α 0.05, power 0.8: 3,839 per arm; a mean with sd 1 and δ 0.5 (Cohen's d = 0.5): 63 per arm
/// (the normal approximation; the t-based tables give 64).
/// </summary>
internal static class SampleSize
{
    public const long MaxUnits = 1_000_000_000_000;

    public static Result<SampleSizeResult> Compute(SampleSizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(request.Alpha is > 0 and < 1)) return Error.Invalid("alpha", "alpha is between 0 and 1 (exclusive), e.g. 0.05");
        if (!(request.Power is > 0 and < 1)) return Error.Invalid("power", "power is between 0 and 1 (exclusive), e.g. 0.8");
        if (request.Variants is < 2 or > 100) return Error.Invalid("variants", "variants counts all arms including control: 2 to 100");
        if (!double.IsFinite(request.Mde) || request.Mde == 0) return Error.Invalid("mde", "the minimum detectable effect is a non-zero number");
        if (request.DailyUnits is { } daily && !(daily > 0 && double.IsFinite(daily))) return Error.Invalid("daily_traffic", "daily traffic is a positive number of units per day");
        double delta, varA, varB;
        var p = request.Baseline;
        if (request.Metric == MetricKind.Binomial)
        {
            if (!(p is > 0 and < 1)) return Error.Invalid("baseline", "the baseline conversion rate is between 0 and 1 (exclusive), e.g. 0.05");
            delta = request.Relative ? p * request.Mde : request.Mde;
            var q = p + delta;
            if (!(q is > 0 and < 1)) return Error.Invalid("mde", $"the baseline plus the effect ({q:0.####}) must stay a rate between 0 and 1");
            varA = p * (1 - p);
            varB = q * (1 - q);
        }
        else
        {
            if (!double.IsFinite(p) || Math.Abs(p) > 1e15) return Error.Invalid("baseline", "the baseline mean is a finite number");
            if (request.Sd is not { } sd || !(sd > 0) || sd > 1e15) return Error.Invalid("sd", "a mean metric needs its standard deviation per unit, a positive number");
            if (request.Relative && p == 0) return Error.Invalid("mde", "a relative effect needs a non-zero baseline mean; give an absolute effect");
            delta = request.Relative ? p * request.Mde : request.Mde;
            varA = varB = sd * sd;
        }
        var comparisons = request.Variants - 1;
        var alpha = request.Alpha / comparisons;
        var z = Normal.InvCDF(0, 1, 1 - alpha / 2) + Normal.InvCDF(0, 1, request.Power);
        var n = z * z * (varA + varB) / (delta * delta);
        if (!double.IsFinite(n) || n > MaxUnits) return Error.Invalid("mde", "the effect is too small to detect with any realistic number of units");
        var perVariant = Math.Max(2, (long)Math.Ceiling(n - 1e-9));
        var total = perVariant * request.Variants;
        long? days = request.DailyUnits is { } d ? (long)Math.Ceiling(total / d) : null;
        return new SampleSizeResult(perVariant, total, days, delta, alpha, request.Power,
            "n per arm = (z(1-alpha/2) + z(power))^2 * (var_control + var_variant) / delta^2; alpha split over the variants - 1 comparisons");
    }
}
