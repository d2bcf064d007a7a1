using static Flywheel.Customers.Clv.SpecialFunctions;

namespace Flywheel.Customers.Clv;

/// <summary>
/// The BG/NBD model of repeat purchasing (Fader, Hardie &amp; Lee 2005, "Counting Your Customers the Easy Way: An
/// Alternative to the Pareto/NBD Model", Marketing Science 24(2):275–284). While alive a customer buys at rate λ per
/// period, λ ~ Gamma(shape <see cref="R"/>, rate <see cref="Alpha"/>); after each repeat purchase the customer drops out
/// for good with probability p, p ~ Beta(<see cref="A"/>, <see cref="B"/>). Times are in the fit's periods (weeks or
/// days); <see cref="Alpha"/> is in periods too, so a fit in days has α seven times a fit in weeks. Immutable and
/// thread-safe.
/// </summary>
internal sealed record BgNbdModel(double R, double Alpha, double A, double B)
{
    /// <summary>
    /// The log-likelihood of one customer's (x, t_x, T), the paper's equation (6) in logs:
    /// ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b) + ln[(α+T)^−(r+x) + δ(x&gt;0) a/(b+x−1) (α+t_x)^−(r+x)].
    /// </summary>
    public double LogLikelihood(int x, double tx, double T)
    {
        var a1 = LogGamma(R + x) - LogGamma(R) + R * Math.Log(Alpha);
        var a2 = LogGamma(A + B) + LogGamma(B + x) - LogGamma(B) - LogGamma(A + B + x);
        var a3 = -(R + x) * Math.Log(Alpha + T);
        if (x == 0) return a1 + a2 + a3;
        var a4 = Math.Log(A) - Math.Log(B + x - 1) - (R + x) * Math.Log(Alpha + tx);
        return a1 + a2 + LogAddExp(a3, a4);
    }

    /// <summary>
    /// P(alive | x, t_x, T): the probability the customer has not dropped out by T (Fader, Hardie &amp; Lee 2008,
    /// "Computing P(alive) Using the BG/NBD Model", equation 2):
    /// 1 / (1 + δ(x&gt;0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x)). A customer with no repeat purchase is alive for certain,
    /// because the model lets customers drop out only right after a repeat purchase; so read P(alive) as "has not
    /// churned after the last purchase", and compare it between customers with repeat purchases.
    /// </summary>
    public double PAlive(int x, double tx, double T)
    {
        if (x == 0) return 1;
        var logOdds = Math.Log(A / (B + x - 1)) + (R + x) * (Math.Log(Alpha + T) - Math.Log(Alpha + tx));
        return 1 / (1 + Math.Exp(logOdds));
    }

    /// <summary>
    /// E[Y(t) | x, t_x, T]: the expected number of purchases in the next t = <paramref name="periods"/> periods after T
    /// (Fader, Hardie &amp; Lee 2005, equation 10):
    /// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive), with z = t/(α+T+t).
    /// The series of ₂F₁(r+x, b+x; …) needs many terms for heavy buyers (large x), so the bracket is first evaluated
    /// after Euler's transformation ₂F₁(a,b;c;z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) (Abramowitz &amp; Stegun 15.3.3), as
    /// 1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose parameters do not grow with x; when a itself is large (a
    /// fit with little heterogeneity in drop-out drives a and b up together) that series is the slow one, and the
    /// paper's form is used. Undefined (NaN) at exactly a = 1, where the formula's limit is a different expression.
    /// </summary>
    public double ExpectedPurchases(int x, double tx, double T, double periods)
    {
        var t = periods;
        if (t <= 0) return 0;
        var z = t / (Alpha + T + t);
        var logOneMinusZ = Math.Log((Alpha + T) / (Alpha + T + t));
        var c = A + B + x - 1;
        var logF = LogHyp2F1(A + B - 1 - R, A - 1, c, z, 20_000, out var negative);
        double bracket;
        if (!double.IsNaN(logF) && !negative) bracket = 1 - Math.Exp((A - 1) * logOneMinusZ + logF);
        else
        {
            logF = LogHyp2F1(R + x, B + x, c, z, 1_000_000, out negative);
            if (double.IsNaN(logF) || negative) return double.NaN;
            bracket = 1 - Math.Exp((R + x) * logOneMinusZ + logF);
        }
        return c / (A - 1) * bracket * PAlive(x, tx, T);
    }

    /// <summary>
    /// The same expectation by the paper's untransformed equation 10 (the hypergeometric series in r+x, b+x), evaluated
    /// directly: the reference the tests compare <see cref="ExpectedPurchases"/> with.
    /// </summary>
    internal double ExpectedPurchasesUntransformed(int x, double tx, double T, double periods)
    {
        var t = periods;
        var z = t / (Alpha + T + t);
        var bracket = 1 - Math.Pow((Alpha + T) / (Alpha + T + t), R + x) * Hyp2F1(R + x, B + x, A + B + x - 1, z);
        return (A + B + x - 1) / (A - 1) * bracket * PAlive(x, tx, T);
    }

    /// <summary>ln(eᵃ + eᵇ) without overflow.</summary>
    internal static double LogAddExp(double a, double b) =>
        a >= b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
}
