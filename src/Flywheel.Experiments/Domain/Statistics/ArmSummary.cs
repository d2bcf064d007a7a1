namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>How a metric is aggregated per unit and compared.</summary>
internal enum MetricKind
{
    /// <summary>Each unit is 0 or 1 (converted or not): the mean is a rate (CVR, refund rate per unit, unsubscribe rate).</summary>
    Binomial,

    /// <summary>Each unit has a number (revenue per visitor in fen, orders, units): compared as a mean.</summary>
    Mean,

    /// <summary>Sum of a numerator over sum of a denominator across units (AOV = revenue / orders): the delta method gives its variance.</summary>
    Ratio,
}

/// <summary>
/// One arm's sufficient statistics for a metric, all the statistics need: <see cref="Units"/> units; the sum and sum of squares
/// of the per-unit value (for <see cref="MetricKind.Ratio"/>, of the numerator); for ratio metrics the denominator's sum, sum
/// of squares and the cross sum Σ numerator·denominator; for CUPED the pre-period covariate's sum, sum of squares and cross
/// sum Σ value·covariate (all zero when there is no covariate). Sums are doubles: they feed statistics, not the ledger.
/// </summary>
internal sealed record ArmSummary(
    string Variant,
    long Units,
    double Sum,
    double SumSquares,
    double DenominatorSum = 0,
    double DenominatorSumSquares = 0,
    double CrossSum = 0,
    double CovariateSum = 0,
    double CovariateSumSquares = 0,
    double CovariateCrossSum = 0)
{
    /// <summary>The binomial arm of <paramref name="conversions"/> out of <paramref name="units"/> (a 0/1 value: Σx = Σx² = conversions).</summary>
    public static ArmSummary Binomial(string variant, long units, long conversions) => new(variant, units, conversions, conversions);

    /// <summary>The arm of a mean metric given its mean and sample standard deviation (n − 1 denominator).</summary>
    public static ArmSummary FromMeanSd(string variant, long units, double mean, double sd) =>
        new(variant, units, mean * units, units > 1 ? sd * sd * (units - 1) + mean * mean * units : mean * mean * units);

    /// <summary>The per-unit mean Σx / n (for ratio metrics, of the numerator); 0 when the arm has no units.</summary>
    public double Mean => Units > 0 ? Sum / Units : 0;

    /// <summary>
    /// The per-unit sample variance (Σx² − n·mean²) / (n − 1), clamped at 0 (rounding can leave a tiny negative); 0 when n &lt; 2.
    /// </summary>
    public double SampleVariance => Units > 1 ? Math.Max(0, (SumSquares - Sum * Sum / Units) / (Units - 1)) : 0;

    /// <summary>Whether the arm carries a pre-period covariate for CUPED (its sum of squares is not zero).</summary>
    public bool HasCovariate => CovariateSumSquares > 0;
}
