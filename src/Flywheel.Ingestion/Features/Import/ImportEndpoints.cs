using Flywheel.Hosting.Access;
using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Http;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Ingestion.Features.Import;

/// <summary>
/// The shape of POST /v1/imports: a file's text with what <c>flywheel import</c> takes as options. <c>mapping</c> is a shipped
/// mapping's name (taobao, jd, ...) or a mapping's YAML text.
/// </summary>
internal sealed record ImportUpload(string Kind, string Data, string? Format, string? Mapping, string? Assume, bool? CreateMissing, bool? SkipBad);

/// <summary><c>POST /v1/imports</c>: the import command over HTTP, same importer, same summary, all or nothing unless skip_bad.</summary>
internal static class ImportEndpoints
{
    /// <summary>Rejected rows returned with a skip_bad answer (all of them are counted by reason).</summary>
    public const int MaxRejectsShown = 100;

    public static void MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Imports")
            .MapPost("/imports", ImportAsync).Requires(Permission.IngestWrite)
            .WithName("Import")
            .WithSummary("Import a CSV or NDJSON file's text (customers, products, orders, events or spend), optionally through a mapping")
            .WithDescription("The same importer as `flywheel import`: all or nothing unless skip_bad, then the refused rows come back with their reasons " +
                             "(the first 100) and a count per reason. mapping is a shipped mapping's name or a mapping's YAML (docs/import-mappings.md).")
            .Accepts<ImportUpload>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    internal static async Task<Results<Ok<Dictionary<string, object?>>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, FlywheelStore store, IngestionOptions options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;
        var fields = new JsonRecordFields(body.Root, "$");
        if (fields.TypeError() is { } typeError) return Problems.Invalid(typeError);
        var parsed = Parse(body.Root);
        if (!parsed.TryGetValue(out var upload, out var uploadError)) return Problems.Invalid(uploadError);

        var folder = Path.Combine(Path.GetTempPath(), "flywheel-upload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, upload.Format == FileFormat.Ndjson ? "upload.ndjson" : "upload.csv");
            await File.WriteAllTextAsync(path, upload.Data, new UTF8Encoding(false), ct);
            var result = await Importer.ImportAsync(store, upload.Request with { Path = path }, null, ct);
            if (!result.Succeeded)
            {
                var error = result.Error!;
                return (error.Kind == ErrorKind.NotFound ? error with { Kind = ErrorKind.Validation } : error).ToProblem();
            }
            var summary = ImportSummary.Of(result);
            summary["file"] = null;
            summary["rejects_file"] = null;
            if (result.RejectsPath is { } rejects && File.Exists(rejects))
                summary["rejects"] = File.ReadLines(rejects).Skip(upload.Format == FileFormat.Ndjson ? 0 : 1).Take(MaxRejectsShown).ToList();
            return TypedResults.Ok(summary);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Upload(ImportRequest Request, string Data, FileFormat Format);

    private static Result<Upload> Parse(JsonElement root)
    {
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        foreach (var property in root.EnumerateObject())
        {
            var expected = property.Name is "create_missing" or "skip_bad" ? new[] { JsonValueKind.True, JsonValueKind.False } : [JsonValueKind.String];
            if (property.Name is not ("kind" or "data" or "format" or "mapping" or "assume" or "create_missing" or "skip_bad"))
                return Error.Invalid("$." + property.Name, "unknown field (known: kind, data, format, mapping, assume, create_missing, skip_bad)");
            if (property.Value.ValueKind != JsonValueKind.Null && !expected.Contains(property.Value.ValueKind))
                return Error.Invalid("$." + property.Name, property.Name is "create_missing" or "skip_bad" ? "expected true or false" : "expected a string");
        }
        var kindText = Text("kind");
        if (kindText is null || !Enum.TryParse<ImportKind>(kindText, ignoreCase: true, out var kind) || int.TryParse(kindText, out _))
            return Error.Invalid("$.kind", "expected customers, products, orders, events or spend");
        var data = Text("data");
        if (string.IsNullOrEmpty(data)) return Error.Invalid("$.data", "the file's text is required (a CSV with its header row, or NDJSON)");
        var format = Text("format") switch
        {
            null or "csv" => FileFormat.Csv,
            "ndjson" => FileFormat.Ndjson,
            _ => (FileFormat?)null,
        };
        if (format is null) return Error.Invalid("$.format", "expected csv or ndjson");
        ImportMapping? mapping = null;
        if (Text("mapping") is { Length: > 0 } mapText)
        {
            var loaded = ImportMapping.ShippedNames.Contains(mapText, StringComparer.Ordinal)
                ? ImportMapping.Load(mapText)
                : mapText.Contains(':', StringComparison.Ordinal)
                    ? ImportMapping.Parse(mapText, "mapping")
                    : Error.Invalid("$.mapping", $"no shipped mapping '{mapText}' (shipped: {string.Join(", ", ImportMapping.ShippedNames)}); or send the mapping's YAML");
            if (!loaded.TryGetValue(out mapping, out var mapError)) return mapError with { Path = "$.mapping", Message = $"{mapError.Path}: {mapError.Message}" };
        }
        var assume = Text("assume") switch
        {
            null => PaidAssumption.Unstated,
            "paid" => PaidAssumption.Paid,
            "pending" => PaidAssumption.Pending,
            _ => (PaidAssumption?)null,
        };
        if (assume is null) return Error.Invalid("$.assume", "expected paid or pending");
        bool Flag(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        return new Upload(new ImportRequest(kind, "", Flag("skip_bad"), Flag("create_missing"), format.Value, mapping, assume.Value), data, format.Value);
    }
}
