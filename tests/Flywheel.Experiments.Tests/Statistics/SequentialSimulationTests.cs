using Flywheel.Experiments.Domain.Statistics;

namespace Flywheel.Experiments.Tests.Statistics;

/// <summary>
/// A/A experiments (no true effect) peeked at daily for 20 days: the sequential test keeps its false-positive rate at or under α,
/// while the fixed-horizon test stopped at the first p &lt; α does not. Fixed seed, so the figures are the same on every run.
/// </summary>
public sealed class SequentialSimulationTests
{
    private const int Simulations = 2000;
    private const int Days = 20;
    private const int UnitsPerArmPerDay = 100;
    private const double Rate = 0.2;

    [Fact]
    public void PeekingDaily_AA_SequentialStaysUnderAlpha_FixedHorizonDoesNot()
    {
        var random = new Random(20261207);
        int sequentialFalse = 0, fixedFalse = 0;
        for (var s = 0; s < Simulations; s++)
        {
            long nA = 0, cA = 0, nB = 0, cB = 0;
            var looks = new List<(ArmSummary, ArmSummary)>(Days);
            var fixedRejected = false;
            for (var day = 0; day < Days; day++)
            {
                for (var u = 0; u < UnitsPerArmPerDay; u++)
                {
                    if (random.NextDouble() < Rate) cA++;
                    if (random.NextDouble() < Rate) cB++;
                }
                nA += UnitsPerArmPerDay;
                nB += UnitsPerArmPerDay;
                var a = ArmSummary.Binomial("a", nA, cA);
                var b = ArmSummary.Binomial("b", nB, cB);
                looks.Add((a, b));
                var p = FrequentistTest.Absolute(ArmEstimate.Of(a, MetricKind.Binomial).Estimate!.Value, ArmEstimate.Of(b, MetricKind.Binomial).Estimate!.Value,
                    MetricKind.Binomial, 0.95).PValue;
                fixedRejected |= p < 0.05;
            }
            if (fixedRejected) fixedFalse++;
            var path = SequentialTest.OverLooks(looks, MetricKind.Binomial);
            if (path.FirstSignificantLook is not null) sequentialFalse++;
            Assert.Equal(path.FirstSignificantLook is not null, path.Looks[^1].Significant); // significance, once reached, stays
        }
        var sequentialRate = (double)sequentialFalse / Simulations;
        var fixedRate = (double)fixedFalse / Simulations;
        Assert.True(sequentialRate <= 0.05, $"sequential false-positive rate {sequentialRate:0.0000}");
        Assert.True(fixedRate > 2 * 0.05, $"fixed-horizon peeked false-positive rate {fixedRate:0.0000}");
    }

    [Fact]
    public void ARealEffect_BecomesSignificant_OnADay_AndStays()
    {
        var looks = new List<(ArmSummary, ArmSummary)>();
        for (var day = 1; day <= 20; day++)
            looks.Add((ArmSummary.Binomial("a", 500L * day, 50L * day), ArmSummary.Binomial("b", 500L * day, 65L * day)));
        var path = SequentialTest.OverLooks(looks, MetricKind.Binomial);
        Assert.NotNull(path.FirstSignificantLook);
        var first = path.FirstSignificantLook!.Value;
        Assert.True(first > 0, "one day of 500 units per arm is not enough");
        Assert.All(path.Looks.Skip(first), l => Assert.True(l.Significant));
        Assert.All(path.Looks.Take(first), l => Assert.False(l.Significant));
        // Always-valid p-values never rise; the intervals only shrink.
        for (var i = 1; i < path.Looks.Count; i++)
        {
            Assert.True(path.Looks[i].PValue <= path.Looks[i - 1].PValue);
            Assert.True(path.Looks[i].CiHigh - path.Looks[i].CiLow <= path.Looks[i - 1].CiHigh - path.Looks[i - 1].CiLow + 1e-15);
        }
    }
}
