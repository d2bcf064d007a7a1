namespace Flywheel.Primitives;

/// <summary>
/// An expected failure: bad input, a missing record, a conflict. <see cref="Code"/> is stable and
/// machine-readable; <see cref="Message"/> is for a person and says what to fix;
/// <see cref="Path"/> names the place (a column, a JSON path, file:line:column) when there is one.
/// </summary>
public sealed record Error(string Code, string Message, string? Path = null)
{
    public static Error Invalid(string path, string message) => new("invalid", message, path);
    public static Error NotFound(string path, string message) => new("not_found", message, path);
    public static Error Conflict(string path, string message) => new("conflict", message, path);
    public static Error TooLarge(string message) => new("too_large", message);
    public static Error Unavailable(string message) => new("unavailable", message);

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

    public static implicit operator Result<T>(Error error) => new(error);

    public bool TryGetValue(out T value, out Error error)
    {
        value = _value!;
        error = Error!;
        return Error is null;
    }
}
