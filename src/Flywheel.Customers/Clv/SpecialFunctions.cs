namespace Flywheel.Customers.Clv;

/// <summary>The special functions the CLV models need: log-gamma and the Gauss hypergeometric series.</summary>
internal static class SpecialFunctions
{
    // Lanczos approximation with g = 607/128 and 15 terms (the coefficients of Numerical Recipes, 3rd ed., §6.1,
    // "gammln"), relative error below 1e-15 for x > 0 — the tests compare it with a table of exact values.
    private static readonly double[] Lanczos =
    [
        57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199, 0.339946499848118887e-4,
        0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3,
        0.217439618115212643e-3, -0.164318106536763890e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
        0.368991826595316234e-5,
    ];

    private const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>ln Γ(x) for x &gt; 0; NaN otherwise.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) return double.NaN;
        if (double.IsPositiveInfinity(x)) return x;
        // Below 0.5 the series loses digits to the 1/x pole; Γ(x) = Γ(x + 1) / x keeps them.
        if (x < 0.5) return LogGamma(x + 1) - Math.Log(x);
        if (x > 1e7)
        {
            // Stirling with two correction terms is exact to double precision here and avoids the series' sum.
            var inv = 1 / x;
            return (x - 0.5) * Math.Log(x) - x + HalfLogTwoPi + inv * (1.0 / 12 - inv * inv / 360);
        }
        var y = x;
        var tmp = x + 5.24218750000000000; // g + 1/2 with g = 607/128
        tmp = (x + 0.5) * Math.Log(tmp) - tmp;
        var series = 0.999999999999997092;
        foreach (var c in Lanczos) series += c / ++y;
        return tmp + Math.Log(2.5066282746310005 * series / x);
    }

    /// <summary>ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).</summary>
    public static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>
    /// The Gauss hypergeometric function ₂F₁(a, b; c; z) by its power series Σ (a)ₙ(b)ₙ/(c)ₙ zⁿ/n!, for |z| &lt; 1
    /// (Abramowitz &amp; Stegun 15.1.1). NaN when c is 0 or a negative integer, when the series did not converge in
    /// <paramref name="maxTerms"/> terms, or when the sum overflows (use <see cref="LogHyp2F1"/> for large sums).
    /// </summary>
    public static double Hyp2F1(double a, double b, double c, double z, int maxTerms = 1_000_000)
    {
        var log = LogHyp2F1(a, b, c, z, maxTerms, out var negative);
        return negative ? -Math.Exp(log) : Math.Exp(log);
    }

    /// <summary>
    /// ln |₂F₁(a, b; c; z)| by the power series, rescaled as it grows so sums far beyond double's range stay exact in
    /// their logarithm; <paramref name="negative"/> gives the sign. The series converges for every |z| &lt; 1, but the
    /// terms first grow while (a+n)(b+n)z/((c+n)(n+1)) &gt; 1, so large a·b/c needs many terms: callers pick the
    /// representation whose parameters are small (<see cref="BgNbdModel.ExpectedPurchases"/>). NaN when c is 0 or a
    /// negative integer, or when <paramref name="maxTerms"/> terms did not converge.
    /// </summary>
    public static double LogHyp2F1(double a, double b, double c, double z, int maxTerms, out bool negative)
    {
        negative = false;
        if (z == 0) return 0;
        if (!(z > -1 && z < 1)) return double.NaN;
        double sum = 1, term = 1, scale = 0;
        for (var n = 0; n < maxTerms; n++)
        {
            var denominator = (c + n) * (n + 1);
            if (denominator == 0) return double.NaN;
            term *= (a + n) * (b + n) / denominator * z;
            var next = sum + term;
            // Stop once the terms are negligible and shrinking (they may grow at first when a·b·z > c).
            if (next == sum || (Math.Abs(term) < 1e-17 * Math.Abs(next) && Math.Abs((a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z) < 1))
            {
                negative = next < 0;
                return Math.Log(Math.Abs(next)) + scale;
            }
            sum = next;
            if (Math.Abs(sum) > 1e250)
            {
                sum *= 1e-250;
                term *= 1e-250;
                scale += 250 * Math.Log(10);
            }
            if (double.IsNaN(sum)) return double.NaN;
        }
        return double.NaN;
    }
}
