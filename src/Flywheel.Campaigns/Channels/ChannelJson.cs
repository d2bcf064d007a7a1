using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Flywheel.Campaigns.Channels;

internal static class ChannelJson
{
    // Chinese stays readable in bodies and logs instead of \uXXXX; HTML-sensitive characters are still escaped.
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);
}
