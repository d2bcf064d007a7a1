using System.Text.Encodings.Web;
using System.Text.Json;

namespace Flywheel.Grow.Features;

/// <summary>The JSON of the channel matrix, stages and next-yuan endpoints and commands: snake_case, money in fen (fields ending _fen).</summary>
internal static class ChannelsJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = indented,
    };

    public static JsonWriterOptions Writer(bool indented) => new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = indented };

    /// <summary>Writes a ratio, or null when it is undefined (or not finite: JSON has no NaN).</summary>
    public static void Ratio(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, Math.Round(v, 6));
        else json.WriteNull(name);
    }

    public static void Fen(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
