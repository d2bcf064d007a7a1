namespace Flywheel.Experiments.Domain.Results;

/// <summary>An amount with its interval, in the metric's unit (fen for money, orders for orders).</summary>
internal sealed record AmountInterval(long Effect, long Low, long High);

/// <summary>
/// What a treatment brought over its holdout, scaled to the treated units: incremental orders and GMV (fen) with their intervals,
/// the discount it cost beyond what the holdout got anyway, and incremental GMV per yuan of that discount (null when the treatment
/// gave no extra discount, with the reason). Money stays long fen; the per-yuan figures are ratios (yuan of GMV per yuan of discount,
/// like ROI), so they are doubles.
/// </summary>
internal sealed record Incrementality(
    string Variant,
    long TreatedUnits,
    AmountInterval Orders,
    AmountInterval Gmv,
    long Discount,
    long IncrementalDiscount,
    double? GmvPerYuanOfDiscount,
    double? GmvPerYuanLow,
    double? GmvPerYuanHigh,
    string? Reason);

/// <summary>
/// Incrementality against a holdout (pure). A per-unit difference d with interval [l, h] (the metric's absolute effect, variant
/// minus holdout) scales to the treated units n: incremental = d·n in [l·n, h·n], rounded half away from zero to whole fen (or
/// orders). The discount the treatment cost is what its units got beyond the holdout's rate:
/// Σ discount(treated) − mean discount(holdout)·n. Per yuan: incremental GMV / incremental discount, its interval the GMV
/// interval over the same discount (the discount is observed, not estimated).
/// </summary>
internal static class Impact
{
    public static Incrementality Of(
        string variant,
        long treatedUnits,
        (double Effect, double Low, double High) ordersPerUnit,
        (double Effect, double Low, double High) gmvPerUnit,
        long treatedDiscount,
        long holdoutDiscount,
        long holdoutUnits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treatedUnits);
        var orders = Scale(ordersPerUnit, treatedUnits);
        var gmv = Scale(gmvPerUnit, treatedUnits);
        // Expected discount of the treated units at the holdout's rate: decimal keeps fen × units exact before rounding.
        var expected = holdoutUnits > 0 ? (long)Math.Round((decimal)holdoutDiscount * treatedUnits / holdoutUnits, MidpointRounding.AwayFromZero) : 0L;
        var extra = treatedDiscount - expected;
        if (extra <= 0)
            return new(variant, treatedUnits, orders, gmv, treatedDiscount, extra, null, null, null,
                "the treatment gave no more discount than the holdout got / 实验组的优惠不多于对照组");
        var yuan = extra / 100.0;
        return new(variant, treatedUnits, orders, gmv, treatedDiscount, extra, gmv.Effect / 100.0 / yuan, gmv.Low / 100.0 / yuan, gmv.High / 100.0 / yuan, null);
    }

    /// <summary>d·n in [l·n, h·n], each rounded to a whole unit and clamped to what a long holds.</summary>
    internal static AmountInterval Scale((double Effect, double Low, double High) perUnit, long units) =>
        new(Round(perUnit.Effect * units), Round(perUnit.Low * units), Round(perUnit.High * units));

    private static long Round(double value) =>
        double.IsNaN(value) ? 0 : value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)Math.Round(value, MidpointRounding.AwayFromZero);
}
