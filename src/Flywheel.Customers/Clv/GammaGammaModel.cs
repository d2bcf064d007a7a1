using static Flywheel.Customers.Clv.SpecialFunctions;

namespace Flywheel.Customers.Clv;

/// <summary>
/// The Gamma-Gamma model of spend per transaction (Fader, Hardie &amp; Lee 2005, "RFM and CLV: Using Iso-Value Curves for
/// Customer Base Analysis", Journal of Marketing Research 42(4):415–430; Fader &amp; Hardie 2013, "The Gamma-Gamma Model
/// of Monetary Value"). A customer's transactions have values ~ Gamma(shape <see cref="P"/>, rate ν), and ν across
/// customers ~ Gamma(shape <see cref="Q"/>, rate <see cref="Gamma"/>). <see cref="Gamma"/> is in the money unit of the
/// data it was fitted on (fen for a store fit, dollars for CDNOW); P and Q have no unit. It assumes spend is
/// independent of purchase frequency. Immutable and thread-safe.
/// </summary>
internal sealed record GammaGammaModel(double P, double Q, double Gamma)
{
    /// <summary>
    /// The log-likelihood of a customer's mean repeat-transaction value z̄ over x &gt; 0 transactions (the note's
    /// equation 3): ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄).
    /// </summary>
    public double LogLikelihood(int x, double meanSpend)
    {
        var px = P * x;
        return LogGamma(px + Q) - LogGamma(px) - LogGamma(Q) + Q * Math.Log(Gamma) + (px - 1) * Math.Log(meanSpend) + px * Math.Log(x)
               - (px + Q) * Math.Log(Gamma + x * meanSpend);
    }

    /// <summary>
    /// The population's mean spend per transaction, pγ/(q−1), in the money unit of <see cref="Gamma"/>; infinite when
    /// q ≤ 1 (the mixing distribution then has no mean).
    /// </summary>
    public double MeanSpend => Q > 1 ? P * Gamma / (Q - 1) : double.PositiveInfinity;

    /// <summary>
    /// E[Z | x, z̄]: the expected value of this customer's future transactions (the note's equation 5),
    /// p(γ + x z̄)/(px + q − 1) — a weighted mean of the population mean pγ/(q−1) and the customer's own z̄, leaning on
    /// z̄ more the more transactions it averages. For x = 0 it is the population mean.
    /// </summary>
    public double ExpectedSpend(int x, double meanSpend) =>
        x > 0 ? P * (Gamma + x * meanSpend) / (P * x + Q - 1) : MeanSpend;
}
