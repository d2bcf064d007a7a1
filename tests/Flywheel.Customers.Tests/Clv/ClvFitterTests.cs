using Flywheel.Customers.Clv;

namespace Flywheel.Customers.Tests.Clv;

public class ClvFitterTests
{
    /// <summary>
    /// Customers drawn from the models themselves: λ ~ Gamma(r, α), p ~ Beta(a, b), purchases at rate λ after a first
    /// purchase at a whole day within the last 26..78 weeks, drop-out with probability p after each repeat purchase; each
    /// repeat purchase worth Gamma(p_s, ν) with ν ~ Gamma(q, γ). Times in whole days, as the store measures them.
    /// </summary>
    internal static List<CustomerSummary> Simulate(int customers, int seed, BgNbdModel m, GammaGammaModel s)
    {
        var random = new Random(seed);
        var list = new List<CustomerSummary>(customers);
        for (var i = 0; i < customers; i++)
        {
            var days = random.Next(26 * 7, 78 * 7 + 1);
            var T = days / 7.0;
            var lambda = Gamma(random, m.R) / m.Alpha;
            var g1 = Gamma(random, m.A);
            var p = g1 / (g1 + Gamma(random, m.B));
            var nu = Gamma(random, s.Q) / s.Gamma;
            int x = 0, lastDay = 0;
            var t = 0.0;
            var spend = 0.0;
            while (true)
            {
                t += -Math.Log(1 - random.NextDouble()) / lambda;
                if (t * 7 >= days + 1) break;
                var day = (int)Math.Floor(t * 7);
                // A second purchase on the same day is the same purchase day, as in the store (and adds to its value).
                if (day != lastDay)
                {
                    x++;
                    lastDay = day;
                }
                if (day > 0) spend += Gamma(random, s.P) / nu;
                if (random.NextDouble() < p) break;
            }
            list.Add(new CustomerSummary(x, lastDay / 7.0, T, x > 0 ? spend / x : 0));
        }
        return list;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia &amp; Tsang (2000), with the shape + 1 boost below 1.</summary>
    private static double Gamma(Random random, double shape)
    {
        if (shape < 1) return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Normal(random);
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.Log(u) < 0.5 * z * z + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static readonly BgNbdModel Truth = new(0.25, 4.0, 0.8, 2.5);
    private static readonly GammaGammaModel SpendTruth = new(6.0, 3.5, 9000);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FitBgNbd_RecoversTheParametersOfSimulatedCustomers(int seed)
    {
        // 20,000 customers: the estimates' sampling error is a few percent for r and α and about 10 % for a and b;
        // the tolerances are about three of those.
        var fit = ClvFitter.FitBgNbd(Simulate(20_000, seed, Truth, SpendTruth)).Value;
        Assert.True(fit.Converged);
        Assert.Equal(Truth.R, fit.Model.R, Truth.R * 0.10);
        Assert.Equal(Truth.Alpha, fit.Model.Alpha, Truth.Alpha * 0.15);
        Assert.Equal(Truth.A, fit.Model.A, Truth.A * 0.30);
        Assert.Equal(Truth.B, fit.Model.B, Truth.B * 0.35);
        Assert.True(fit.Groups < fit.Customers / 2); // whole days make many customers share (x, t_x, T)
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FitGammaGamma_RecoversTheParametersOfSimulatedCustomers(int seed)
    {
        var fit = ClvFitter.FitGammaGamma(Simulate(20_000, seed, Truth, SpendTruth)).Value;
        Assert.True(fit.Converged);
        Assert.Equal(SpendTruth.P, fit.Model.P, SpendTruth.P * 0.15);
        Assert.Equal(SpendTruth.MeanSpend, fit.Model.MeanSpend, SpendTruth.MeanSpend * 0.05);
    }

    [Fact]
    public void Fit_WithTheWarmStartOnASample_FindsTheSameMaximumAsTheFullFit()
    {
        // Large inputs start from a fit on every k-th group; the result must be the full data's maximum all the same.
        var customers = Simulate(12_000, 11, Truth, SpendTruth);
        var warm = ClvFitter.FitBgNbd(customers, 50, warmStartGroups: 1000).Value;
        var full = ClvFitter.FitBgNbd(customers, 50, warmStartGroups: int.MaxValue).Value;
        Assert.True(full.Groups > 1000);
        Assert.Equal(full.LogLikelihood, warm.LogLikelihood, 1e-6);
        foreach (var (w, f) in new[] { (warm.Model.R, full.Model.R), (warm.Model.Alpha, full.Model.Alpha), (warm.Model.A, full.Model.A), (warm.Model.B, full.Model.B) })
            Assert.Equal(f, w, 1e-4 * f);

        var warmSpend = ClvFitter.FitGammaGamma(customers, 10, warmStartGroups: 1000).Value;
        var fullSpend = ClvFitter.FitGammaGamma(customers, 10, warmStartGroups: int.MaxValue).Value;
        Assert.Equal(fullSpend.LogLikelihood, warmSpend.LogLikelihood, 1e-6);
        Assert.Equal(fullSpend.Model.P, warmSpend.Model.P, 1e-4 * fullSpend.Model.P);
        Assert.Equal(fullSpend.Model.MeanSpend, warmSpend.Model.MeanSpend, 1e-4 * fullSpend.Model.MeanSpend);
    }

    [Fact]
    public void Fit_DoesNotDependOnTheOrderOfCustomers()
    {
        var customers = Simulate(3000, 9, Truth, SpendTruth);
        var shuffled = customers.OrderBy(c => c.GetHashCode()).ThenBy(c => c.T).ToList();
        Assert.NotEqual(customers, shuffled);
        Assert.Equal(ClvFitter.FitBgNbd(customers).Value.Model, ClvFitter.FitBgNbd(shuffled).Value.Model);
        Assert.Equal(ClvFitter.FitGammaGamma(customers).Value.Model, ClvFitter.FitGammaGamma(shuffled).Value.Model);
    }

    [Fact]
    public void FitBgNbd_TooFewCustomersOrNoRepeatPurchases_IsInvalid()
    {
        var few = Simulate(49, 4, Truth, SpendTruth);
        Assert.Contains("49 customers to fit on; a fit needs at least 50", ClvFitter.FitBgNbd(few).Error!.Message, StringComparison.Ordinal);
        var noRepeat = Enumerable.Range(0, 100).Select(i => new CustomerSummary(0, 0, 10 + i)).ToList();
        Assert.Contains("none of the 100 customers has a repeat purchase", ClvFitter.FitBgNbd(noRepeat).Error!.Message, StringComparison.Ordinal);
        Assert.Contains("a Gamma-Gamma fit needs at least 10", ClvFitter.FitGammaGamma(noRepeat).Error!.Message, StringComparison.Ordinal);
        List<CustomerSummary> invalid = [.. Simulate(60, 4, Truth, SpendTruth), new(1, 5, 4)];
        Assert.Contains("customer 61 has an invalid summary", ClvFitter.FitBgNbd(invalid).Error!.Message, StringComparison.Ordinal);
    }
}
