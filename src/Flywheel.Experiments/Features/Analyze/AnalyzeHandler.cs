using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Features.Analyze;

/// <summary>
/// The analyze use case shared by <c>POST /v1/experiments/analyze</c> and <c>flywheel experiments analyze FILE.json</c>: the document
/// (<see cref="AnalyzeInput"/>) through <see cref="ExperimentStatistics.Analyze"/>. Pure: no store, no clock.
/// </summary>
internal sealed class AnalyzeHandler
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public Result<AnalysisResult> Handle(JsonElement root)
    {
        var request = AnalyzeInput.Parse(root);
        return request.TryGetValue(out var r, out var error) ? ExperimentStatistics.Analyze(r) : error;
    }

    /// <summary>
    /// The document as bytes (a file): refused when over <paramref name="maxBytes"/>, not UTF-8 (naming the byte), not JSON or with a
    /// key given twice (naming the path); then <see cref="Handle(JsonElement)"/>. A UTF-8 byte-order mark is allowed.
    /// </summary>
    public Result<AnalysisResult> Handle(ReadOnlySpan<byte> bytes, long maxBytes)
    {
        if (bytes.Length > maxBytes)
            return Error.TooLarge(string.Create(CultureInfo.InvariantCulture, $"the document is {bytes.Length} bytes; at most {maxBytes} are accepted"));
        if (bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        if (!Utf8.IsValid(bytes))
        {
            var at = 0;
            while (at < bytes.Length && System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out var used) == System.Buffers.OperationStatus.Done) at += used;
            return Error.Malformed("$", string.Create(CultureInfo.InvariantCulture, $"the document is not valid UTF-8 (byte {at + 1}): save it encoded as UTF-8"));
        }
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray(), DocumentOptions);
            return Handle(document.RootElement);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? DuplicateAt(bytes) ?? "$" : e.Path;
            var where = e.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {e.BytePositionInLine + 1}") : "";
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return Error.Malformed(path, $"the document is not valid JSON{where}: {(cut > 0 ? message[..cut] : message)}");
        }
    }

    /// <summary>The path of the first object holding a key twice (System.Text.Json's message names the key, not where), or null.</summary>
    private static string? DuplicateAt(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            return Walk(document.RootElement, "$");
        }
        catch (JsonException)
        {
            return null;
        }

        static string? Walk(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    if (Walk(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]")) is { } found) return found;
                return null;
            }
            if (element.ValueKind != JsonValueKind.Object) return null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!seen.Add(property.Name)) return $"{path}.{property.Name}";
                if (Walk(property.Value, $"{path}.{property.Name}") is { } found) return found;
            }
            return null;
        }
    }
}

/// <summary>The JSON of the analyze and sample-size answers: snake_case, undefined numbers as null (never NaN).</summary>
internal static class AnalyzeJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = indented,
    };
}
