using System.Globalization;

namespace Flywheel.Primitives;

/// <summary>
/// What a name or an id made from input may hold, so that none can be used to grow the server or break a path, a log line or a
/// key. A name or title (of a goal, promotion, coupon batch, broadcast, journey, segment or audience): at most
/// <see cref="MaxNameLength"/> characters, no control characters. An id chosen by the caller (a promotion's, a broadcast's): 1 to
/// <see cref="MaxIdLength"/> letters (any script) and digits, '-', '_' and '.', starting with a letter or digit: no NUL, no '/', no
/// spaces, no control characters, no ':' (keys are built from ids with ':').
/// </summary>
public static class TextRules
{
    /// <summary>Longest name or title: 200 characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest id: 64 characters.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Null when <paramref name="value"/> is a valid name (null or empty when not <paramref name="required"/>), else an error at <paramref name="path"/>.</summary>
    public static Error? Name(string? value, string path, bool required = true, int max = MaxNameLength)
    {
        if (string.IsNullOrEmpty(value) || (required && string.IsNullOrWhiteSpace(value)))
            return required ? Error.Invalid(path, $"{Field(path)} is required (1 to {max} characters)") : null;
        if (value.Length > max)
            return Error.Invalid(path, string.Create(CultureInfo.InvariantCulture, $"{Field(path)} is {value.Length} characters long; at most {max}"));
        foreach (var c in value)
            if (char.IsControl(c))
                return Error.Invalid(path, string.Create(CultureInfo.InvariantCulture, $"{Field(path)} contains a control character (U+{(int)c:X4})"));
        return null;
    }

    /// <summary>Null when <paramref name="value"/> is a valid id, else an error at <paramref name="path"/> that states the rule.</summary>
    public static Error? Id(string? value, string path, int max = MaxIdLength)
    {
        var rule = $"{Field(path)} is 1 to {max} letters, digits, '-', '_' and '.', starting with a letter or digit";
        if (string.IsNullOrEmpty(value)) return Error.Invalid(path, rule);
        if (value.Length > max)
            return Error.Invalid(path, string.Create(CultureInfo.InvariantCulture, $"{rule}; this one is {value.Length} characters long"));
        if (!char.IsLetterOrDigit(value[0])) return Error.Invalid(path, $"{rule}; '{Shown(value)}' starts with '{Shown(value[0])}'");
        foreach (var c in value)
            if (!IsIdCharacter(c))
                return Error.Invalid(path, $"{rule}; '{Shown(value)}' has '{Shown(c)}'");
        return null;
    }

    /// <summary>Whether <paramref name="c"/> may appear in an id: a letter or digit (any script), '-', '_' or '.'.</summary>
    public static bool IsIdCharacter(char c) => char.IsLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string Field(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot >= 0 ? path[(dot + 1)..] : path;
    }

    private static string Shown(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}") : c.ToString();

    private static string Shown(string value)
    {
        var text = new string([.. value.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length > 40 ? text + "…" : text;
    }
}
