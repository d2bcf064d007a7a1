using System.Globalization;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Flywheel.Server.Http;

/// <summary>One rejected item of a request: its index in the batch (null for the request as a whole), a JSON path, what to fix.</summary>
public sealed record ItemError(int? Index, string Path, string Message);

/// <summary>
/// Every error the API returns is a ProblemDetails with one of these stable <c>type</c> URIs; clients branch
/// on the type, people read the detail.
/// </summary>
internal static class Problems
{
    private const string Base = "https://flywheel.dev/problems/";
    public const string InvalidInput = Base + "invalid-input";
    public const string MalformedJson = Base + "malformed-json";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string TooManyItemsType = Base + "too-many-items";
    public const string UnknownSku = Base + "unknown-sku";
    public const string Conflict = Base + "conflict";
    public const string StoreUnavailable = Base + "store-unavailable";
    public const string NotFound = Base + "not-found";
    public const string Internal = Base + "internal-error";

    // Error codes produced at the HTTP edge (the parsers and the store produce invalid, not_found, conflict).
    public const string MalformedJsonCode = "malformed_json";
    public const string UnsupportedMediaTypeCode = "unsupported_media_type";

    public static ProblemHttpResult Create(int status, string type, string title, string detail, IReadOnlyList<ItemError>? errors = null,
        IDictionary<string, object?>? extra = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        if (errors is not null) problem.Extensions["errors"] = errors;
        if (extra is not null)
            foreach (var (key, value) in extra) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Invalid(string detail, IReadOnlyList<ItemError> errors) =>
        Create(StatusCodes.Status400BadRequest, InvalidInput, "The request has invalid input", detail, errors);

    public static ProblemHttpResult Invalid(Error error, int? index = null) =>
        Invalid(error.ToString(), [new ItemError(index, error.Path ?? "$", error.Message)]);

    public static ProblemHttpResult ConflictWith(Error error, int? index = null) =>
        Create(StatusCodes.Status409Conflict, Conflict, "The request conflicts with stored data", error.ToString(),
            [new ItemError(index, error.Path ?? "$", error.Message)]);

    public static ProblemHttpResult Missing(Error error) =>
        Create(StatusCodes.Status404NotFound, NotFound, "Not found", error.ToString(), [new ItemError(null, error.Path ?? "$", error.Message)]);

    public static ProblemHttpResult TooManyItems(string what, int count, int max) =>
        Create(StatusCodes.Status413PayloadTooLarge, TooManyItemsType, "Too many items in one request",
            string.Create(CultureInfo.InvariantCulture, $"the request carries {count} {what}; at most {max} are accepted per request: split it into smaller batches"),
            extra: new Dictionary<string, object?> { ["count"] = count, ["max"] = max });

    /// <summary>Maps an error from reading the body (see <see cref="RequestBody"/>) to its problem.</summary>
    public static ProblemHttpResult FromBodyError(Error error) => error.Code switch
    {
        "too_large" => Create(StatusCodes.Status413PayloadTooLarge, PayloadTooLarge, "The request body is too large", error.Message),
        UnsupportedMediaTypeCode => Create(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaType, "Unsupported content type", error.Message),
        MalformedJsonCode => Create(StatusCodes.Status400BadRequest, MalformedJson, "The body is not valid JSON", error.Message,
            [new ItemError(null, error.Path ?? "$", error.Message)]),
        _ => Invalid(error),
    };

    /// <summary>An input error (with its JSON path) as an item of a problem's error list.</summary>
    public static ItemError FromError(int? index, Error error) => new(index, JsonPath(error.Path), error.Message);

    /// <summary>Store errors name places relative to the request ("lines[0].sku"); responses use JSON paths ("$.lines[0].sku").</summary>
    public static string JsonPath(string? path) => path is null ? "$" : path.StartsWith('$') ? path : "$." + path;

    public static string Describe(IReadOnlyList<ItemError> errors, int items, string noun)
    {
        var first = errors[0];
        var more = errors.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (and {errors.Count - 1} more; see errors)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{errors.Count} of {items} {noun} are invalid and nothing was written: fix them and resend, or pass ?partial=true to store the valid ones. First: {first.Path}: {first.Message}{more}");
    }
}
