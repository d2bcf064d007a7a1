using System.Text.Json;
using Flywheel.Experiments.Domain.Statistics;

namespace Flywheel.Experiments.Tests.Statistics;

/// <summary>Inputs at the edges give defined answers (numbers or null with a reason), never NaN or infinity.</summary>
public sealed class DegenerateInputTests
{
    private static AnalysisResult Analyze(MetricKind kind, params ArmSummary[] arms)
    {
        var result = ExperimentStatistics.Analyze(new AnalysisRequest(kind, arms)).Value;
        _ = JsonSerializer.Serialize(result); // throws on NaN or infinity
        return result;
    }

    [Fact]
    public void ZeroConversions_Everywhere_GiveNoEffect_PValueOne_AndAnEvenChance()
    {
        var r = Analyze(MetricKind.Binomial, ArmSummary.Binomial("a", 1000, 0), ArmSummary.Binomial("b", 1000, 0)).Results[0];
        Assert.Equal(0, r.Absolute.Effect);
        Assert.Equal(1, r.Absolute.PValue);
        Assert.Null(r.Relative.Effect);
        Assert.Contains("control", r.Relative.Reason);
        Assert.Equal(0.5, r.Bayesian.ChanceToWin!.Value, 1e-12);
        Assert.Equal(1, r.Sequential.PValue);
    }

    [Fact]
    public void ControlWithoutConversions_VariantWith_IsAnAbsoluteEffect_AndNoRelativeOne()
    {
        var r = Analyze(MetricKind.Binomial, ArmSummary.Binomial("a", 1000, 0), ArmSummary.Binomial("b", 1000, 10)).Results[0];
        Assert.Equal(0.01, r.Absolute.Effect!.Value, 1e-12);
        Assert.InRange(r.Absolute.PValue!.Value, 0, 0.05);
        Assert.Null(r.Relative.PValue);
        Assert.True(r.Bayesian.ChanceToWin > 0.95); // the Beta(1, 1) prior keeps the log uplift defined
    }

    [Fact]
    public void IdenticalArms_AreNoEffect()
    {
        foreach (var (kind, a) in new[] { (MetricKind.Binomial, ArmSummary.Binomial("a", 500, 50)), (MetricKind.Mean, ArmSummary.FromMeanSd("a", 500, 3, 2)) })
        {
            var r = Analyze(kind, a, a with { Variant = "b" }).Results[0];
            Assert.Equal(0, r.Absolute.Effect!.Value, 1e-12);
            Assert.Equal(1, r.Absolute.PValue!.Value, 1e-9);
            Assert.Equal(0, r.Relative.Effect!.Value, 1e-12);
            Assert.Equal(0.5, r.Bayesian.ChanceToWin!.Value, 1e-9);
        }
    }

    [Fact]
    public void ZeroVariance_IdenticalMeans_PValueOne_DifferentMeans_PValueZero()
    {
        var same = Analyze(MetricKind.Mean, ArmSummary.FromMeanSd("a", 100, 5, 0), ArmSummary.FromMeanSd("b", 100, 5, 0)).Results[0];
        Assert.Equal(1, same.Absolute.PValue);
        Assert.Equal(0, same.Absolute.CiLow);
        var different = Analyze(MetricKind.Mean, ArmSummary.FromMeanSd("a", 100, 5, 0), ArmSummary.FromMeanSd("b", 100, 6, 0)).Results[0];
        Assert.Equal(0, different.Absolute.PValue);
        Assert.Equal(1, different.Bayesian.ChanceToWin);
        Assert.Equal(0, different.Bayesian.ExpectedLoss);
    }

    [Fact]
    public void OneUnit_OrNone_IsUndefinedWithAReason_ForMeans()
    {
        var one = Analyze(MetricKind.Mean, ArmSummary.FromMeanSd("a", 1, 5, 0), ArmSummary.FromMeanSd("b", 100, 6, 1)).Results[0];
        Assert.Null(one.Absolute.PValue);
        Assert.Contains("1 unit", one.Absolute.Reason);
        var none = Analyze(MetricKind.Mean, ArmSummary.FromMeanSd("a", 0, 0, 0), ArmSummary.FromMeanSd("b", 0, 0, 0));
        Assert.Null(none.Results[0].Absolute.Effect);
        Assert.Null(none.SrmPValue);
        Assert.NotNull(none.SrmReason);
        // Binomial with no units: the frequentist numbers are undefined, the Bayesian prior still answers (even chance).
        var binomial = Analyze(MetricKind.Binomial, ArmSummary.Binomial("a", 0, 0), ArmSummary.Binomial("b", 0, 0)).Results[0];
        Assert.Null(binomial.Absolute.PValue);
        Assert.Equal(0.5, binomial.Bayesian.ChanceToWin!.Value, 1e-12);
        // A binomial arm of 1 unit has a variance (p(1 − p)).
        Assert.NotNull(Analyze(MetricKind.Binomial, ArmSummary.Binomial("a", 1, 1), ArmSummary.Binomial("b", 1, 0)).Results[0].Absolute.PValue);
    }

