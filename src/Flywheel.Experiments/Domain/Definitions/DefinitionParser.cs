using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Domain.Definitions;

/// <summary>
/// Reads and writes an experiment definition's JSON:
/// <c>{"key", "name", "hypothesis", "unit", "variants": [{"key", "name", "weight", "holdout"}], "traffic", "segment", "window_days",
/// "confidence", "metrics": {"primary", "secondary", "guardrails"}}</c>. Unknown fields and duplicate keys are refused; every error
/// names its JSON path ("$.variants[1].weight"). Walks the document by hand rather than binding it, so a huge number or a wrong type
/// gets the field's own message instead of a serializer's.
/// </summary>
internal static class DefinitionParser
{
    // Duplicate keys are refused here too, for files the CLI reads (HTTP bodies are refused earlier by RequestBody).
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    private static readonly string[] Fields = ["key", "name", "hypothesis", "unit", "variants", "traffic", "segment", "window_days", "confidence", "metrics"];
    private static readonly string[] VariantFields = ["key", "name", "weight", "holdout"];
    private static readonly string[] MetricFields = ["primary", "secondary", "guardrails"];

    /// <summary>Parses JSON text (a file): malformed JSON is a <see cref="ErrorKind.Malformed"/> error, the rest as <see cref="Parse(JsonElement)"/>.</summary>
    public static Result<ExperimentDefinition> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, DocumentOptions);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            var where = e.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {e.BytePositionInLine + 1}") : "";
            var message = e.Message.Split(" LineNumber:", 2)[0];
            return Error.Malformed(path, $"not valid JSON{where}: {message}");
        }
    }

    /// <summary>The definition a JSON object gives, or the first error, naming its path.</summary>
    public static Result<ExperimentDefinition> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return Error.Invalid("$", "an experiment definition is a JSON object");
        if (Unknown(root, "$", Fields) is { } unknown) return unknown;

        if (!Text(root, "$", "key", required: true).TryGetValue(out var key, out var error)) return error;
        if (!ExperimentCatalog.IsKey(key, ExperimentCatalog.MaxExperimentKeyLength))
            return Error.Invalid("$.key", $"key is 1 to {ExperimentCatalog.MaxExperimentKeyLength} characters of a-z, 0-9, '_' and '-'");
        if (ExperimentCatalog.ReservedKeys.Contains(key!))
            return Error.Invalid("$.key", $"'{key}' names an endpoint (/v1/experiments/{key}); choose another key");
        if (!Text(root, "$", "name", required: true).TryGetValue(out var name, out error)) return error;
        if (NameError("$.name", name, ExperimentCatalog.MaxNameLength) is { } badName) return badName;
        if (!Text(root, "$", "hypothesis", required: false).TryGetValue(out var hypothesis, out error)) return error;
        if (hypothesis is not null && TextError("$.hypothesis", hypothesis, ExperimentCatalog.MaxHypothesisLength, multiline: true) is { } badHypothesis) return badHypothesis;
        if (!Text(root, "$", "unit", required: false).TryGetValue(out var unit, out error)) return error;
        unit ??= ExperimentCatalog.Customer;
        if (!ExperimentCatalog.Units.Contains(unit)) return Error.Invalid("$.unit", $"unit is {string.Join(" or ", ExperimentCatalog.Units)}, not '{unit}'");

        if (!Variants(root).TryGetValue(out var variants, out error)) return error;

        var traffic = ExperimentCatalog.DefaultTraffic;
        if (root.TryGetProperty("traffic", out var trafficValue) && trafficValue.ValueKind != JsonValueKind.Null)
        {
            if (trafficValue.ValueKind != JsonValueKind.Number || !trafficValue.TryGetDouble(out traffic) || !double.IsFinite(traffic) || traffic is not (> 0 and <= 1))
                return Error.Invalid("$.traffic", "traffic is the share of units in the experiment: a number above 0 and at most 1");
        }

        if (!Text(root, "$", "segment", required: false).TryGetValue(out var segment, out error)) return error;
        if (segment is not null)
        {
            if (unit != ExperimentCatalog.Customer) return Error.Invalid("$.segment", "only an experiment on customer units can target a segment (anonymous units have no segments)");
            if (TextError("$.segment", segment, ExperimentCatalog.MaxSegmentLength, multiline: false) is { } badSegment) return badSegment;
        }

        var windowDays = ExperimentCatalog.DefaultWindowDays;
        if (root.TryGetProperty("window_days", out var windowValue) && windowValue.ValueKind != JsonValueKind.Null)
        {
            if (!WholeNumber(windowValue, ExperimentCatalog.MinWindowDays, ExperimentCatalog.MaxWindowDays, out windowDays))
                return Error.Invalid("$.window_days", $"window_days is a whole number of days from {ExperimentCatalog.MinWindowDays} to {ExperimentCatalog.MaxWindowDays}");
        }

        var confidence = ExperimentCatalog.DefaultConfidence;
        if (root.TryGetProperty("confidence", out var confidenceValue) && confidenceValue.ValueKind != JsonValueKind.Null)
        {
            if (confidenceValue.ValueKind != JsonValueKind.Number || !confidenceValue.TryGetDouble(out confidence) || !double.IsFinite(confidence)
                || confidence is < ExperimentCatalog.MinConfidence or > ExperimentCatalog.MaxConfidence)
                return Error.Invalid("$.confidence", string.Create(CultureInfo.InvariantCulture,
                    $"confidence is the level of the intervals, from {ExperimentCatalog.MinConfidence:0.00} to {ExperimentCatalog.MaxConfidence:0.000} (0.95 for 95%)"));
        }

        if (!Metrics(root).TryGetValue(out var metrics, out error)) return error;
        return new ExperimentDefinition(key!, name!.Trim(), hypothesis, unit, variants, traffic, segment, windowDays, confidence, metrics);
    }

    /// <summary>The definition as JSON in the format <see cref="Parse(string)"/> reads (every field written, defaults included).</summary>
    public static string Write(ExperimentDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, definition);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the definition's fields as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, ExperimentDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(definition);
        writer.WriteStartObject();
        writer.WriteString("key", definition.Key);
        writer.WriteString("name", definition.Name);
        if (definition.Hypothesis is null) writer.WriteNull("hypothesis");
        else writer.WriteString("hypothesis", definition.Hypothesis);
        writer.WriteString("unit", definition.Unit);
        writer.WriteStartArray("variants");
        foreach (var v in definition.Variants)
        {
            writer.WriteStartObject();
            writer.WriteString("key", v.Key);
            writer.WriteString("name", v.Name);
            writer.WriteNumber("weight", v.Weight);
            writer.WriteBoolean("holdout", v.Holdout);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("traffic", definition.Traffic);
        if (definition.Segment is null) writer.WriteNull("segment");
        else writer.WriteString("segment", definition.Segment);
        writer.WriteNumber("window_days", definition.WindowDays);
        writer.WriteNumber("confidence", definition.Confidence);
        writer.WriteStartObject("metrics");
        writer.WriteString("primary", definition.Metrics.Primary);
        writer.WriteStartArray("secondary");
        foreach (var m in definition.Metrics.Secondary) writer.WriteStringValue(m);
        writer.WriteEndArray();
        writer.WriteStartArray("guardrails");
        foreach (var m in definition.Metrics.Guardrails) writer.WriteStringValue(m);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static Result<IReadOnlyList<VariantDefinition>> Variants(JsonElement root)
    {
        if (!root.TryGetProperty("variants", out var list) || list.ValueKind == JsonValueKind.Null)
            return Error.Invalid("$.variants", $"variants is required: {ExperimentCatalog.MinVariants} to {ExperimentCatalog.MaxVariants} variants, the control first");
        if (list.ValueKind != JsonValueKind.Array) return Error.Invalid("$.variants", "variants is a list of variants, the control first");
        var count = list.GetArrayLength();
        if (count is < ExperimentCatalog.MinVariants or > ExperimentCatalog.MaxVariants)
            return Error.Invalid("$.variants", $"an experiment has {ExperimentCatalog.MinVariants} to {ExperimentCatalog.MaxVariants} variants (the control first), not {count}");
        var variants = new List<VariantDefinition>(count);
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"$.variants[{i++}]");
            if (item.ValueKind != JsonValueKind.Object) return Error.Invalid(at, "a variant is an object: {\"key\": \"b\", \"weight\": 50}");
            if (Unknown(item, at, VariantFields) is { } unknown) return unknown;
            if (!Text(item, at, "key", required: true).TryGetValue(out var key, out var error)) return error;
            if (!ExperimentCatalog.IsKey(key, ExperimentCatalog.MaxKeyLength))
                return Error.Invalid(at + ".key", $"a variant's key is 1 to {ExperimentCatalog.MaxKeyLength} characters of a-z, 0-9, '_' and '-'");
            if (variants.Any(v => v.Key == key)) return Error.Invalid(at + ".key", $"two variants are keyed '{key}': keys are unique");
            if (!Text(item, at, "name", required: false).TryGetValue(out var name, out error)) return error;
            if (name is not null && NameError(at + ".name", name, ExperimentCatalog.MaxNameLength) is { } badName) return badName;
            if (!item.TryGetProperty("weight", out var weightValue) || weightValue.ValueKind == JsonValueKind.Null
                || !WholeNumber(weightValue, ExperimentCatalog.MinWeight, ExperimentCatalog.MaxWeight, out var weight))
                return Error.Invalid(at + ".weight", $"weight is a whole number from {ExperimentCatalog.MinWeight} to {ExperimentCatalog.MaxWeight} (shares are weight / sum of weights)");
            var holdout = false;
            if (item.TryGetProperty("holdout", out var holdoutValue) && holdoutValue.ValueKind != JsonValueKind.Null)
            {
                if (holdoutValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return Error.Invalid(at + ".holdout", "holdout is true or false");
                holdout = holdoutValue.GetBoolean();
            }
            if (holdout && variants.FirstOrDefault(v => v.Holdout) is { } other)
                return Error.Invalid(at + ".holdout", $"variant '{other.Key}' is the holdout already: at most one variant receives nothing");
            variants.Add(new VariantDefinition(key!, name?.Trim() ?? key!, weight, holdout));
        }
        return variants;
    }

    private static Result<MetricSelection> Metrics(JsonElement root)
    {
        if (!root.TryGetProperty("metrics", out var metrics) || metrics.ValueKind == JsonValueKind.Null)
            return new MetricSelection(ExperimentCatalog.DefaultPrimary, [], []);
        if (metrics.ValueKind != JsonValueKind.Object) return Error.Invalid("$.metrics", "metrics is an object: {\"primary\": \"conversion\", \"secondary\": [...], \"guardrails\": [...]}");
        if (Unknown(metrics, "$.metrics", MetricFields) is { } unknown) return unknown;
        if (!Text(metrics, "$.metrics", "primary", required: true).TryGetValue(out var primary, out var error)) return error;
        if (MetricError("$.metrics.primary", primary!) is { } badPrimary) return badPrimary;
        if (!Names(metrics, "secondary").TryGetValue(out var secondary, out error)) return error;
        if (!Names(metrics, "guardrails").TryGetValue(out var guardrails, out error)) return error;
        return new MetricSelection(primary!, secondary, guardrails);
    }

    private static Result<IReadOnlyList<string>> Names(JsonElement metrics, string field)
    {
        var at = "$.metrics." + field;
        if (!metrics.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null) return Result<IReadOnlyList<string>>.Success([]);
        if (list.ValueKind != JsonValueKind.Array) return Error.Invalid(at, $"{field} is a list of metric names ({string.Join(", ", ExperimentCatalog.Metrics)})");
        var names = new List<string>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{at}[{i++}]");
            if (item.ValueKind != JsonValueKind.String) return Error.Invalid(path, "a metric name is a string");
            var name = item.GetString()!;
            if (MetricError(path, name) is { } bad) return bad;
            if (names.Contains(name)) return Error.Invalid(path, $"'{name}' is listed twice");
            names.Add(name);
        }
        return names;
    }

    private static Error? MetricError(string path, string name) =>
        ExperimentCatalog.Metrics.Contains(name) ? null : Error.Invalid(path, $"no metric '{Shown(name)}': the metrics are {string.Join(", ", ExperimentCatalog.Metrics)}");

    /// <summary>A string field: null when absent or null (an error if required), an error when not a string.</summary>
    private static Result<string?> Text(JsonElement parent, string at, string field, bool required)
    {
        var path = at + "." + field;
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? Error.Invalid(path, $"{field} is required") : Result<string?>.Success(null);
        if (value.ValueKind != JsonValueKind.String) return Error.Invalid(path, $"{field} is a string, not {Kind(value)}");
        return value.GetString();
    }

    private static Error? NameError(string path, string? name, int max) =>
        string.IsNullOrWhiteSpace(name) ? Error.Invalid(path, $"a name of 1 to {max} characters is required") : TextError(path, name, max, multiline: false);

    private static Error? TextError(string path, string text, int max, bool multiline)
    {
        if (text.Length > max) return Error.Invalid(path, $"at most {max} characters, not {text.Length}");
        if (text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t'))) return Error.Invalid(path, "control characters are not allowed");
        if (path == "$.segment" && string.IsNullOrWhiteSpace(text)) return Error.Invalid(path, "an empty segment name: leave segment out (or null) to target everyone");
        return null;
    }

    private static bool WholeNumber(JsonElement value, int min, int max, out int number)
    {
        number = 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < min || n > max) return false;
        number = (int)n;
        return true;
    }

    private static Error? Unknown(JsonElement obj, string at, string[] known)
    {
        foreach (var property in obj.EnumerateObject())
            if (!known.Contains(property.Name, StringComparer.Ordinal))
                return Error.Invalid(at + "." + Shown(property.Name), $"unknown field '{Shown(property.Name)}': the fields are {string.Join(", ", known)}");
        return null;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "that",
    };

    /// <summary>A name as shown in a message: at most 60 characters, control characters as '?'.</summary>
    private static string Shown(string text)
    {
        var cut = text.Length > 60 ? text[..60] + "…" : text;
        return new string([.. cut.Select(c => char.IsControl(c) ? '?' : c)]);
    }
}
