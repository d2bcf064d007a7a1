using Flywheel.Customers.Clv;

namespace Flywheel.Customers.Tests.Clv;

public class BgNbdModelTests
{
    /// <summary>The parameters Fader, Hardie &amp; Lee (2005) publish for the CDNOW sample.</summary>
    internal static readonly BgNbdModel Cdnow = new(0.243, 4.414, 0.793, 2.426);

    [Fact]
    public void ExpectedPurchases_CdnowCustomer_MatchesThePublishedValue()
    {
        // lifetimes: conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86) ≈ 1.226 on these parameters.
        Assert.Equal(1.226, Cdnow.ExpectedPurchases(2, 30.43, 38.86, 39), 0.0005);
        Assert.Equal(0, Cdnow.ExpectedPurchases(2, 30.43, 38.86, 0));
    }

    [Fact]
    public void PAlive_CdnowCustomer_FollowsTheClosedForm()
    {
        // 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 0.2315 · 1.2419^2.243) = 0.7266.
        Assert.Equal(0.72658, Cdnow.PAlive(2, 30.43, 38.86), 0.00001);
        Assert.Equal(1, Cdnow.PAlive(0, 0, 38.86));
        // Recent buyers are more likely alive than lapsed ones with the same frequency.
        Assert.True(Cdnow.PAlive(2, 38, 38.86) > Cdnow.PAlive(2, 10, 38.86));
    }

    [Theory]
    [InlineData(0, 0.0, 38.86, 39.0)]
    [InlineData(2, 30.43, 38.86, 39.0)]
    [InlineData(7, 35.0, 38.86, 52.0)]
    [InlineData(25, 36.0, 38.0, 150.0)]
    [InlineData(1, 0.5, 2.0, 500.0)]
    public void ExpectedPurchases_EulerTransformed_EqualsThePapersSeries(int x, double tx, double age, double t) =>
        Assert.Equal(Cdnow.ExpectedPurchasesUntransformed(x, tx, age, t), Cdnow.ExpectedPurchases(x, tx, age, t), 1e-9 * Math.Max(1, Cdnow.ExpectedPurchases(x, tx, age, t)));

    [Fact]
    public void ExpectedPurchases_WithHugeAAndB_ApproachesTheFixedDropoutLimit()
    {
        // A fit with no heterogeneity in drop-out drives a and b to ∞ with p = a/(a+b) fixed (a regression: the
        // Euler-transformed series needed millions of terms there and the prediction came out NaN). In the limit,
        // E[Y(t)] = E over the λ posterior of (1 − e^−λpt)/p, times P(alive); with a = 4·10⁶ it must match a = 4·10⁵
        // closely and stay finite.
        var huge = new BgNbdModel(0.83, 43.0, 4.2e6, 5.25e6);
        var large = new BgNbdModel(0.83, 43.0, 4.2e5, 5.25e5);
        foreach (var t in new[] { 1.0, 30, 365 })
        {
            var e = huge.ExpectedPurchases(1, 41, 261, t);
            Assert.True(double.IsFinite(e) && e > 0, $"t = {t}: {e}");
            Assert.Equal(large.ExpectedPurchases(1, 41, 261, t), e, 1e-4 * e);
        }
        Assert.Equal(huge.ExpectedPurchasesUntransformed(1, 41, 261, 30), huge.ExpectedPurchases(1, 41, 261, 30), 1e-9);
    }

    [Fact]
    public void ExpectedPurchases_HeavyBuyer_StaysFinite()
    {
        // x = 500 still fits the paper's series in a double; x = 2,000 does not ((1−z)^(r+x) underflows), but the
        // transformed series does not grow with x. A buyer at ~51 a week who last bought at T is alive and keeps buying
        // until a drop-out, p ~ Beta(a, b + x) with mean ≈ 0.0004: about (1 − e^−λpt)/p ≈ 1,700 purchases in 52 weeks.
        Assert.Equal(Cdnow.ExpectedPurchasesUntransformed(500, 38.86, 38.86, 52), Cdnow.ExpectedPurchases(500, 38.86, 38.86, 52), 1e-6);
        Assert.InRange(Cdnow.ExpectedPurchases(2000, 38.86, 38.86, 52), 1500, 1900);
        // The same buyer silent for the last 0.86 weeks is almost surely gone (P(alive) ≈ e^−40).
        Assert.InRange(Cdnow.ExpectedPurchases(2000, 38, 38.86, 52), 0, 1e-9);
    }

