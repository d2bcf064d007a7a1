using Flywheel.Primitives;

namespace Flywheel.Customers.Segments;

/// <summary>The rules for a segment's name (a slug that appears in URLs and commands) and title.</summary>
internal static class SegmentNames
{
    public const int MaxNameLength = 64;
    public const int MaxTitleLength = 200;

    /// <summary>Null when <paramref name="name"/> is a valid slug: lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters.</summary>
    public static Error? Check(string? name)
    {
        if (string.IsNullOrEmpty(name)) return Error.Invalid("name", "a segment needs a name: a slug such as repeat-buyers-douyin");
        if (name.Length > MaxNameLength) return Error.Invalid("name", $"the name is {name.Length} characters long; at most {MaxNameLength}");
        if (!(char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0])) ||
            !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            return Error.Invalid("name", $"'{name}' is not a slug: use lower-case letters, digits, '-' and '_' (a Chinese name goes in the title)");
        // /v1/segments/fields and /v1/segments/check are not segments.
        if (name is "fields" or "check") return Error.Invalid("name", $"'{name}' is reserved: choose another name");
        return null;
    }

    /// <summary>Null when the title (optional) is at most 200 characters.</summary>
    public static Error? CheckTitle(string? title) =>
        title is { Length: > MaxTitleLength } ? Error.Invalid("title", $"the title is {title.Length} characters long; at most {MaxTitleLength}")
        : TextRules.Name(title, "title", required: false, max: MaxTitleLength);
}
