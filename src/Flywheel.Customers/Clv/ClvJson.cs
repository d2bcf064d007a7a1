using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Customers.Clv;

/// <summary>
/// The CLV JSON shapes (contracts other tools script against):
/// <list type="bullet">
/// <item>a fit: <c>{"bgnbd": {"r", "alpha", "a", "b", "log_likelihood", "customers", "converged"}, "gamma_gamma": {"p", "q", "gamma",
/// "customers", "log_likelihood", "converged"}}</c>, <c>gamma_gamma</c> only when spend was fitted; a store fit adds <c>id</c>,
/// <c>fitted_at</c>, <c>calibration_end</c>, <c>unit</c>, <c>customers</c>, and in <c>gamma_gamma</c> <c>money_unit</c> ("fen":
/// γ is in fen) and <c>mean_spend</c> (yuan);</item>
/// <item>a point prediction: <c>{"expected_purchases", "p_alive"}</c>;</item>
/// <item>a customer's prediction (<see cref="WritePrediction"/>).</item>
/// </list>
/// Model quantities are JSON numbers (null when not finite); money is yuan with two decimals, exact from fen, with the
/// fen beside it as an integer.
/// </summary>
internal static class ClvJson
{
    /// <summary>A fit of summaries (not stored): the <c>flywheel clv fit --summary</c> shape.</summary>
    public static string WriteFit(BgNbdFit bgnbd, GammaGammaFit? gammaGamma) => Write(json =>
    {
        json.WriteStartObject();
        WriteModels(json, bgnbd, gammaGamma, moneyUnit: null);
        json.WriteEndObject();
    });

    /// <summary>A store fit: <c>flywheel clv fit --format json</c>, <c>POST /v1/clv/fit</c> and <c>GET /v1/clv/fit</c>.</summary>
    public static string WriteFit(ClvFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("id", fit.Id);
            json.WriteString("fitted_at", fit.FittedAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("calibration_end", fit.CalibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("unit", ClvUnits.Name(fit.Unit));
            json.WriteNumber("customers", fit.Customers);
            WriteModels(json, fit.BgNbd, fit.GammaGamma, moneyUnit: "fen");
            json.WriteEndObject();
        });
    }

    /// <summary>One customer's expected purchases over t and P(alive): <c>flywheel clv predict --r … --t …</c>.</summary>
    public static string WritePoint(double expectedPurchases, double pAlive) => Write(json =>
    {
        json.WriteStartObject();
        Number(json, "expected_purchases", expectedPurchases);
        Number(json, "p_alive", pAlive);
        json.WriteEndObject();
    });