    [Theory]
    [InlineData(2, 30.43, 38.86, 39.0)]
    [InlineData(1, 1.71, 38.86, 39.0)]
    [InlineData(6, 37.0, 38.0, 20.0)]
    [InlineData(3, 5.0, 38.0, 52.0)]
    public void PAliveAndExpectedPurchases_AgreeWithIntegratingTheIndividualModel(int x, double tx, double age, double t)
    {
        var (pAlive, expected) = ByIntegration(Cdnow, x, tx, age, t);
        Assert.Equal(pAlive, Cdnow.PAlive(x, tx, age), 1e-4);
        Assert.Equal(expected, Cdnow.ExpectedPurchases(x, tx, age, t), 1e-4 * Math.Max(1, expected));
    }

    [Fact]
    public void LogLikelihood_EqualsTheLogOfIntegratingTheIndividualLikelihood()
    {
        var model = Cdnow;
        foreach (var (x, tx, T) in new[] { (0, 0.0, 38.86), (2, 30.43, 38.86), (5, 20.0, 30.0) })
        {
            var (likelihood, _, _) = Integrate(model, x, tx, T, 0);
            Assert.Equal(Math.Log(likelihood), model.LogLikelihood(x, tx, T), 1e-4);
        }
    }

    /// <summary>
    /// The slow, obviously-correct reference: P(alive) and E[Y(t)] as ratios of integrals over the priors of the
    /// individual-level model (λ ~ Gamma(r, α), p ~ Beta(a, b)). Alive with λ, p: likelihood (1−p)^x λ^x e^−λT, and
    /// E[Y(t)] = (1 − e^−λpt)/p; dropped out after the last purchase: p(1−p)^(x−1) λ^x e^−λt_x.
    /// </summary>
    private static (double PAlive, double Expected) ByIntegration(BgNbdModel m, int x, double tx, double T, double t)
    {
        var (total, alive, expected) = Integrate(m, x, tx, T, t);
        return (alive / total, expected / total);
    }

    private static (double Likelihood, double Alive, double Expected) Integrate(BgNbdModel m, int x, double tx, double T, double t)
    {
        // Substituting λ = w^(1/r) and p = v^(1/a) turns the priors' singular λ^(r−1) dλ and p^(a−1) dp into constants
        // times dw and dv, so a midpoint rule converges quickly.
        const int n = 1500;
        var wMax = Math.Pow(60.0 / m.Alpha, m.R);
        double total = 0, alive = 0, expected = 0;
        for (var i = 0; i < n; i++)
        {
            var lambda = Math.Pow((i + 0.5) / n * wMax, 1 / m.R);
            var prior = Math.Exp(-m.Alpha * lambda);
            var lx = Math.Pow(lambda, x);
            for (var j = 0; j < n; j++)
            {
                var p = Math.Pow((j + 0.5) / n, 1 / m.A);
                var weight = prior * Math.Pow(1 - p, m.B - 1);
                var la = Math.Pow(1 - p, x) * lx * Math.Exp(-lambda * T);
                var ld = x > 0 ? p * Math.Pow(1 - p, x - 1) * lx * Math.Exp(-lambda * tx) : 0;
                total += weight * (la + ld);
                alive += weight * la;
                expected += weight * la * (-double.ExpM1(-lambda * p * t) / p);
            }
        }
        // Normalising constant of the priors: α^r / Γ(r+1) per unit w times 1 / (a B(a,b)) per unit v.
        var constant = Math.Exp(m.R * Math.Log(m.Alpha) - SpecialFunctions.LogGamma(m.R + 1) - Math.Log(m.A) - SpecialFunctions.LogBeta(m.A, m.B))
                       * (wMax / n) * (1.0 / n);
        return (total * constant, alive * constant, expected * constant);
    }
}
