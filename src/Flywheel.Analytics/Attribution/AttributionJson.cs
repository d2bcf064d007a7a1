using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Attribution;

/// <summary>The attribution JSON shape, shared by <c>flywheel report attribution --format json</c> and <c>POST /v1/attribution</c>.</summary>
internal static class AttributionJson
{
    /// <summary>The stable snake_case name of a model in JSON and CSV.</summary>
    public static string ModelName(AttributionModel model) => model switch
    {
        AttributionModel.LastClick => "last_click",
        AttributionModel.FirstClick => "first_click",
        AttributionModel.Linear => "linear",
        AttributionModel.TimeDecay => "time_decay",
        AttributionModel.PositionBased => "position_based",
        _ => "markov",
    };

    private static string By(AttributionDimension by) => by.ToString().ToLowerInvariant();

    /// <summary>
    /// The report: its range, question and totals, the <c>currency</c> (ISO code) its money is in when given, then each model's rows.
    /// </summary>
    public static string Write(AttributionReport report, Currency? currency = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("from", report.Query.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("to", report.Query.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (currency is { } money) json.WriteString("currency", money.ToString());
            json.WriteString("by", By(report.Query.By));
            json.WriteNumber("lookback_days", report.Query.LookbackDays);
            json.WriteNumber("half_life_days", report.Query.HalfLifeDays);
            json.WriteNumber("total_orders", report.TotalOrders);
            json.WritePropertyName("total_gmv");
            json.WriteRawValue(MoneyText.Format(report.TotalGmv));
            json.WriteStartArray("models");
            foreach (var model in report.Models)
            {
                json.WriteStartObject();
                json.WriteString("model", ModelName(model.Model));
                json.WriteStartArray("rows");
                foreach (var row in model.Rows)
                {
                    json.WriteStartObject();
                    json.WriteString("key", row.Key);
                    json.WriteNumber("orders", Math.Round(row.Orders, 6));
                    json.WritePropertyName("gmv");
                    json.WriteRawValue(MoneyText.Format(row.Gmv));
                    json.WritePropertyName("spend");
                    json.WriteRawValue(MoneyText.Format(row.Spend));
                    if (row.Roi is { } roi) json.WriteNumber("roi", Math.Round(roi, 4));
                    else json.WriteNull("roi");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
