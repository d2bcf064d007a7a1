namespace Flywheel.Primitives;

/// <summary>
/// What kind of expected failure an <see cref="Error"/> is. The edges map a kind, never a code string, to their answer:
/// one HTTP status per kind, one exit code per kind.
/// </summary>
public enum ErrorKind
{
    /// <summary>The input is wrong: a field, a row, an option. Fixing the input fixes it.</summary>
    Validation,
    /// <summary>The input is not parseable at all (malformed JSON).</summary>
    Malformed,
    /// <summary>A named record does not exist.</summary>
    NotFound,
    /// <summary>The input contradicts stored data (already used, spent, a duplicate, a conflicting promotion).</summary>
    Conflict,
    /// <summary>The caller may not do this to this record (another customer's coupon).</summary>
    Forbidden,
    /// <summary>Well-formed and not conflicting, but it cannot be processed as asked (an idempotency key reused for a different request).</summary>
    Unprocessable,
    /// <summary>The input is larger than accepted.</summary>
    TooLarge,
    /// <summary>The input arrived in a format not accepted (a body that is not JSON).</summary>
    UnsupportedFormat,
    /// <summary>Something the request needs (the store) cannot be reached; retrying later may work.</summary>
    Unavailable,
}

/// <summary>
/// An expected failure: bad input, a missing record, a conflict. <see cref="Code"/> is stable and
/// machine-readable; <see cref="Message"/> is for a person and says what to fix;
/// <see cref="Path"/> names the place (a column, a JSON path, file:line:column) when there is one;
/// <see cref="Kind"/> decides how an edge answers it.
/// </summary>
public sealed record Error(string Code, string Message, string? Path = null)
{
    /// <summary>The kind: set by the factories; an error made with a bare code is a <see cref="ErrorKind.Validation"/> error.</summary>
    public ErrorKind Kind { get; init; } = ErrorKind.Validation;

    public static Error Invalid(string path, string message) => new("invalid", message, path);
    public static Error NotFound(string path, string message) => new("not_found", message, path) { Kind = ErrorKind.NotFound };
    public static Error Conflict(string path, string message) => new("conflict", message, path) { Kind = ErrorKind.Conflict };
    public static Error TooLarge(string message) => new("too_large", message) { Kind = ErrorKind.TooLarge };
    public static Error Unavailable(string message) => new("unavailable", message) { Kind = ErrorKind.Unavailable };
    public static Error Malformed(string path, string message) => new("malformed_json", message, path) { Kind = ErrorKind.Malformed };
    public static Error UnsupportedFormat(string message) => new("unsupported_media_type", message) { Kind = ErrorKind.UnsupportedFormat };

    /// <summary>An error of <paramref name="kind"/> with a code of its own (e.g. "forbidden", "idempotency_mismatch").</summary>
    public static Error Of(ErrorKind kind, string code, string message, string? path = null) => new(code, message, path) { Kind = kind };

    public override string ToString() => Path is null ? Message : $"{Path}: {Message}";
}

/// <summary>Either a value or an <see cref="Error"/>. Expected failures travel as values, not exceptions.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T value)
    {
        _value = value;
        Error = null;
    }

    private Result(Error error)
    {
        _value = default;
        Error = error;
    }

    public Error? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"no value: {Error}");

    public static implicit operator Result<T>(T value) => new(value);

    /// <summary>A success; for values the implicit conversion cannot take (C# allows none from an interface type).</summary>
    public static Result<T> Success(T value) => new(value);

    /// <summary>A failure, where the target type is not otherwise known.</summary>
    public static Result<T> From(Error error) => new(error);

    public static implicit operator Result<T>(Error error) => new(error);

    public bool TryGetValue(out T value, out Error error)
    {
        value = _value!;
        error = Error!;
        return Error is null;
    }
}
