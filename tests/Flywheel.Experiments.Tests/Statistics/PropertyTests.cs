using System.Text.Json;
using CsCheck;
using Flywheel.Experiments.Domain.Statistics;

namespace Flywheel.Experiments.Tests.Statistics;

/// <summary>Properties over generated arms (CsCheck shrinks a failing case to a small one).</summary>
public sealed class PropertyTests
{
    private static readonly Gen<ArmSummary> BinomialArm =
        Gen.Long[0, 100_000].SelectMany(n => Gen.Long[0, n].Select(c => ArmSummary.Binomial("x", n, c)));

    private static readonly Gen<ArmSummary> MeanArm =
        Gen.Select(Gen.Long[0, 100_000], Gen.Double[-1e6, 1e6], Gen.Double[0, 1e6]).Select((n, mean, sd) => ArmSummary.FromMeanSd("x", n, mean, sd));

    private static IEnumerable<(MetricKind Kind, Gen<ArmSummary> Arm)> Kinds => [(MetricKind.Binomial, BinomialArm), (MetricKind.Mean, MeanArm)];

    private static readonly JsonSerializerOptions Strict = new(); // throws on NaN and infinity

    [Fact]
    public void PValues_AreProbabilities_AndIntervalsHoldTheEffect()
    {
        foreach (var (kind, arm) in Kinds)
            Gen.Select(arm, arm, Gen.Double[0.5, 0.999]).Sample((a, b, confidence) =>
            {
                var result = ExperimentStatistics.Analyze(new AnalysisRequest(kind, [a with { Variant = "a" }, b with { Variant = "b" }], confidence)).Value;
                var r = result.Results[0];
                foreach (var e in new[] { r.Absolute, r.Relative })
                {
                    if (e.PValue is { } p) Assert.InRange(p, 0, 1);
                    if (e.Effect is { } effect) Assert.InRange(effect, e.CiLow!.Value, e.CiHigh!.Value);
                }
                if (r.Sequential.PValue is { } sp) Assert.InRange(sp, 0, 1);
                if (r.Bayesian.ChanceToWin is { } ctw) Assert.InRange(ctw, 0, 1);
                if (result.SrmPValue is { } srm) Assert.InRange(srm, 0, 1);
                _ = JsonSerializer.Serialize(result, Strict); // no NaN, no infinity anywhere
            }, iter: 1500);
    }

    [Fact]
    public void SwappingArms_FlipsTheAbsoluteEffect_AndKeepsP()
    {
        foreach (var (kind, arm) in Kinds)
            Gen.Select(arm, arm).Sample((a, b) =>
            {
                var (ea, _) = ArmEstimate.Of(a, kind);
                var (eb, _) = ArmEstimate.Of(b, kind);
                if (ea is not { } x || eb is not { } y) return;
                var forward = FrequentistTest.Absolute(x, y, kind, 0.95);
                var backward = FrequentistTest.Absolute(y, x, kind, 0.95);
                Assert.Equal(forward.Effect!.Value, -backward.Effect!.Value, 1e-9);
                Assert.Equal(forward.PValue!.Value, backward.PValue!.Value, 1e-9);
            }, iter: 3000);
    }

    [Fact]
    public void ChanceToWin_OfAvsB_PlusBvsA_IsOne()
    {
        Gen.Select(BinomialArm, BinomialArm).Sample((a, b) =>
        {
            var forward = BayesianTest.Binomial(a, b, 0.95).ChanceToWin!.Value;
            var backward = BayesianTest.Binomial(b, a, 0.95).ChanceToWin!.Value;
            Assert.Equal(1, forward + backward, 1e-9);
        }, iter: 800);
        Gen.Select(MeanArm, MeanArm).Sample((a, b) =>
        {
            var (ea, _) = ArmEstimate.Of(a, MetricKind.Mean);
            var (eb, _) = ArmEstimate.Of(b, MetricKind.Mean);
            if (ea is not { } x || eb is not { } y) return;
            var forward = BayesianTest.Gaussian(x, y, 0.95).ChanceToWin!.Value;
            var backward = BayesianTest.Gaussian(y, x, 0.95).ChanceToWin!.Value;
            Assert.Equal(1, forward + backward, 1e-9);
        }, iter: 3000);
    }

    [Fact]
    public void SequentialP_IsBelowAlpha_ExactlyWhenTheSequenceExcludesZero()
    {
        Gen.Select(Gen.Double[-10, 10], Gen.Double[1e-6, 10], Gen.Long[2, 1_000_000]).Sample((effect, variance, units) =>
        {
            var s = SequentialTest.At(effect, variance, units, 0.95);
            var excludes = s.CiLow > 0 || s.CiHigh < 0;
            // Away from the boundary (rounding), the p-value and the sequence agree.
            if (Math.Abs(s.PValue!.Value - 0.05) > 1e-9) Assert.Equal(s.PValue < 0.05, excludes);
            Assert.InRange(effect, s.CiLow!.Value, s.CiHigh!.Value);
        }, iter: 3000);
    }

    [Fact]
    public void Holm_IsMonotone_AndNeverBelowRaw()
    {
        Gen.Double[0, 1].Array[1, 8].Sample(ps =>
        {
            var adjusted = MultipleComparisons.Holm(ps.Select(p => (double?)p).ToList());
            for (var i = 0; i < ps.Length; i++)
            {
                Assert.InRange(adjusted[i]!.Value, ps[i], 1);
                for (var j = 0; j < ps.Length; j++)
                    if (ps[i] < ps[j]) Assert.True(adjusted[i] <= adjusted[j]);
            }
        }, iter: 2000);
    }
}
