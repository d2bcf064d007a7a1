using System.Globalization;
using System.Text.Json.Nodes;
using Flywheel.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flywheel.Campaigns.Journeys;

/// <summary>
/// Journeys written in YAML, the same shape as <see cref="JourneyJson"/>: the document becomes a JSON tree that the JSON
/// reader walks, so errors name the same paths (<c>$.steps[2].duration</c>). Unquoted scalars are typed as YAML 1.2's
/// core schema does (null/~, true/false, integers, decimals); a text field accepts an unquoted number too.
/// </summary>
internal static class JourneyYaml
{
    /// <summary>Parses one journey (shape only).</summary>
    public static Result<Journey> Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var tree = ToJson(yaml);
        if (!tree.TryGetValue(out var node, out var error)) return error;
        return JourneyJson.FromNode(node, lenientScalars: true);
    }

    /// <summary>Parses, then validates; the error is the first problem found.</summary>
    public static Result<Journey> ParseAndValidate(string yaml, JourneyValidationContext? context = null) =>
        JourneyJson.Validated(Parse(yaml), context);

    /// <summary>The first YAML document as a JSON tree.</summary>
    public static Result<JsonNode?> ToJson(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return Error.Invalid("$", string.Create(CultureInfo.InvariantCulture, $"not valid YAML: line {e.Start.Line}, column {e.Start.Column}: {e.Message}"));
        }
        if (stream.Documents.Count == 0) return Error.Invalid("$", "the YAML document is empty");
        try
        {
            return Convert(stream.Documents[0].RootNode, "$");
        }
        catch (ShapeFailure e)
        {
            return Error.Invalid(e.Path, e.Message);
        }
    }

    private static JsonNode? Convert(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var o = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode { Value: { } k } ? k : throw new ShapeFailure(path, "a key is plain text");
                    if (o.ContainsKey(name)) throw new ShapeFailure(path + "." + name, $"the key \"{name}\" appears twice");
                    o[name] = Convert(value, path + "." + name);
                }
                return o;
            case YamlSequenceNode seq:
                var a = new JsonArray();
                var i = 0;
                foreach (var item in seq.Children) a.Add(Convert(item, $"{path}[{i++}]"));
                return a;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new ShapeFailure(path, "aliases and other YAML node kinds are not supported");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return JsonValue.Create(n);
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(text);
    }

    private sealed class ShapeFailure(string path, string message) : Exception(message)
    {
        public string Path { get; } = path;
    }
}
