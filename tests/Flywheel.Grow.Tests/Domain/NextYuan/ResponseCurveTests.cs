using Flywheel.Grow.Domain.NextYuan;

namespace Flywheel.Grow.Tests.Domain.NextYuan;

public sealed class ResponseCurveTests
{
    /// <summary>Weeks of GMV = a·spend^b with log-normal noise of <paramref name="noise"/>, spend spread between lo and hi.</summary>
    internal static List<(long Spend, long Gmv)> Synthetic(int seed, int weeks, double a, double b, double noise, long lo = 100_000, long hi = 400_000)
    {
        var random = new Random(seed);
        var list = new List<(long, long)>();
        for (var w = 0; w < weeks; w++)
        {
            var spend = lo + (long)(random.NextDouble() * (hi - lo));
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            list.Add((spend, (long)Math.Round(a * Math.Pow(spend, b) * Math.Exp(noise * gaussian))));
        }
        return list;
    }

    [Theory]
    [InlineData(1, 0.6, 0.05)]
    [InlineData(2, 0.3, 0.05)]
    [InlineData(3, 0.9, 0.10)]
    [InlineData(4, 0.5, 0.00)]
    public void Fit_RecoversAKnownCurveFromSyntheticWeeks(int seed, double b, double noise)
    {
        const double a = 40.0;
        var curve = ResponseCurve.Fit(Synthetic(seed, 52, a, b, noise));
        Assert.NotNull(curve);
        Assert.InRange(curve.Elasticity, b - 0.08, b + 0.08);
        // The fitted curve gives back the true GMV and marginal ROI in the middle of the data within a few percent.
        const double spend = 250_000;
        Assert.InRange(curve.Gmv(spend) / (a * Math.Pow(spend, b)), 0.95, 1.05);
        Assert.InRange(curve.MarginalRoi(spend) / (a * b * Math.Pow(spend, b - 1)), 0.85, 1.15);
        var (estimate, low, high) = curve.MarginalRoiInterval(spend);
        Assert.True(low <= estimate && estimate <= high);
        Assert.InRange(a * b * Math.Pow(spend, b - 1), low * 0.98, high * 1.02);
    }

    [Fact]
    public void Fit_WithoutNoise_IsExact_AndTheIntervalCollapses()
    {
        var curve = ResponseCurve.Fit([(100, 1_000), (400, 2_000), (1_600, 4_000), (6_400, 8_000)])!;
        Assert.Equal(0.5, curve.Elasticity, 6);
        Assert.Equal(1.0, curve.RSquared, 6);
        var (estimate, low, high) = curve.MarginalRoiInterval(400);
        Assert.Equal(2.5, estimate, 4); // 0.5 · 2000 / 400
        Assert.Equal(estimate, low, 4);
        Assert.Equal(estimate, high, 4);
    }

    [Fact]
    public void Fit_AllEqualSpend_HasNoCurve_AndTheAdviceCannotTell()
    {
        long[] spend = [50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000];
        long[] gmv = [300_000, 320_000, 280_000, 310_000, 305_000, 290_000, 330_000, 270_000, 300_000, 315_000];
        Assert.Null(ResponseCurve.Fit([.. spend.Zip(gmv)]));
        var advice = NextYuanAdvisor.Advise([new ChannelWeeks("tmall", spend, gmv)], budget: 80_000);
        var channel = Assert.Single(advice.Channels);
        Assert.Equal(Verdict.CannotTell, channel.Verdict);
        Assert.Contains("hardly varied", channel.Reason, StringComparison.Ordinal);
        Assert.Equal(50_000, channel.SuggestedSpend); // kept at its spend
        Assert.Null(channel.MarginalRoi);
    }

    [Fact]
    public void Fit_NeedsThreeWeeksWithSpendAndGmv() =>
        Assert.Null(ResponseCurve.Fit([(100, 1_000), (0, 2_000), (1_600, 0), (6_400, 8_000)]));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 2)]
    [InlineData(30, 2.042)]
    [InlineData(31, 2.040)]
    [InlineData(100, 1.984)]
    [InlineData(10_000, 1.960)]
    public void StudentT_Quantile975(int df, double expected)
    {
        var table = new Dictionary<int, double> { [1] = 12.706, [2] = 4.303, [5] = 2.571 };
        Assert.InRange(StudentT.Quantile975(df), table.GetValueOrDefault(df, expected) - 0.001, table.GetValueOrDefault(df, expected) + 0.001);
    }
}
