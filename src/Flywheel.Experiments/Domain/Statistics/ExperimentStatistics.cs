using Flywheel.Primitives;

namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>
/// One analysis: the metric's kind, the arms (the first is control), the confidence level, optional expected weights for the SRM
/// check (equal when null), the sequential tuning N* and whether to apply CUPED when the arms carry a covariate.
/// </summary>
internal sealed record AnalysisRequest(MetricKind Metric, IReadOnlyList<ArmSummary> Arms, double Confidence = 0.95, IReadOnlyList<double>? Weights = null,
    double SequentialTuning = SequentialTest.DefaultTuning, bool UseCuped = true);

/// <summary>An arm as analysed: units, the estimate (after CUPED when applied) and its per-unit standard deviation (null when undefined).</summary>
internal sealed record ArmResult(string Variant, long Units, double? Mean, double? Sd, string? Reason = null);

/// <summary>
/// One variant against control: the absolute difference and relative lift with interval and p-value, the Bayesian verdict, the
/// sequential (always-valid) result on the absolute difference, the Holm-adjusted p-value and Bonferroni interval of the absolute
/// difference (equal to the raw ones with one variant) and the variance CUPED removed (null when not applied).
/// </summary>
internal sealed record VariantResult(string Variant, EffectEstimate Absolute, EffectEstimate Relative, BayesianEstimate Bayesian, SequentialEstimate Sequential,
    double? AdjustedPValue, double? AdjustedCiLow, double? AdjustedCiHigh, double? CupedVarianceReduction);

/// <summary>
/// The whole answer: the SRM p-value, one result per variant (control excluded), the SRM warning (p &lt; 0.001), the arms, and how it was computed
/// (confidence, metric, the multiple-comparison method, CUPED's θ or why CUPED was not applied).
/// </summary>
internal sealed record AnalysisResult(double? SrmPValue, IReadOnlyList<VariantResult> Results, bool SrmWarning, string Metric, double Confidence,
    IReadOnlyList<ArmResult> Arms, string? SrmReason, double? CupedTheta, string? CupedReason, string MultipleComparisons);

/// <summary>
/// The stats engine's entry point: checks the split (SRM), then compares each variant with control — frequentist
/// (<see cref="FrequentistTest"/>), Bayesian (<see cref="BayesianTest"/>), sequential (<see cref="SequentialTest"/>) — after CUPED
/// (<see cref="Cuped"/>) when the arms carry a pre-period covariate, and corrects for several variants
/// (<see cref="MultipleComparisons"/>). Pure: no I/O; never NaN or infinity (undefined numbers are null with a reason).
/// </summary>
internal static class ExperimentStatistics
{
    public static Result<AnalysisResult> Analyze(AnalysisRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Arms is not { Count: >= 2 }) return Error.Invalid("variants", "at least two arms: the first is control, the others are compared with it");
        if (!(request.Confidence is > 0 and < 1)) return Error.Invalid("confidence", "confidence is between 0 and 1 (exclusive), e.g. 0.95");
        if (!(request.SequentialTuning is >= 1 and <= 1e12)) return Error.Invalid("sequential_tuning", "the sequential tuning is a number of units, 1 or more");
        if (request.Weights is { } w && (w.Count != request.Arms.Count || w.Any(x => !(x >= 0 && double.IsFinite(x))) || !(w.Sum() > 0)))
            return Error.Invalid("weights", "one non-negative weight per arm, not all 0");
        for (var i = 0; i < request.Arms.Count; i++)
            if (request.Arms[i].Units < 0) return Error.Invalid($"variants[{i}].n", "the number of units is 0 or more");

        var kind = request.Metric;
        var confidence = request.Confidence;
        var srm = SampleRatioMismatch.Check(request.Arms.Select(a => a.Units).ToList(), request.Weights);
        var raw = request.Arms.Select(a => ArmEstimate.Of(a, kind)).ToList();
        var cuped = request.UseCuped ? Cuped.Adjust(request.Arms, kind) : new CupedAdjustment(null, null, "not asked for");
        var used = cuped.Arms is { } adjusted ? adjusted.Select(a => ((ArmEstimate?)a, (string?)null)).ToList() : raw;

        var control = request.Arms[0];
        var (c, whyControl) = used[0];
        var comparisons = request.Arms.Count - 1;
        var familyConfidence = MultipleComparisons.BonferroniConfidence(confidence, comparisons);
        var partial = new List<(VariantResult Result, EffectEstimate Widened)>();
        for (var i = 1; i < request.Arms.Count; i++)
        {
            var arm = request.Arms[i];
            var (v, whyVariant) = used[i];
            if (c is not { } a || v is not { } b)
            {
                var why = whyControl ?? whyVariant ?? "undefined";
                partial.Add((new VariantResult(arm.Variant, EffectEstimate.Undefined(why), EffectEstimate.Undefined(why),
                    kind == MetricKind.Binomial && cuped.Arms is null ? BayesianTest.Binomial(control, arm, confidence) : BayesianEstimate.Undefined(why),
                    SequentialEstimate.Undefined(why), null, null, null, null), EffectEstimate.Undefined(why)));
                continue;
            }
            var absolute = FrequentistTest.Absolute(a, b, kind, confidence);
            var relative = FrequentistTest.Relative(a, b, kind, confidence);
            var widened = comparisons > 1 ? FrequentistTest.Absolute(a, b, kind, familyConfidence) : absolute;
            var bayesian = kind == MetricKind.Binomial && cuped.Arms is null
                ? BayesianTest.Binomial(control, arm, confidence)
                : BayesianTest.Gaussian(a, b, confidence);
            var sequential = SequentialTest.At(b.Mean - a.Mean, a.VarianceOfMean + b.VarianceOfMean, a.Units + b.Units, confidence, request.SequentialTuning);
            double? reduction = cuped.Arms is not null && raw[0].Estimate is { } r0 && raw[i].Estimate is { } ri ? Cuped.VarianceReduction(r0, ri, a, b) : null;
            partial.Add((new VariantResult(arm.Variant, absolute, relative, bayesian, sequential, null, null, null, reduction), widened));
        }
        var holm = MultipleComparisons.Holm(partial.Select(x => x.Result.Absolute.PValue).ToList());
        var results = partial.Select((x, i) => x.Result with { AdjustedPValue = holm[i], AdjustedCiLow = x.Widened.CiLow, AdjustedCiHigh = x.Widened.CiHigh }).ToList();
        var arms = used.Select((e, i) => e.Item1 is { } est
            ? new ArmResult(est.Variant, est.Units, est.Mean, Math.Sqrt(est.UnitVariance))
            : new ArmResult(request.Arms[i].Variant, request.Arms[i].Units, null, null, e.Item2)).ToList();
        var method = comparisons > 1 ? $"holm p-values, bonferroni intervals at {familyConfidence:0.####} over {comparisons} comparisons" : "none (one comparison)";
        return new AnalysisResult(srm.PValue, results, srm.Warning, kind.ToString().ToLowerInvariant(), confidence, arms, srm.Reason, cuped.Theta, cuped.Reason, method);
    }
}