    [Fact]
    public void ControlMeanZero_RelativeIsNull_AbsoluteIsDefined()
    {
        var r = Analyze(MetricKind.Mean, ArmSummary.FromMeanSd("a", 100, 0, 1), ArmSummary.FromMeanSd("b", 100, 0.5, 1)).Results[0];
        Assert.NotNull(r.Absolute.PValue);
        Assert.Null(r.Relative.Effect);
        Assert.NotNull(r.Relative.Reason);
        Assert.NotNull(r.Bayesian.ChanceToWin);
        Assert.Null(r.Bayesian.CiLow);
    }

    [Fact]
    public void HugeNumbers_AreNullWithAReason_NotInfinity()
    {
        var r = Analyze(MetricKind.Mean, ArmSummary.FromMeanSd("a", 1_000_000, 1e300, 1e300), ArmSummary.FromMeanSd("b", 1_000_000, -1e300, 1e300)).Results[0];
        Assert.Null(r.Absolute.PValue);
        Assert.NotNull(r.Absolute.Reason);
    }

    [Fact]
    public void RatioWithZeroDenominator_IsUndefined()
    {
        var r = Analyze(MetricKind.Ratio, new ArmSummary("a", 10, 100, 2000), new ArmSummary("b", 10, 100, 2000, 10, 10, 100)).Results[0];
        Assert.Null(r.Absolute.Effect);
        Assert.Contains("denominator", r.Absolute.Reason);
    }

    [Fact]
    public void Cuped_WithACorrelatedCovariate_ShrinksTheVariance_AndKeepsTheEffect()
    {
        // y = x + noise; the covariate x explains most of y's variance.
        var random = new Random(7);
        ArmSummary Arm(string name, double lift)
        {
            double s = 0, ss = 0, xs = 0, xss = 0, xy = 0;
            for (var i = 0; i < 2000; i++)
            {
                var x = 100 + 20 * Gaussian(random);
                var y = x + lift + 5 * Gaussian(random);
                s += y; ss += y * y; xs += x; xss += x * x; xy += x * y;
            }
            return new ArmSummary(name, 2000, s, ss, CovariateSum: xs, CovariateSumSquares: xss, CovariateCrossSum: xy);
        }
        var result = Analyze(MetricKind.Mean, Arm("a", 0), Arm("b", 1));
        var r = result.Results[0];
        Assert.InRange(result.CupedTheta!.Value, 0.9, 1.1);
        Assert.InRange(r.CupedVarianceReduction!.Value, 0.9, 0.97); // ρ² = 400/425 ≈ 0.94
        Assert.InRange(r.Absolute.Effect!.Value, 0.5, 1.5);
        Assert.True(r.Absolute.PValue < 0.01);
        var without = ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Mean, [Arm("a", 0), Arm("b", 1)], UseCuped: false)).Value;
        Assert.Null(without.Results[0].CupedVarianceReduction);
    }

    [Fact]
    public void SeveralVariants_AreEachComparedWithControl_WithHolmAndBonferroni()
    {
        var result = Analyze(MetricKind.Binomial, ArmSummary.Binomial("control", 1000, 200), ArmSummary.Binomial("b", 1000, 240), ArmSummary.Binomial("c", 1000, 205));
        Assert.Equal(["b", "c"], result.Results.Select(r => r.Variant));
        foreach (var r in result.Results)
        {
            Assert.True(r.AdjustedPValue >= r.Absolute.PValue);
            Assert.True(r.AdjustedCiLow < r.Absolute.CiLow && r.AdjustedCiHigh > r.Absolute.CiHigh);
        }
        Assert.Equal(Math.Min(1, 2 * result.Results[0].Absolute.PValue!.Value), result.Results[0].AdjustedPValue!.Value, 1e-12);
        Assert.Contains("holm", result.MultipleComparisons);
    }

    [Fact]
    public void BadRequests_AreErrorsNamingTheField()
    {
        Assert.Equal("variants", ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Binomial, [ArmSummary.Binomial("a", 1, 1)])).Error!.Path);
        Assert.Equal("confidence", ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Binomial,
            [ArmSummary.Binomial("a", 1, 1), ArmSummary.Binomial("b", 1, 1)], 1.5)).Error!.Path);
        Assert.Equal("variants[1].n", ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Binomial,
            [ArmSummary.Binomial("a", 1, 1), ArmSummary.Binomial("b", -1, 0)])).Error!.Path);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
