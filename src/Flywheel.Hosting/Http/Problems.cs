using System.Globalization;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Flywheel.Hosting.Http;

/// <summary>One rejected item of a request: its index in the batch (null for the request as a whole), a JSON path, what to fix.</summary>
public sealed record ItemError(int? Index, string Path, string Message);

/// <summary>
/// Every error the API returns is an RFC 9457 ProblemDetails with one of these stable <c>type</c> URIs and an <c>errors</c>
/// list of <see cref="ItemError"/>; clients branch on the type, people read the detail. <see cref="ToProblem"/> is the one
/// place an <see cref="Error"/> becomes an HTTP answer: its <see cref="ErrorKind"/> decides the status, never its code text.
/// </summary>
public static class Problems
{
    private const string Base = "https://flywheel.dev/problems/";
    public const string InvalidInput = Base + "invalid-input";
    public const string MalformedJson = Base + "malformed-json";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string TooManyItemsType = Base + "too-many-items";
    public const string UnknownSku = Base + "unknown-sku";
    public const string Conflict = Base + "conflict";
    public const string Forbidden = Base + "forbidden";
    public const string Unprocessable = Base + "unprocessable";
    public const string StoreUnavailable = Base + "store-unavailable";
    public const string NotFound = Base + "not-found";
    public const string Internal = Base + "internal-error";

    /// <summary>Codes whose problem has a type of its own, more precise than their kind's.</summary>
    private static readonly Dictionary<string, string> TypeOfCode = new(StringComparer.Ordinal)
    {
        ["idempotency_mismatch"] = Base + "idempotency-key-reused",
        ["unknown_sku"] = UnknownSku,
    };

    /// <summary>
    /// The problem for an expected failure. The error's path becomes a JSON path ("lines[0].sku" → "$.lines[0].sku") and the
    /// single item of <c>errors</c>; <paramref name="index"/> is the item's place in a batch, when there is one.
    /// </summary>
    public static ProblemHttpResult ToProblem(this Error error, int? index = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (status, type, title) = error.Kind switch
        {
            ErrorKind.Malformed => (StatusCodes.Status400BadRequest, MalformedJson, "The body is not valid JSON"),
            ErrorKind.NotFound => (StatusCodes.Status404NotFound, NotFound, "Not found"),
            ErrorKind.Conflict => (StatusCodes.Status409Conflict, Conflict, "The request conflicts with stored data"),
            ErrorKind.Forbidden => (StatusCodes.Status403Forbidden, Forbidden, "Not allowed for this caller"),
            ErrorKind.Unprocessable => (StatusCodes.Status422UnprocessableEntity, Unprocessable, "The request cannot be processed as sent"),
            ErrorKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, PayloadTooLarge, "The request body is too large"),
            ErrorKind.UnsupportedFormat => (StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaType, "Unsupported content type"),
            ErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, StoreUnavailable, "The store is unavailable"),
            _ => (StatusCodes.Status400BadRequest, InvalidInput, "The request has invalid input"),
        };
        if (TypeOfCode.TryGetValue(error.Code, out var specific)) type = specific;
        var located = error with { Path = JsonPath(error.Path) };
        var detail = error.Kind is ErrorKind.TooLarge or ErrorKind.UnsupportedFormat or ErrorKind.Unavailable ? error.Message : located.ToString();
        return Create(status, type, title, detail, [new ItemError(index, located.Path!, error.Message)]);
    }

    public static ProblemHttpResult Create(int status, string type, string title, string detail, IReadOnlyList<ItemError>? errors = null,
        IDictionary<string, object?>? extra = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        if (errors is not null) problem.Extensions["errors"] = errors;
        if (extra is not null)
            foreach (var (key, value) in extra) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }

    /// <summary>The error as a 400, whatever its kind (a lookup that failed inside a request's own data is bad input).</summary>
    public static ProblemHttpResult Invalid(Error error, int? index = null) => (error with { Kind = ErrorKind.Validation }).ToProblem(index);

    /// <summary>The error as a 409.</summary>
    public static ProblemHttpResult ConflictWith(Error error, int? index = null) => (error with { Kind = ErrorKind.Conflict }).ToProblem(index);

    /// <summary>The error as a 404.</summary>
    public static ProblemHttpResult Missing(Error error) => (error with { Kind = ErrorKind.NotFound }).ToProblem();

    /// <summary>Several invalid items of one request (a batch) in one 400.</summary>
    public static ProblemHttpResult Invalid(string detail, IReadOnlyList<ItemError> errors) =>
        Create(StatusCodes.Status400BadRequest, InvalidInput, "The request has invalid input", detail, errors);

    public static ProblemHttpResult TooManyItems(string what, int count, int max) =>
        Create(StatusCodes.Status413PayloadTooLarge, TooManyItemsType, "Too many items in one request",
            string.Create(CultureInfo.InvariantCulture, $"the request carries {count} {what}; at most {max} are accepted per request: split it into smaller batches"),
            extra: new Dictionary<string, object?> { ["count"] = count, ["max"] = max });

    /// <summary>An input error (with its JSON path) as an item of a problem's error list.</summary>
    public static ItemError FromError(int? index, Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(index, JsonPath(error.Path), error.Message);
    }

    /// <summary>Store errors name places relative to the request ("lines[0].sku"); responses use JSON paths ("$.lines[0].sku").</summary>
    public static string JsonPath(string? path) =>
        path is null or "" ? "$" : path.StartsWith('$') ? path : path.StartsWith('[') ? "$" + path : "$." + path;

    public static string Describe(IReadOnlyList<ItemError> errors, int items, string noun)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var first = errors[0];
        var more = errors.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (and {errors.Count - 1} more; see errors)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{errors.Count} of {items} {noun} are invalid and nothing was written: fix them and resend, or pass ?partial=true to store the valid ones. First: {first.Path}: {first.Message}{more}");
    }
}
