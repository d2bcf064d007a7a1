using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Analytics.Audiences;

namespace Flywheel.Analytics.Funnels;

/// <summary>
/// The funnel's JSON shape, shared by <c>flywheel report funnel --format json</c> and <c>POST /v1/funnels</c>. A contract:
/// <c>{"steps": [{"step", "customers", ...}]}</c> in step order, and when a drop-off audience was saved with it,
/// <c>"audience": {"name", "title", "dropped_after", "members", "anonymous_dropped"}</c> (see <see cref="AudienceJson.WriteSaved"/>).
/// </summary>
internal static class FunnelJson
{
    public static string Write(FunnelResult result, SavedFunnelAudience? audience = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("steps");
            for (var k = 0; k < result.Steps.Count; k++)
            {
                var s = result.Steps[k];
                json.WriteStartObject();
                json.WriteString("step", s.Step);
                json.WriteNumber("customers", s.Customers);
                Number(json, "conversion_from_previous", s.ConversionFromPrevious);
                Number(json, "conversion_from_first", s.ConversionFromFirst);
                json.WriteNumber("drop_off", s.DropOff);
                Number(json, "median_seconds", s.MedianSeconds);
                Number(json, "p90_seconds", s.P90Seconds);
                if (result.Breakdown.Count > 0)
                {
                    json.WriteStartArray("breakdown");
                    foreach (var row in result.Breakdown)
                    {
                        json.WriteStartObject();
                        json.WriteString("value", row.Value);
                        json.WriteNumber("customers", row.Customers[k]);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (audience is not null)
            {
                json.WritePropertyName("audience");
                AudienceJson.WriteSaved(json, audience);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, Math.Round(v, 6));
        else json.WriteNull(name);
    }

}
