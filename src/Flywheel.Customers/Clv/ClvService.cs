using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Customers.Storage;

namespace Flywheel.Customers.Clv;

/// <summary>
/// A CLV fit of a store: its id in clv_fits, when it was made, the calibration end and unit of its times, how many
/// customers it saw, the BG/NBD fit and the Gamma-Gamma fit (in fen; null when too few customers had repeat spend).
/// </summary>
internal sealed record ClvFit(long Id, DateTimeOffset FittedAt, DateOnly CalibrationEnd, ClvUnit Unit, int Customers, BgNbdFit BgNbd, GammaGammaFit? GammaGamma)
{
    /// <summary>The model to predict with.</summary>
    public ClvModel Model => new(BgNbd.Model, GammaGamma?.Model, Unit);
}

/// <summary>
/// One customer's prediction from a stored fit, as of <see cref="AsOf"/>: the customer's summary then, expected
/// purchases over the horizon (undiscounted), P(alive), the expected value of each purchase and the CLV (discounted),
/// both in fen (null without a Gamma-Gamma fit). Times are in <see cref="Unit"/>s.
/// </summary>
internal sealed record ClvPrediction(string CustomerId, long FitId, DateOnly AsOf, ClvUnit Unit, int Horizon, double DiscountRate, CustomerSummary Summary,
    double ExpectedPurchases, double DiscountedPurchases, double PAlive, long? ExpectedSpend, long? Clv);

/// <summary>
/// CLV over a store: fit on the store's paid orders up to a calibration end and keep the fit (clv_fits), read the
/// latest, and predict a customer's purchases, P(alive) and CLV from it.
/// </summary>
internal static class ClvService
{
    /// <summary>Default horizon of a prediction: 52 periods (a year in weeks).</summary>
    public const int DefaultHorizon = 52;

    /// <summary>Default annual discount rate: 10 %.</summary>
    public const double DefaultDiscountRate = 0.1;

    /// <summary>
    /// Fits both models to a data set, without storing: BG/NBD must succeed (at least <paramref name="minCustomers"/>
    /// customers, some with repeat purchases); Gamma-Gamma is left out (null) when fewer than
    /// <see cref="ClvFitter.DefaultMinSpendCustomers"/> customers have repeat spend.
    /// </summary>
    public static Result<(BgNbdFit BgNbd, GammaGammaFit? GammaGamma)> Fit(ClvDataset data, int minCustomers = ClvFitter.DefaultMinCustomers)
    {
        ArgumentNullException.ThrowIfNull(data);
        var bgnbd = ClvFitter.FitBgNbd(data.Customers, minCustomers);
        if (!bgnbd.TryGetValue(out var purchases, out var error))
            return error with { Message = $"{error.Message} (customers with a paid order on or before {data.CalibrationEnd:yyyy-MM-dd})" };
        var spend = ClvFitter.FitGammaGamma(data.Customers);
        return (purchases, spend.IsSuccess ? spend.Value : null);
    }

    /// <summary>
    /// Fits on the store's paid orders up to <paramref name="calibrationEnd"/> (inclusive, the store's time zone) and
    /// stores the fit. Invalid, with nothing stored, when the calibration end is after today (by the store's clock) or
    /// the customers are too few (<see cref="Fit"/>).
    /// </summary>
    public static async Task<Result<ClvFit>> FitAsync(FlywheelStore store, EventIndex index, DateOnly calibrationEnd, ClvUnit unit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(index);
        var today = Today(index.TimeZone, store.Time);
        if (calibrationEnd > today)
            return Error.Invalid("calibration_end", $"{calibrationEnd:yyyy-MM-dd} is after today ({today:yyyy-MM-dd}): the calibration period must have happened");
        var data = ClvSummaries.FromIndex(index, calibrationEnd, unit);
        var fitted = Fit(data);
        if (!fitted.TryGetValue(out var fit, out var error)) return error;
        var stored = await ClvFitStore.AddAsync(store, calibrationEnd, ClvUnits.Name(unit), ClvJson.WriteParameters(fit.BgNbd, fit.GammaGamma),
            fit.BgNbd.LogLikelihood, data.Customers.Count, ct);
        return new ClvFit(stored.Id, stored.FittedAt, calibrationEnd, unit, data.Customers.Count, fit.BgNbd, fit.GammaGamma);
    }

    /// <summary>The latest stored fit, or null when there is none (or its parameters no longer parse).</summary>
    public static async Task<ClvFit?> LatestAsync(FlywheelStore store, CancellationToken ct)
    {
        var stored = await ClvFitStore.LatestAsync(store, ct);
        if (stored is null || ClvUnits.Parse(stored.Unit) is not { } unit) return null;
        var parameters = ClvJson.ReadParameters(stored.Parameters);
        if (parameters is not var (bgnbd, gammaGamma)) return null;
        return new ClvFit(stored.Id, stored.FittedAt, stored.CalibrationEnd, unit, checked((int)stored.Customers), bgnbd, gammaGamma);
    }

    /// <summary>
    /// Predicts for one customer from <paramref name="fit"/>, with the customer's orders up to <paramref name="asOf"/>:
    /// purchases over the next <paramref name="horizon"/> periods of the fit's unit, and CLV discounted at
    /// <paramref name="annualDiscountRate"/> a year. Not found for an unknown customer; invalid for one with no paid
    /// order by then, a horizon outside 1..<see cref="ClvModel.MaxHorizon"/> or a rate outside 0..1.
    /// </summary>
    public static Result<ClvPrediction> Predict(EventIndex index, ClvFit fit, string customerId, DateOnly asOf, int horizon = DefaultHorizon,
        double annualDiscountRate = DefaultDiscountRate)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(fit);
        var model = fit.Model;
        if (horizon < 1 || horizon > model.MaxHorizon)
            return Error.Invalid("horizon", $"{horizon} is outside 1..{model.MaxHorizon} {ClvUnits.Name(fit.Unit)}s (ten years)");
        if (!(annualDiscountRate is >= 0 and <= 1))
            return Error.Invalid("discount_rate", $"{annualDiscountRate} is not an annual rate between 0 and 1 (0.1 is 10 %)");
        var v = index.FindVisitor(customerId);
        if (v < 0 || !index.IsCustomer[v]) return Error.NotFound("customer", $"no customer '{customerId}' in the store");
        if (ClvSummaries.Of(index, customerId, asOf, fit.Unit) is not { } c)
            return Error.Invalid("customer", $"customer '{customerId}' has no paid order on or before {asOf:yyyy-MM-dd}: the model predicts for customers after their first purchase");
        var clv = model.Clv(c, horizon, annualDiscountRate);
        return new ClvPrediction(customerId, fit.Id, asOf, fit.Unit, horizon, annualDiscountRate, c,
            model.ExpectedPurchases(c.X, c.Tx, c.T, horizon), model.DiscountedPurchases(c.X, c.Tx, c.T, horizon, annualDiscountRate), model.PAlive(c.X, c.Tx, c.T),
            ClvModel.ToMinorUnits(model.ExpectedSpend(c.X, c.MeanSpend)), ClvModel.ToMinorUnits(clv));
    }

    /// <summary>Today's date in a time zone (the store's), by <paramref name="time"/>.</summary>
    public static DateOnly Today(string timeZone, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
    }
}
