using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Customers.Rfm;

/// <summary>
/// The JSON of RFM results (CLI <c>--format json</c> and <c>GET /v1/rfm</c>): money in yuan with two decimals, shares
/// as fractions. <c>{"as_of":"2026-06-30","window_days":365,"scoring":"quintiles","customers_scored":N,
/// "segments":[{"code":"champions","name_zh":"高价值客户","name_en":"Champions","group":"high_value","action_zh":..,
/// "action_en":..,"customers":N,"share":0.12,"gmv":1234.50,"gmv_share":0.4,"average_clv":null}],
/// "grid":[{"r":5,"fm":1,"segment":"new","customers":N}, ..25 cells, R 5 to 1 then FM 1 to 5],
/// "migration":{"from":..,"to":..,"segments":[..],"counts":[[..]]}, "customers_matching":N, "customers":[{"customer_id":..,
/// "recency_days":..,"frequency":..,"monetary":..,"r":..,"f":..,"m":..,"segment":..}]}</c>; migration and customers only
/// when asked. The grid is the segment grid of docs/rfm.md (rows R, columns FM = round half up of (F + M) / 2) with the
/// customers in each cell, so a cell names exactly one segment.
/// </summary>
internal static class RfmJson
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="customers">How many scored customers to list (0: none).</param>
    /// <param name="listed">Which scored customers the list draws from (null: all); <c>customers_matching</c> counts them.</param>
    public static string Write(RfmResult result, RfmMigration? migration = null, int customers = 0, Func<RfmScore, bool>? listed = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("as_of", result.Query.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteNumber("window_days", result.Query.WindowDays);
            json.WriteString("scoring", result.Query.Thresholds is null ? "quintiles" : "thresholds");
            json.WriteNumber("customers_scored", result.Scores.Count);
            json.WriteStartArray("segments");
            foreach (var s in result.Segments)
            {
                json.WriteStartObject();
                WriteSegment(json, s.Segment);
                json.WriteNumber("customers", s.Customers);
                json.WriteNumber("share", s.Share);
                json.WritePropertyName("gmv");
                json.WriteRawValue(MoneyText.Format(s.Gmv));
                json.WriteNumber("gmv_share", s.GmvShare);
                json.WritePropertyName("average_clv");
                if (s.AverageClv is { } clv) json.WriteRawValue(MoneyText.Format(clv));
                else json.WriteNullValue();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            var cells = new long[5, 5];
            foreach (var score in result.Scores) cells[5 - score.R, RfmSegments.CombinedFm(score.F, score.M) - 1]++;
            json.WriteStartArray("grid");
            for (var r = 5; r >= 1; r--)
                for (var fm = 1; fm <= 5; fm++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("r", r);
                    json.WriteNumber("fm", fm);
                    json.WriteString("segment", RfmSegments.InCell(r, fm).Code);
                    json.WriteNumber("customers", cells[5 - r, fm - 1]);
                    json.WriteEndObject();
                }
            json.WriteEndArray();
            if (migration is not null)
            {
                json.WriteStartObject("migration");
                json.WriteString("from", migration.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteString("to", migration.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteStartArray("segments");
                foreach (var label in migration.Segments) json.WriteStringValue(label);
                json.WriteEndArray();
                json.WriteStartArray("counts");
                for (var i = 0; i < migration.Segments.Count; i++)
                {
                    json.WriteStartArray();
                    for (var j = 0; j < migration.Segments.Count; j++) json.WriteNumberValue(migration.Counts[i, j]);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            if (customers > 0)
            {
                var matching = listed is null ? result.Scores : result.Scores.Where(listed).ToList();
                json.WriteNumber("customers_matching", matching.Count);
                json.WriteStartArray("customers");
                foreach (var c in matching.Take(customers))
                {
                    json.WriteStartObject();
                    json.WriteString("customer_id", c.CustomerId);
                    json.WriteNumber("recency_days", c.RecencyDays);
                    json.WriteNumber("frequency", c.Frequency);
                    json.WritePropertyName("monetary");
                    json.WriteRawValue(MoneyText.Format(c.Monetary));
                    json.WriteNumber("r", c.R);
                    json.WriteNumber("f", c.F);
                    json.WriteNumber("m", c.M);
                    json.WriteString("segment", c.Segment.Code);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void WriteSegment(Utf8JsonWriter json, RfmSegment segment)
    {
        json.WriteString("code", segment.Code);
        json.WriteString("name_zh", segment.NameZh);
        json.WriteString("name_en", segment.NameEn);
        json.WriteString("group", RfmSegments.GroupCode(segment.Group));
        json.WriteString("action_zh", segment.ActionZh);
        json.WriteString("action_en", segment.ActionEn);
    }

    /// <summary>
    /// A table for the terminal: one line per segment, grouped by operating group, with its action; money columns headed
    /// with the symbol of <paramref name="currency"/> (the store's; default CNY).
    /// </summary>
    public static string Text(RfmResult result, RfmMigration? migration, Currency currency = default)
    {
        var symbol = currency.Symbol.Trim();
        var text = new StringBuilder();
        var q = result.Query;
        text.Append(CultureInfo.InvariantCulture,
            $"RFM as of 截至 {q.AsOf:yyyy-MM-dd}, window 窗口 {q.WindowDays} days 天, scoring 评分 {(q.Thresholds is null ? "quintiles 五分位" : "thresholds 阈值")}, customers scored 已评分客户 {result.Scores.Count:N0}\n");
        text.Append(CultureInfo.InvariantCulture, $"{"segment 分层",-34}{"customers 人数",14}{"share 占比",11}{"GMV " + symbol,16}{"GMV share",11}{"avg CLV " + symbol,12}  action 建议动作\n");
        foreach (var group in Enum.GetValues<OperatingGroup>())
        {
            text.Append(CultureInfo.InvariantCulture, $"[{RfmSegments.GroupNameZh(group)} {RfmSegments.GroupCode(group)}]\n");
            foreach (var s in result.Segments.Where(s => s.Segment.Group == group))
            {
                var name = $"  {s.Segment.NameZh} {s.Segment.NameEn}";
                text.Append(CultureInfo.InvariantCulture,
                    $"{Pad(name, 34)}{s.Customers,14:N0}{s.Share * 100,10:0.0}%{MoneyText.Format(s.Gmv),16}{s.GmvShare * 100,10:0.0}%{(s.AverageClv is { } c ? MoneyText.Format(c) : "-"),12}  {s.Segment.ActionZh}\n");
            }
        }
        if (migration is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nMigration 迁移 {migration.From:yyyy-MM-dd} → {migration.To:yyyy-MM-dd} (rows: before 之前, columns: after 之后)\n");
            text.Append(Pad("", 20));
            foreach (var label in migration.Segments) text.Append(CultureInfo.InvariantCulture, $"{Short(label),9}");
            text.Append('\n');
            for (var i = 0; i < migration.Segments.Count; i++)
            {
                text.Append(Pad(migration.Segments[i], 20));
                for (var j = 0; j < migration.Segments.Count; j++) text.Append(CultureInfo.InvariantCulture, $"{migration.Counts[i, j],9:N0}");
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    private static string Short(string label) => label.Length <= 8 ? label : label[..8];

    /// <summary>Pads to a display width, counting a CJK character as two columns.</summary>
    internal static string Pad(string value, int width)
    {
        var shown = value.Sum(c => c >= 0x2E80 ? 2 : 1);
        return shown >= width ? value + " " : value + new string(' ', width - shown);
    }
}
