using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Cohorts;

/// <summary>
/// The cohort JSON shape, shared by <c>flywheel report cohort --format json</c> and <c>POST /v1/cohorts</c>. Each period
/// states <c>"partial"</c> (the data ends before the period does), <c>"days_covered"</c> and <c>"days_in_period"</c>.
/// </summary>
internal static class CohortJson
{
    public static string Write(IReadOnlyList<CohortRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("cohorts");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("cohort", row.Key);
                json.WriteNumber("size", row.Size);
                json.WriteStartArray("periods");
                for (var k = 0; k < row.Cells.Count; k++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("offset", k);
                    if (row.Cells[k] is { } cell)
                    {
                        json.WriteNumber("active", cell.Active);
                        json.WritePropertyName("rate");
                        json.WriteRawValue(cell.Rate(row.Size).ToString("R", CultureInfo.InvariantCulture));
                        json.WritePropertyName("revenue");
                        json.WriteRawValue(MoneyText.Format(cell.Revenue));
                        json.WriteNumber("orders", cell.Orders);
                    }
                    else
                    {
                        json.WriteNull("active");
                        json.WriteNull("rate");
                        json.WriteNull("revenue");
                        json.WriteNull("orders");
                    }
                    var coverage = row.Coverage[k];
                    json.WriteBoolean("partial", coverage.Partial);
                    json.WriteNumber("days_covered", coverage.DaysCovered);
                    json.WriteNumber("days_in_period", coverage.DaysInPeriod);
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
