using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Primitives;

namespace Flywheel.Ingestion.Demo;

/// <summary>
/// Size and seed of a demo store. <see cref="Customers"/> registered customers (1–2,000,000) join over the last
/// <see cref="Days"/> days (7–1,095); the same <see cref="Seed"/> and clock day always build the same store.
/// </summary>
public sealed record DemoOptions(int Customers = 50000, int Days = 365, int Seed = 42)
{
    public Result<DemoOptions> Validate()
    {
        if (Customers is < 1 or > 2_000_000) return Error.Invalid("customers", $"--customers must be between 1 and 2000000, not {Customers}");
        if (Days is < 7 or > 1_095) return Error.Invalid("days", $"--days must be between 7 and 1095, not {Days}");
        return this;
    }
}

/// <summary>
/// The parameters a demo store was generated from, recorded so later models (BG/NBD, Gamma-Gamma) can be checked
/// against the truth. Serialised with snake_case keys into demo-parameters.json and the settings table.
/// </summary>
public sealed record DemoParameters(
    string Generator,
    int Seed,
    int Customers,
    int Days,
    string FirstDay,
    string LastDay,
    string TimeZone,
    double BuyerShare,
    BgNbdParameters BgNbd,
    GammaGammaParameters GammaGamma,
    string Transactions,
    string Seasonality)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DemoParameters? FromJson(string json) => JsonSerializer.Deserialize<DemoParameters>(json, Json);
}

/// <summary>
/// BG/NBD: a customer's purchase rate λ ~ Gamma(shape <see cref="R"/>, rate <see cref="Alpha"/>) per
/// <see cref="TimeUnit"/>; after each repeat purchase the customer drops out with probability p ~ Beta(<see cref="A"/>, <see cref="B"/>).
/// </summary>
public sealed record BgNbdParameters(double R, double Alpha, double A, double B, string TimeUnit);

/// <summary>
/// Gamma-Gamma spend: a transaction's value ~ Gamma(shape <see cref="P"/>, rate ν) with the customer's ν ~ Gamma(shape
/// <see cref="Q"/>, rate <see cref="Gamma"/>); mean spend per transaction p·γ/(q−1) in <see cref="Unit"/>.
/// </summary>
public sealed record GammaGammaParameters(double P, double Q, double Gamma, string Unit, [property: JsonPropertyName("note")] string Note);
