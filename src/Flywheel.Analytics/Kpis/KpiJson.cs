using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Kpis;

/// <summary>
/// The KPI JSON shape, shared by <c>flywheel report kpi --format json</c> and <c>GET /v1/metrics</c>. A contract:
/// <c>{"rows": [{"key", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi", "cac", ...}]}</c>,
/// money in yuan with two decimals, rates as fractions, null when undefined.
/// </summary>
public static class KpiJson
{
    /// <summary>Column name, and its value as JSON-ready text (money as yuan with two decimals, null when undefined).</summary>
    public static IEnumerable<(string Name, string? Value)> Columns(KpiRow r)
    {
        static string M(long fen) => MoneyText.Format(fen);
        static string? Mn(long? fen) => fen is { } v ? MoneyText.Format(v) : null;
        static string? R(double? ratio) => ratio?.ToString("R", CultureInfo.InvariantCulture);
        static string I(long n) => n.ToString(CultureInfo.InvariantCulture);
        yield return ("gmv", M(r.Gmv));
        yield return ("orders", I(r.Orders));
        yield return ("buyers", I(r.Buyers));
        yield return ("uv", I(r.Visitors));
        yield return ("cvr", R(r.Cvr));
        yield return ("aov", Mn(r.Aov));
        yield return ("repurchase_rate", R(r.RepurchaseRate));
        yield return ("spend", M(r.Spend));
        yield return ("roi", R(r.Roi));
        yield return ("cac", Mn(r.Cac));
        yield return ("gmv_net", M(r.GmvNet));
        yield return ("refunds", M(r.Refunds));
        yield return ("refund_rate", R(r.RefundRate));
        yield return ("units_per_order", R(r.UnitsPerOrder));
        yield return ("new_buyers", I(r.NewBuyers));
        yield return ("returning_buyers", I(r.ReturningBuyers));
        yield return ("pv", I(r.PageViews));
        yield return ("sessions", I(r.Sessions));
        yield return ("impressions", I(r.Impressions));
        yield return ("clicks", I(r.Clicks));
        yield return ("ctr", R(r.Ctr));
        yield return ("cpc", Mn(r.Cpc));
        yield return ("cpm", Mn(r.Cpm));
    }

    public static string Write(IReadOnlyList<KpiRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("rows");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("key", row.Key);
                foreach (var (name, value) in Columns(row))
                {
                    json.WritePropertyName(name);
                    if (value is null) json.WriteNullValue();
                    else json.WriteRawValue(value);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

}
