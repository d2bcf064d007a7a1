namespace Flywheel.Customers.Clv;

/// <summary>
/// Customer lifetime value from a fitted BG/NBD model (how many purchases) and Gamma-Gamma model (how much each), in the
/// fit's <see cref="Unit"/>: every time argument is in those periods, and money comes out in the money unit the
/// Gamma-Gamma model was fitted in (fen for a store fit). Immutable and thread-safe.
/// </summary>
internal sealed record ClvModel(BgNbdModel BgNbd, GammaGammaModel? GammaGamma, ClvUnit Unit)
{
    /// <summary>Longest horizon accepted: ten years.</summary>
    public int MaxHorizon => (int)Math.Floor(10 * ClvUnits.PerYear(Unit));

    /// <summary>Expected purchases in the next <paramref name="periods"/> periods (<see cref="BgNbdModel.ExpectedPurchases"/>).</summary>
    public double ExpectedPurchases(int x, double tx, double T, double periods) => BgNbd.ExpectedPurchases(x, tx, T, periods);

    /// <summary>Probability the customer is still alive at T (<see cref="BgNbdModel.PAlive"/>).</summary>
    public double PAlive(int x, double tx, double T) => BgNbd.PAlive(x, tx, T);

    /// <summary>
    /// Expected value of each future purchase (<see cref="GammaGammaModel.ExpectedSpend"/>) in the fit's money unit; NaN
    /// without a Gamma-Gamma model.
    /// </summary>
    public double ExpectedSpend(int x, double meanSpend) => GammaGamma?.ExpectedSpend(x, meanSpend) ?? double.NaN;

    /// <summary>
    /// Expected purchases over the next <paramref name="horizon"/> periods, each discounted to today:
    /// Σₖ₌₁..H (E[Y(k)] − E[Y(k−1)]) / (1 + d)^(k / periods per year), with d the annual rate — the purchases expected in
    /// period k are valued at its end (as lifetimes' customer_lifetime_value does with its monthly steps).
    /// </summary>
    public double DiscountedPurchases(int x, double tx, double T, int horizon, double annualDiscountRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizon);
        if (!(annualDiscountRate >= 0)) throw new ArgumentOutOfRangeException(nameof(annualDiscountRate), "the discount rate is a fraction ≥ 0, e.g. 0.1");
        var perPeriod = Math.Log(1 + annualDiscountRate) / ClvUnits.PerYear(Unit);
        var total = 0.0;
        var previous = 0.0;
        for (var k = 1; k <= horizon; k++)
        {
            var cumulative = BgNbd.ExpectedPurchases(x, tx, T, k);
            total += (cumulative - previous) * Math.Exp(-perPeriod * k);
            previous = cumulative;
        }
        return total;
    }

    /// <summary>
    /// The customer's lifetime value over the horizon: <see cref="ExpectedSpend"/> × <see cref="DiscountedPurchases"/>,
    /// in the fit's money unit (round with <see cref="ToMinorUnits"/> before showing or storing money). NaN without a
    /// Gamma-Gamma model.
    /// </summary>
    public double Clv(int x, double tx, double T, double meanSpend, int horizon, double annualDiscountRate) =>
        GammaGamma is null ? double.NaN : ExpectedSpend(x, meanSpend) * DiscountedPurchases(x, tx, T, horizon, annualDiscountRate);

    /// <inheritdoc cref="Clv(int, double, double, double, int, double)"/>
    public double Clv(CustomerSummary customer, int horizon, double annualDiscountRate) =>
        Clv(customer.X, customer.Tx, customer.T, customer.MeanSpend, horizon, annualDiscountRate);

    /// <summary>A model amount rounded to whole minor units (fen), half away from zero; null when it is not finite.</summary>
    public static long? ToMinorUnits(double amount) =>
        double.IsFinite(amount) && Math.Abs(amount) < 1e17 ? (long)Math.Round(amount, MidpointRounding.AwayFromZero) : null;
}
