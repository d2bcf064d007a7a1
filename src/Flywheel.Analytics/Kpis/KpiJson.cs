using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Kpis;

/// <summary>
/// The KPI JSON shape, shared by <c>flywheel report kpi --format json</c> and <c>GET /v1/metrics</c>. A contract:
/// <c>{"rows": [{"key", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi", "cac", ...}]}</c>,
/// money in yuan with two decimals, rates as fractions, null when undefined (or, for traffic and spend, when the scope
/// cannot apply to them).
/// <para>
/// Comparisons are added only when asked for: each row gets <c>"previous"</c> and/or <c>"yoy"</c> (the partner row with
/// the same fields, or null) and <c>"change": {"previous": {"gmv": {"absolute": 12.50, "relative": 0.1}, ...}}</c> for
/// <see cref="ComparedKpis"/>; the top level gets <c>"compare": {"previous": {"from", "to"}, ...}</c>.
/// </para>
/// <para>
/// Day, week and month rows also state <c>"partial"</c> (true when some of the period's days are outside the range or
/// the data), <c>"days_covered"</c> and <c>"days_in_period"</c> (see <see cref="KpiReport.Coverage"/>).
/// </para>
/// </summary>
internal static class KpiJson
{
    /// <summary>The KPIs whose change a comparison reports.</summary>
    public static IReadOnlyList<string> ComparedKpis { get; } = ["gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi", "cac"];

    /// <summary>The JSON name of a comparison: previous or yoy.</summary>
    public static string Name(KpiComparison comparison) => comparison == KpiComparison.Previous ? "previous" : "yoy";

    /// <summary>Column name, and its value as JSON-ready text (money as yuan with two decimals, null when undefined).</summary>
    public static IEnumerable<(string Name, string? Value)> Columns(KpiRow r)
    {
        yield return ("gmv", M(r.Gmv));
        yield return ("orders", I(r.Orders));
        yield return ("buyers", I(r.Buyers));
        yield return ("uv", I(r.Visitors));
        yield return ("cvr", R(r.Cvr));
        yield return ("aov", M(r.Aov));
        yield return ("repurchase_rate", R(r.RepurchaseRate));
        yield return ("spend", M(r.Spend));
        yield return ("roi", R(r.Roi));
        yield return ("cac", M(r.Cac));
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
        yield return ("cpc", M(r.Cpc));
        yield return ("cpm", M(r.Cpm));
    }

    /// <summary>
    /// For each of <see cref="ComparedKpis"/>: current − before in the KPI's own unit (JSON-ready text: yuan, a count or
    /// a fraction) and (current − before) / before as a fraction; null where either side is undefined or before is 0.
    /// </summary>
    public static IEnumerable<(string Name, string? Absolute, double? Relative)> Changes(KpiRow current, KpiRow before)
    {
        yield return Money("gmv", current.Gmv, before.Gmv);
        yield return Count("orders", current.Orders, before.Orders);
        yield return Count("buyers", current.Buyers, before.Buyers);
        yield return Count("uv", current.Visitors, before.Visitors);
        yield return Rate("cvr", current.Cvr, before.Cvr);
        yield return Money("aov", current.Aov, before.Aov);
        yield return Rate("repurchase_rate", current.RepurchaseRate, before.RepurchaseRate);
        yield return Money("spend", current.Spend, before.Spend);
        yield return Rate("roi", current.Roi, before.Roi);
        yield return Money("cac", current.Cac, before.Cac);

        static (string, string?, double?) Money(string name, long? c, long? b) => (name, M(KpiChange.Absolute(c, b)), KpiChange.Relative(c, b));
        static (string, string?, double?) Count(string name, long? c, long? b) => (name, I(KpiChange.Absolute(c, b)), KpiChange.Relative(c, b));
        static (string, string?, double?) Rate(string name, double? c, double? b) => (name, R(KpiChange.Absolute(c, b)), KpiChange.Relative(c, b));
    }

    private static string? M(long? fen) => fen is { } v ? MoneyText.Format(v) : null;
    private static string? R(double? ratio) => ratio?.ToString("R", CultureInfo.InvariantCulture);
    private static string? I(long? n) => n?.ToString(CultureInfo.InvariantCulture);

    public static string Write(IReadOnlyList<KpiRow> rows) => Write(rows, null);

    /// <summary>
    /// The report as JSON: the rows of <see cref="Write(IReadOnlyList{KpiRow})"/>, then the range the report used (<c>from</c>,
    /// <c>to</c>, both inclusive) and the <c>time_zone</c> its days are in, so a caller that gave no range sees which one it got,
    /// and the <c>currency</c> (ISO code) its money is in.
    /// </summary>
    public static string Write(KpiReport report, string? timeZone = null, Currency? currency = null) =>
        Write(report.Rows.Select(r => r.Row).ToList(), report, timeZone, currency);

    private static string Write(IReadOnlyList<KpiRow> rows, KpiReport? report, string? timeZone = null, Currency? currency = null)
    {
        var comparisons = report?.Comparisons.ToList() ?? [];
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("rows");
            for (var i = 0; i < rows.Count; i++)
            {
                json.WriteStartObject();
                WriteRow(json, rows[i]);
                if (report?.Coverage(rows[i]) is { } coverage)
                {
                    json.WriteBoolean("partial", coverage.Partial);
                    json.WriteNumber("days_covered", coverage.DaysCovered);
                    json.WriteNumber("days_in_period", coverage.DaysInPeriod);
                }
                if (comparisons.Count > 0)
                {
                    var compared = report!.Rows[i];
                    foreach (var comparison in comparisons)
                    {
                        json.WritePropertyName(Name(comparison));
                        if (compared.Partner(comparison) is { } partner)
                        {
                            json.WriteStartObject();
                            WriteRow(json, partner);
                            json.WriteEndObject();
                        }
                        else json.WriteNullValue();
                    }
                    json.WriteStartObject("change");
                    foreach (var comparison in comparisons)
                    {
                        json.WritePropertyName(Name(comparison));
                        if (compared.Partner(comparison) is not { } partner)
                        {
                            json.WriteNullValue();
                            continue;
                        }
                        json.WriteStartObject();
                        foreach (var (name, absolute, relative) in Changes(compared.Row, partner))
                        {
                            json.WriteStartObject(name);
                            Raw(json, "absolute", absolute);
                            Raw(json, "relative", R(relative));
                            json.WriteEndObject();
                        }
                        json.WriteEndObject();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (report is not null)
            {
                json.WriteString("from", report.Query.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteString("to", report.Query.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                if (timeZone is not null) json.WriteString("time_zone", timeZone);
                if (currency is { } money) json.WriteString("currency", money.ToString());
            }
            if (comparisons.Count > 0)
            {
                json.WriteStartObject("compare");
                foreach (var comparison in comparisons)
                {
                    var (from, to) = report!.RangeOf(comparison);
                    json.WriteStartObject(Name(comparison));
                    json.WriteString("from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteString("to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteRow(Utf8JsonWriter json, KpiRow row)
    {
        json.WriteString("key", row.Key);
        foreach (var (name, value) in Columns(row)) Raw(json, name, value);
    }

    private static void Raw(Utf8JsonWriter json, string name, string? value)
    {
        json.WritePropertyName(name);
        if (value is null) json.WriteNullValue();
        else json.WriteRawValue(value);
    }
}
