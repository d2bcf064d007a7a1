using System.Globalization;
using System.Text.Json;

namespace Flywheel.Ingestion.Parsing;

/// <summary>
/// A JSON object as an input record (an NDJSON line, an item of an HTTP batch). Field names are the CSV
/// column names. Strings and numbers are read as text (numbers by their exact digits, so 12.50 stays exact);
/// an object under "properties" is kept as JSON text; other JSON types are reported as errors by <see cref="TypeError"/>.
/// A number or boolean is accepted only by the contract's numeric fields (quantity, amounts, value, impressions ...) and,
/// for booleans, the consent fields: every text field refuses them (<see cref="NotText"/>), so nothing is silently coerced.
/// </summary>
internal sealed class JsonRecordFields : IRecordFields
{
    private readonly JsonElement _element;
    private readonly string _path;

    /// <param name="path">The JSON path of the object, e.g. "$.events[3]" or "file.ndjson:12: $".</param>
    public JsonRecordFields(JsonElement element, string path)
    {
        _element = element;
        _path = path;
    }

    public bool Has(string column) => _element.ValueKind == JsonValueKind.Object && _element.TryGetProperty(column, out _);

    public string? Get(string column)
    {
        if (_element.ValueKind != JsonValueKind.Object || !_element.TryGetProperty(column, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Object when column == "properties" => value.GetRawText(),
            JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
            _ => null,
        };
    }

    public string Where(string column) => $"{_path}.{column}";

    public string? NotText(string column)
    {
        if (_element.ValueKind != JsonValueKind.Object || !_element.TryGetProperty(column, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => null,
        };
    }

    /// <summary>
    /// The first property whose JSON type cannot stand for a CSV field (an array or object where text is
    /// expected, properties that is not an object), as an error with its path; null when all are fine.
    /// </summary>
    public Primitives.Error? TypeError()
    {
        if (_element.ValueKind != JsonValueKind.Object)
            return Primitives.Error.Invalid(_path, $"expected a JSON object, got {_element.ValueKind.ToString().ToLowerInvariant()}");
        foreach (var property in _element.EnumerateObject())
        {
            var kind = property.Value.ValueKind;
            // NameEquals compares the raw UTF-8 name; property.Name would allocate a string per field of every record.
            if (property.NameEquals("properties"u8))
            {
                if (kind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.String))
                    return Primitives.Error.Invalid(Where(property.Name), "must be a JSON object");
                continue;
            }
            if (property.NameEquals("lines"u8)) continue;
            if (kind is JsonValueKind.Object or JsonValueKind.Array)
                return Primitives.Error.Invalid(Where(property.Name), $"expected a string or a number, got {kind.ToString().ToLowerInvariant()}");
        }
        return null;
    }

    public static string Index(string arrayPath, int index) => string.Create(CultureInfo.InvariantCulture, $"{arrayPath}[{index}]");
}
