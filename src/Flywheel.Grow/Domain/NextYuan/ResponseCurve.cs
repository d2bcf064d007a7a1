namespace Flywheel.Grow.Domain.NextYuan;

/// <summary>
/// A channel's weekly response curve GMV = a·spend^b, fitted by ordinary least squares on logs (ln GMV = α + b·(ln spend − x̄),
/// x̄ the mean log spend, so α and b are uncorrelated). b is the elasticity: below 1 every further yuan brings less than the
/// one before (saturation). The marginal ROI at spend s is dGMV/ds = b·GMV(s)/s. Curves are medians on the GMV scale (no
/// log-normal bias correction): what they say about a typical week.
/// <para>Money enters and leaves as whole fen (<c>long</c>: weekly spend and GMV in, suggested spend and expected GMV out). Doubles
/// hold only the fit, a statistical estimate, and every estimate that becomes money is rounded to whole fen, half away from zero,
/// where it is reported (NextYuanAdvisor).</para>
/// </summary>
internal sealed record ResponseCurve(double Alpha, double Elasticity, double MeanLogSpend, double ResidualSd, double SeAlpha, double SeElasticity,
    double RSquared, int Weeks, double LogSpendSd)
{
    /// <summary>Weekly GMV in fen the curve expects at a weekly spend in fen (0 at 0).</summary>
    public double Gmv(double spend) => spend <= 0 ? 0 : Math.Exp(Alpha + Elasticity * (Math.Log(spend) - MeanLogSpend));

    /// <summary>The marginal ROI (GMV fen per fen of spend) of the next fen at a weekly spend.</summary>
    public double MarginalRoi(double spend) => spend <= 0 ? double.PositiveInfinity : Elasticity * Gmv(spend) / spend;

    /// <summary>
    /// The marginal ROI at <paramref name="spend"/> with a two-sided 95% interval from the fit's standard errors (delta method
    /// on ln of it: ln b + α + b·(ln s − x̄) − ln s, whose variance is se(α)² + (1/b + ln s − x̄)²·se(b)²), Student's t with
    /// weeks − 2 degrees of freedom.
    /// </summary>
    public (double Estimate, double Low, double High) MarginalRoiInterval(double spend)
    {
        var estimate = MarginalRoi(spend);
        var dx = Math.Log(spend) - MeanLogSpend;
        var gradB = 1 / Elasticity + dx;
        var sd = Math.Sqrt(SeAlpha * SeAlpha + gradB * gradB * SeElasticity * SeElasticity);
        var t = StudentT.Quantile975(Weeks - 2);
        return (estimate, estimate * Math.Exp(-t * sd), estimate * Math.Exp(t * sd));
    }

    /// <summary>
    /// Fits the curve to weeks with positive spend and positive GMV (a log needs both); null with fewer than 3 such weeks or
    /// when every week spent the same (the slope is then undefined).
    /// </summary>
    public static ResponseCurve? Fit(IReadOnlyList<(long Spend, long Gmv)> weeks)
    {
        ArgumentNullException.ThrowIfNull(weeks);
        var points = weeks.Where(w => w.Spend > 0 && w.Gmv > 0).Select(w => (X: Math.Log(w.Spend), Y: Math.Log(w.Gmv))).ToList();
        var n = points.Count;
        if (n < 3) return null;
        double meanX = points.Average(p => p.X), meanY = points.Average(p => p.Y);
        double sxx = 0, sxy = 0, syy = 0;
        foreach (var (x, y) in points)
        {
            sxx += (x - meanX) * (x - meanX);
            sxy += (x - meanX) * (y - meanY);
            syy += (y - meanY) * (y - meanY);
        }
        // Spend equal in every week (to rounding): no slope can be fitted.
        if (sxx <= 1e-12 * n) return null;
        var b = sxy / sxx;
        var sse = Math.Max(0, syy - b * sxy);
        var sigma = Math.Sqrt(sse / (n - 2));
        var r2 = syy > 0 ? 1 - sse / syy : 1;
        return new ResponseCurve(meanY, b, meanX, sigma, sigma / Math.Sqrt(n), sigma / Math.Sqrt(sxx), r2, n, Math.Sqrt(sxx / (n - 1)));
    }
}

/// <summary>Quantiles of Student's t distribution for 95% two-sided intervals.</summary>
internal static class StudentT
{
    // t(0.975, df) for df = 1..30.
    private static readonly double[] Table =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>t(0.975, df); beyond 30 degrees of freedom the Cornish–Fisher expansion around 1.96 (error below 0.001).</summary>
    public static double Quantile975(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (degreesOfFreedom <= Table.Length) return Table[degreesOfFreedom - 1];
        const double z = 1.959964;
        double df = degreesOfFreedom, z3 = z * z * z, z5 = z3 * z * z;
        return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
    }
}
