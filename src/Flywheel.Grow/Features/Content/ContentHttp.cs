using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;

namespace Flywheel.Grow.Features.Content;

/// <summary>
/// JSON of the content, trial and keyword surfaces: snake_case names, money in fen (long), ratios as numbers (null when their
/// denominator is 0), Chinese unescaped.
/// </summary>
internal static class ContentHttp
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) => TypedResults.Json(value, Options, "application/json", status);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Indented);

    /// <summary>The store's time zone (setting time_zone, default Asia/Shanghai): local days and times in CSVs are read in it.</summary>
    public static async Task<DateTimeZone> ZoneAsync(FlywheelStore store, CancellationToken ct) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>Yuan with two decimals for text output ("1,280.50").</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("N2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A ratio as a percentage for text output, "-" when there is none.</summary>
    public static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "%" : "-";

    public static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
