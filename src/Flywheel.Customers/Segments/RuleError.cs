using System.Globalization;
using System.Text;
using Flywheel.Primitives;

namespace Flywheel.Customers.Segments;

/// <summary>
/// Why a rule was refused: where (1-based line and column, counted in characters), what (a sentence a marketer can act
/// on), and the rule's line with a caret under the place. Nothing is evaluated or stored for a refused rule.
/// </summary>
internal sealed record RuleError(int Line, int Column, string Message, string Excerpt)
{
    /// <summary>Stable code: <c>invalid_rule</c>.</summary>
    public const string Code = "invalid_rule";

    /// <summary>"line 1, column 12: unexpected 'and', expected a value ..." (one line, without the excerpt).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}, column {Column}: {Message}");

    /// <summary>The error as a Primitives error whose path names where the rule came from (<c>$.rule</c>, <c>--rule</c>).</summary>
    public Error ToError(string path) => new(Code, ToString(), path);

    /// <summary>Builds an error at a character offset of <paramref name="rule"/>, with an excerpt of that line.</summary>
    internal static RuleError At(string rule, int offset, int length, string message)
    {
        offset = Math.Clamp(offset, 0, rule.Length);
        var lineStart = offset == 0 ? 0 : rule.LastIndexOf('\n', offset - 1) + 1;
        var line = 1;
        for (var i = 0; i < lineStart; i++)
            if (rule[i] == '\n') line++;
        var lineEnd = rule.IndexOf('\n', lineStart);
        if (lineEnd < 0) lineEnd = rule.Length;
        var column = offset - lineStart + 1;
        return new RuleError(line, column, message, ExcerptOf(rule.AsSpan(lineStart, lineEnd - lineStart).TrimEnd('\r'), offset - lineStart, Math.Max(1, length)));
    }

    /// <summary>At most 80 characters of the line around the place, and a caret line under it.</summary>
    private static string ExcerptOf(ReadOnlySpan<char> line, int at, int length)
    {
        const int Width = 80;
        var from = Math.Max(0, Math.Min(at - 30, line.Length - Width));
        var to = Math.Min(line.Length, from + Width);
        var text = new StringBuilder();
        if (from > 0) text.Append("...");
        var shown = line[from..to].ToString().Replace('\t', ' ');
        text.Append(shown);
        if (to < line.Length) text.Append("...");
        text.Append('\n');
        text.Append(' ', at - from + (from > 0 ? 3 : 0));
        text.Append('^', Math.Clamp(Math.Min(length, to - at), 1, Width));
        return text.ToString();
    }
}
