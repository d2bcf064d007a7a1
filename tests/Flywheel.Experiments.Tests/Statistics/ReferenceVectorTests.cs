using Flywheel.Experiments.Domain.Statistics;

namespace Flywheel.Experiments.Tests.Statistics;

/// <summary>
/// Published values the engine must reproduce: GrowthBook's stats engine (gbstats) test vectors, and values computed independently
/// with Python's standard library (statistics.NormalDist, math.erfc) from the textbook formulas, noted next to each.
/// </summary>
public sealed class ReferenceVectorTests
{
    private static ArmEstimate Estimate(ArmSummary arm, MetricKind kind) => ArmEstimate.Of(arm, kind).Estimate!.Value;

    [Fact]
    public void Welch_GrowthBookVector_Absolute029_Ci_And_P()
    {
        // GrowthBook (issue 16): control n 3407, mean 0.41, sd 3.9; variant n 3461, mean 0.70, sd 6.2.
        var control = ArmSummary.FromMeanSd("control", 3407, 0.41, 3.9);
        var variant = ArmSummary.FromMeanSd("b", 3461, 0.70, 6.2);
        var result = FrequentistTest.Absolute(Estimate(control, MetricKind.Mean), Estimate(variant, MetricKind.Mean), MetricKind.Mean, 0.95);
        Assert.Equal(0.29, result.Effect!.Value, 1e-9);
        Assert.Equal(0.04538, result.CiLow!.Value, 5e-6);
        Assert.Equal(0.53462, result.CiHigh!.Value, 5e-6);
        Assert.Equal(0.02016, result.PValue!.Value, 5e-6);

        // Through the entry point too.
        var analysis = ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Mean, [control, variant])).Value;
        Assert.Equal(0.02016, analysis.Results[0].Absolute.PValue!.Value, 5e-6);
    }

    [Fact]
    public void BayesianBinomial_GrowthBookVector_49vs51()
    {
        // gbstats test_bayesian_binomial_ab_test: chance_to_win 0.61052, ci [-0.21099, 0.37189], risk [0.03872, 0.01912].
        var result = BayesianTest.Binomial(ArmSummary.Binomial("a", 100, 49), ArmSummary.Binomial("b", 100, 51), 0.95);
        Assert.Equal(0.61052, result.ChanceToWin!.Value, 5e-6);
        Assert.Equal(-0.21099, result.CiLow!.Value, 5e-6);
        Assert.Equal(0.37189, result.CiHigh!.Value, 5e-6);
        Assert.Equal(0.03872, result.ControlExpectedLoss!.Value, 5e-6);
        Assert.Equal(0.01912, result.ExpectedLoss!.Value, 5e-6);
    }

    [Fact]
    public void BayesianGaussian_GrowthBookVector()
    {
        // gbstats test_bayesian_gaussian_ab_test: sum 100, sum of squares 1002.25, n 10 vs 105, 1111.5, 10:
        // chance_to_win 0.92427, ci [-0.01772, 0.12239], risk [0.51256, 0.01256].
        var a = Estimate(new ArmSummary("a", 10, 100, 1002.25), MetricKind.Mean);
        var b = Estimate(new ArmSummary("b", 10, 105, 1111.5), MetricKind.Mean);
        var result = BayesianTest.Gaussian(a, b, 0.95);
        Assert.Equal(0.92427, result.ChanceToWin!.Value, 5e-6);
        Assert.Equal(-0.01772, result.CiLow!.Value, 5e-6);
        Assert.Equal(0.12239, result.CiHigh!.Value, 5e-6);
        Assert.Equal(0.51256, result.ControlExpectedLoss!.Value, 5e-6);
        Assert.Equal(0.01256, result.ExpectedLoss!.Value, 5e-6);
    }

    [Fact]
    public void Sequential_GrowthBookVector_AsymptoticConfidenceSequence()
    {
        // gbstats TestSequentialTTest.test_sequential_test_runs (tuning 1000): relative lift 0.50336, sd 0.33341,
        // confidence sequence [-0.55844, 1.56516].
        var a = Estimate(new ArmSummary("a", 3000, 1396.87, 52377.9767), MetricKind.Mean);
        var b = Estimate(new ArmSummary("b", 3461, 2422.7, 134698.29), MetricKind.Mean);
        var relative = FrequentistTest.Relative(a, b, MetricKind.Mean, 0.95);
        Assert.Equal(0.50336, relative.Effect!.Value, 5e-6);
        Assert.Equal(0.33341, relative.StandardError!.Value, 5e-6);
        var sequential = SequentialTest.At(relative.Effect.Value, relative.StandardError.Value * relative.StandardError.Value, 6461, 0.95, 1000);
        Assert.Equal(-0.55844, sequential.CiLow!.Value, 5e-6);
        Assert.Equal(1.56516, sequential.CiHigh!.Value, 5e-6);
        Assert.True(sequential.PValue > 0.05); // the sequence holds 0
    }

    [Fact]
    public void TwoProportionZ_200vs240_Of1000()
    {
        // Python: se = sqrt(.2*.8/1000 + .24*.76/1000) = 0.0185041; z = 2.16169; p = 2*NormalDist().cdf(-z) = 0.0306422;
        // 95 % CI 0.04 ± 1.959964*se = [0.0037327, 0.0762673].
        var result = FrequentistTest.Absolute(Estimate(ArmSummary.Binomial("a", 1000, 200), MetricKind.Binomial),
            Estimate(ArmSummary.Binomial("b", 1000, 240), MetricKind.Binomial), MetricKind.Binomial, 0.95);
        Assert.Equal(0.04, result.Effect!.Value, 1e-12);
        Assert.Equal(0.0306422, result.PValue!.Value, 1e-6);
        Assert.Equal(0.0037327, result.CiLow!.Value, 1e-6);
        Assert.Equal(0.0762673, result.CiHigh!.Value, 1e-6);
    }

    [Fact]
    public void Srm_ChiSquare_MatchesClosedForms()
    {
        // df 1: p = erfc(sqrt(χ²/2)); 5000 vs 5200: χ² = 3.92157, p = 0.0476704. df 2: p = exp(−χ²/2); 1000/1050/950: χ² = 5, p = 0.0820850.
        var two = SampleRatioMismatch.Check([5000, 5200]);
        Assert.Equal(3.9215686, two.ChiSquare!.Value, 1e-6);
        Assert.Equal(0.0476704, two.PValue!.Value, 1e-6);
        Assert.False(two.Warning);
        var three = SampleRatioMismatch.Check([1000, 1050, 950]);
        Assert.Equal(0.0820850, three.PValue!.Value, 1e-6);
        // 50/50 design, 5000 vs 5400: χ² = 15.38, p ≈ 8.8e-5 < 0.001 → warning; with weights 0.48/0.52 the same counts fit.
        Assert.True(SampleRatioMismatch.Check([5000, 5400]).Warning);
        Assert.False(SampleRatioMismatch.Check([5000, 5400], [0.48, 0.52]).Warning);
    }

    [Fact]
    public void SampleSize_TextbookValues()
    {
        // (z.975 + z.8)² = 7.84888; 10 % → 12 %: 7.84888 · (0.09 + 0.1056) / 0.0004 = 3838.1 → 3839 per arm.
        var binomial = SampleSize.Compute(new SampleSizeRequest(MetricKind.Binomial, 0.10, 0.20, DailyUnits: 1000)).Value;
        Assert.Equal(3839, binomial.PerVariant);
        Assert.Equal(7678, binomial.Total);
        Assert.Equal(8, binomial.Days);
        Assert.Equal(3839, SampleSize.Compute(new SampleSizeRequest(MetricKind.Binomial, 0.10, 0.02, Relative: false)).Value.PerVariant);
        // Cohen's d = 0.5: 2 · 7.84888 / 0.25 = 62.79 → 63 per arm (normal approximation; t tables say 64).
        Assert.Equal(63, SampleSize.Compute(new SampleSizeRequest(MetricKind.Mean, 10, 0.5, Relative: false, Sd: 1)).Value.PerVariant);
        // Three arms: alpha 0.025 per comparison needs more.
        Assert.True(SampleSize.Compute(new SampleSizeRequest(MetricKind.Binomial, 0.10, 0.20, Variants: 3)).Value.PerVariant > 3839);
    }

    [Fact]
    public void Trigamma_KnownValues()
    {
        Assert.Equal(Math.PI * Math.PI / 6, BayesianTest.Trigamma(1), 1e-12); // ψ₁(1) = π²/6
        Assert.Equal(Math.PI * Math.PI / 2, BayesianTest.Trigamma(0.5), 1e-11); // ψ₁(½) = π²/2
    }

    [Fact]
    public void Holm_TextbookExample()
    {
        // p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.06, 0.04·1) = 0.06.
        var adjusted = MultipleComparisons.Holm([0.01, 0.04, 0.03]);
        Assert.Equal(0.03, adjusted[0]!.Value, 1e-12);
        Assert.Equal(0.06, adjusted[1]!.Value, 1e-12);
        Assert.Equal(0.06, adjusted[2]!.Value, 1e-12);
        Assert.Equal(0.975, MultipleComparisons.BonferroniConfidence(0.95, 2), 1e-12);
    }

    [Fact]
    public void RatioMetric_DeltaMethod_MatchesHandComputation()
    {
        // Units with (revenue, orders): 4 units per arm. Control: (10,1) (20,2) (0,1) (30,2): R = 60/6 = 10.
        // Per-unit: m = 15, d = 1.5, var_num = 166.667, var_den = 0.333, cov = 6.667 →
        // Var(R) = (166.667/2.25 − 2·15·6.667/3.375 + 225·0.333/5.0625)/4 = (74.074 − 59.259 + 14.815)/4 = 7.4074.
        var arm = new ArmSummary("a", 4, 60, 100 + 400 + 0 + 900, 6, 1 + 4 + 1 + 4, 10 + 40 + 0 + 60);
        var (estimate, reason) = ArmEstimate.Of(arm, MetricKind.Ratio);
        Assert.Null(reason);
        Assert.Equal(10, estimate!.Value.Mean, 1e-12);
        Assert.Equal(7.4074074, estimate.Value.VarianceOfMean, 1e-6);
    }
}