    /// <summary>
    /// A customer's prediction: <c>{"customer_id", "fit_id", "as_of", "unit", "horizon", "discount_rate", "x", "t_x", "T",
    /// "mean_spend", "mean_spend_fen", "expected_purchases", "discounted_purchases", "p_alive", "expected_spend", "expected_spend_fen", "clv",
    /// "clv_fen"}</c>: money in yuan (null without a Gamma-Gamma fit) with the fen beside it.
    /// </summary>
    public static string WritePrediction(ClvPrediction p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("customer_id", p.CustomerId);
            json.WriteNumber("fit_id", p.FitId);
            json.WriteString("as_of", p.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("unit", ClvUnits.Name(p.Unit));
            json.WriteNumber("horizon", p.Horizon);
            Number(json, "discount_rate", p.DiscountRate);
            json.WriteNumber("x", p.Summary.X);
            Number(json, "t_x", p.Summary.Tx);
            Number(json, "T", p.Summary.T);
            Money(json, "mean_spend", ClvModel.ToMinorUnits(p.Summary.MeanSpend));
            Number(json, "expected_purchases", p.ExpectedPurchases);
            Number(json, "discounted_purchases", p.DiscountedPurchases);
            Number(json, "p_alive", p.PAlive);
            Money(json, "expected_spend", p.ExpectedSpend);
            Money(json, "clv", p.Clv);
            json.WriteEndObject();
        });
    }

    /// <summary>The parameters column of clv_fits: the fit shape, with the optimiser's group and evaluation counts.</summary>
    public static string WriteParameters(BgNbdFit bgnbd, GammaGammaFit? gammaGamma) => Write(json =>
    {
        json.WriteStartObject();
        WriteModels(json, bgnbd, gammaGamma, moneyUnit: "fen", internals: true);
        json.WriteEndObject();
    });

    /// <summary>Reads <see cref="WriteParameters"/> back; null when the text is not that shape.</summary>
    public static (BgNbdFit BgNbd, GammaGammaFit? GammaGamma)? ReadParameters(string parameters)
    {
        try
        {
            using var document = JsonDocument.Parse(parameters);
            var root = document.RootElement;
            var b = root.GetProperty("bgnbd");
            var bgnbd = new BgNbdFit(new BgNbdModel(D(b, "r"), D(b, "alpha"), D(b, "a"), D(b, "b")), D(b, "log_likelihood"),
                b.GetProperty("customers").GetInt32(), b.GetProperty("groups").GetInt32(), b.GetProperty("evaluations").GetInt32(), b.GetProperty("converged").GetBoolean());
            GammaGammaFit? gammaGamma = null;
            if (root.TryGetProperty("gamma_gamma", out var g))
                gammaGamma = new GammaGammaFit(new GammaGammaModel(D(g, "p"), D(g, "q"), D(g, "gamma")), D(g, "log_likelihood"), g.GetProperty("customers").GetInt32(),
                    g.GetProperty("evaluations").GetInt32(), g.GetProperty("converged").GetBoolean());
            return (bgnbd, gammaGamma);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }

        static double D(JsonElement e, string name) => e.GetProperty(name).GetDouble();
    }

    private static void WriteModels(Utf8JsonWriter json, BgNbdFit bgnbd, GammaGammaFit? gammaGamma, string? moneyUnit, bool internals = false)
    {
        ArgumentNullException.ThrowIfNull(bgnbd);
        json.WriteStartObject("bgnbd");
        Number(json, "r", bgnbd.Model.R);
        Number(json, "alpha", bgnbd.Model.Alpha);
        Number(json, "a", bgnbd.Model.A);
        Number(json, "b", bgnbd.Model.B);
        Number(json, "log_likelihood", bgnbd.LogLikelihood);
        json.WriteNumber("customers", bgnbd.Customers);
        json.WriteBoolean("converged", bgnbd.Converged);
        if (internals)
        {
            json.WriteNumber("groups", bgnbd.Groups);
            json.WriteNumber("evaluations", bgnbd.Evaluations);
        }
        json.WriteEndObject();
        if (gammaGamma is null) return;
        json.WriteStartObject("gamma_gamma");
        Number(json, "p", gammaGamma.Model.P);
        Number(json, "q", gammaGamma.Model.Q);
        Number(json, "gamma", gammaGamma.Model.Gamma);
        json.WriteNumber("customers", gammaGamma.Customers);
        Number(json, "log_likelihood", gammaGamma.LogLikelihood);
        json.WriteBoolean("converged", gammaGamma.Converged);
        if (internals) json.WriteNumber("evaluations", gammaGamma.Evaluations);
        if (moneyUnit is not null)
        {
            json.WriteString("money_unit", moneyUnit);
            if (!internals) Money(json, "mean_spend", ClvModel.ToMinorUnits(gammaGamma.Model.MeanSpend));
        }
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    /// <summary>"name": yuan with two decimals and "name_fen": the integer; both null when unknown.</summary>
    private static void Money(Utf8JsonWriter json, string name, long? fen)
    {
        json.WritePropertyName(name);
        if (fen is { } f) json.WriteRawValue(MoneyText.Format(f));
        else json.WriteNullValue();
        json.WritePropertyName(name + "_fen");
        if (fen is { } g) json.WriteNumberValue(g);
        else json.WriteNullValue();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) write(json);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
