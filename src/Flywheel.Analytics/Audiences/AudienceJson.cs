using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Analytics.Funnels;
using Flywheel.Primitives;
using Flywheel.Analytics.Storage;

namespace Flywheel.Analytics.Audiences;

/// <summary>
/// Audience JSON, shared by the CLI (<c>flywheel audiences ... --format json</c>) and HTTP (<c>/v1/audiences</c>). Contracts:
/// <list type="bullet">
/// <item>an audience: <c>{"name","title","kind","members","anonymous","created_at","refreshed_at","definition"}</c>, members and
/// anonymous being counts, times ISO 8601 UTC, definition the stored JSON object;</item>
/// <item>a list: <c>{"audiences":[audience without definition, ...]}</c> by name;</item>
/// <item>a page of members: <c>{"audience","members":[{"customer_id"}],"next_after"}</c>, next_after null on the last page;</item>
/// <item>a funnel drop-off definition: <c>{"funnel":{"steps","window_seconds","mode","from","to"},"dropped_after"}</c>.</item>
/// </list>
/// </summary>
internal static class AudienceJson
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string WriteAudience(StoredAudience audience) => Write(Indented, json => Audience(json, audience, withDefinition: true));

    public static string WriteList(IEnumerable<StoredAudience> audiences) => Write(Indented, json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("audiences");
        foreach (var audience in audiences) Audience(json, audience, withDefinition: false);
        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <param name="nextAfter">The value to pass as <c>after</c> for the next page; null when this page is the last.</param>
    public static string WriteMembers(string name, IEnumerable<string> members, string? nextAfter) => Write(Indented, json =>
    {
        json.WriteStartObject();
        json.WriteString("audience", name);
        json.WriteStartArray("members");
        foreach (var member in members)
        {
            json.WriteStartObject();
            json.WriteString("customer_id", member);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (nextAfter is null) json.WriteNull("next_after"); else json.WriteString("next_after", nextAfter);
        json.WriteEndObject();
    });

    /// <summary>The <c>audience</c> object of a funnel response that saved one: <c>{"name","title","dropped_after","members","anonymous_dropped"}</c>.</summary>
    public static void WriteSaved(Utf8JsonWriter json, SavedFunnelAudience saved)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(saved);
        json.WriteStartObject();
        json.WriteString("name", saved.Audience.Name);
        if (saved.Audience.Title is null) json.WriteNull("title"); else json.WriteString("title", saved.Audience.Title);
        json.WriteNumber("dropped_after", saved.DropOff.DroppedAfter);
        json.WriteNumber("members", saved.Audience.MemberCount);
        json.WriteNumber("anonymous_dropped", saved.DropOff.AnonymousVisitors);
        json.WriteEndObject();
    }

    public static string WriteFunnelDefinition(FunnelAudienceDefinition definition) => Write(Compact, json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("funnel");
        json.WriteStartArray("steps");
        foreach (var step in definition.Steps) json.WriteStringValue(step.Label);
        json.WriteEndArray();
        json.WriteNumber("window_seconds", definition.WindowSeconds);
        json.WriteString("mode", ModeName(definition.Mode));
        Day(json, "from", definition.From);
        Day(json, "to", definition.To);
        json.WriteEndObject();
        json.WriteNumber("dropped_after", definition.DroppedAfter);
        json.WriteEndObject();
    });

    public static Result<FunnelAudienceDefinition> ReadFunnelDefinition(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var funnel = root.GetProperty("funnel");
            var steps = new List<FunnelStep>();
            foreach (var text in funnel.GetProperty("steps").EnumerateArray())
            {
                var step = FunnelStep.Parse(text.GetString() ?? "");
                if (!step.TryGetValue(out var parsed, out var error)) return Stored(error.Message);
                steps.Add(parsed);
            }
            var mode = Enum.GetValues<FunnelMode>().Where(m => ModeName(m) == funnel.GetProperty("mode").GetString()).ToList();
            if (mode.Count != 1) return Stored($"unknown mode '{funnel.GetProperty("mode").GetString()}'");
            return new FunnelAudienceDefinition(steps, funnel.GetProperty("window_seconds").GetInt32(), mode[0],
                ReadDay(funnel, "from"), ReadDay(funnel, "to"), root.GetProperty("dropped_after").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Stored(e.Message);
        }

        static Error Stored(string why) => Error.Invalid("definition", "the stored funnel definition cannot be read: " + why);
    }

    /// <summary>The mode as requests spell it: default, strict_order, strict_increase, strict_once.</summary>
    public static string ModeName(FunnelMode mode) => mode switch
    {
        FunnelMode.StrictOrder => "strict_order",
        FunnelMode.StrictIncrease => "strict_increase",
        FunnelMode.StrictOnce => "strict_once",
        _ => "default",
    };

    /// <summary>UTC, to the second: 2026-11-01T04:00:00Z.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void Audience(Utf8JsonWriter json, StoredAudience a, bool withDefinition)
    {
        json.WriteStartObject();
        json.WriteString("name", a.Name);
        if (a.Title is null) json.WriteNull("title"); else json.WriteString("title", a.Title);
        json.WriteString("kind", a.Kind);
        json.WriteNumber("members", a.MemberCount);
        json.WriteNumber("anonymous", a.AnonymousCount);
        json.WriteString("created_at", Time(a.CreatedAt));
        json.WriteString("refreshed_at", Time(a.RefreshedAt));
        if (withDefinition)
        {
            json.WritePropertyName("definition");
            // The stored text is JSON the producing feature wrote; an unreadable one is shown as a string rather than failing the read.
            try
            {
                using var definition = JsonDocument.Parse(a.Definition);
                definition.RootElement.WriteTo(json);
            }
            catch (JsonException)
            {
                json.WriteStringValue(a.Definition);
            }
        }
        json.WriteEndObject();
    }

    private static void Day(Utf8JsonWriter json, string name, DateOnly? day)
    {
        if (day is { } d) json.WriteString(name, d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        else json.WriteNull(name);
    }

    private static DateOnly? ReadDay(JsonElement parent, string name) =>
        parent.GetProperty(name) is { ValueKind: JsonValueKind.String } day
            ? DateOnly.ParseExact(day.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;

    private static string Write(JsonWriterOptions options, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, options)) write(json);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
