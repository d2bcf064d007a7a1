using System.Globalization;
using System.Text;

namespace Flywheel.Customers.Segments;

internal enum TokenKind
{
    Identifier, String, Number, Duration, Date,
    LeftParen, RightParen, LeftBracket, RightBracket, Comma, Minus,
    Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual,
    And, Or, Not, In, Between, Contains, True, False,
    End,
}

/// <summary>
/// One token: its kind, where it is in the rule (character offset and length) and its value: the text of a string
/// (escapes resolved), a decimal for a number, a <see cref="TimeWindow"/> for a duration, a DateOnly for a date, the
/// lower-cased name of an identifier.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length, object? Value)
{
    public int End => Start + Length;
}

/// <summary>Splits a rule into tokens. The first character it cannot read is an error at that place.</summary>
internal static class RuleLexer
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And, ["or"] = TokenKind.Or, ["not"] = TokenKind.Not, ["in"] = TokenKind.In,
        ["between"] = TokenKind.Between, ["contains"] = TokenKind.Contains, ["true"] = TokenKind.True, ["false"] = TokenKind.False,
    };

    /// <summary>Full-width punctuation a Chinese input method types, and the ASCII character the language wants instead.</summary>
    private static readonly Dictionary<char, string> FullWidth = new()
    {
        ['（'] = "(", ['）'] = ")", ['，'] = ",", ['“'] = "\"", ['”'] = "\"", ['‘'] = "'", ['’'] = "'", ['＝'] = "=", ['＜'] = "<",
        ['＞'] = ">", ['【'] = "[", ['】'] = "]", ['！'] = "!", ['：'] = ":", ['；'] = ";",
    };

    public static Result Tokenize(string rule)
    {
        var tokens = new List<Token>();
        Result Fail(int at, int length, string message) => new(tokens, RuleError.At(rule, at, length, message));
        var i = 0;
        while (true)
        {
            while (i < rule.Length && char.IsWhiteSpace(rule[i])) i++;
            if (i >= rule.Length)
            {
                tokens.Add(new Token(TokenKind.End, rule.Length, 0, null));
                return new Result(tokens, null);
            }
            var start = i;
            var c = rule[i];
            Token token;
            RuleError? error = null;
            switch (c)
            {
                case '(': token = Single(TokenKind.LeftParen); break;
                case ')': token = Single(TokenKind.RightParen); break;
                case '[': token = Single(TokenKind.LeftBracket); break;
                case ']': token = Single(TokenKind.RightBracket); break;
                case ',': token = Single(TokenKind.Comma); break;
                case '-': token = Single(TokenKind.Minus); break;
                case '=':
                    token = Pair('=', TokenKind.Equal, TokenKind.Equal);
                    break;
                case '!':
                    if (Next(1) == '=') token = new Token(TokenKind.NotEqual, start, 2, null);
                    else return Fail(start, 1, "unexpected '!': write not, e.g. not consent(\"sms\"), or != for 'differs from'");
                    break;
                case '<':
                    token = Next(1) == '>' ? new Token(TokenKind.NotEqual, start, 2, null) : Pair('=', TokenKind.Less, TokenKind.LessOrEqual);
                    break;
                case '>': token = Pair('=', TokenKind.Greater, TokenKind.GreaterOrEqual); break;
                case '&': return Fail(start, Next(1) == '&' ? 2 : 1, $"unexpected '{(Next(1) == '&' ? "&&" : "&")}': write and");
                case '|': return Fail(start, Next(1) == '|' ? 2 : 1, $"unexpected '{(Next(1) == '|' ? "||" : "|")}': write or");
                case '"' or '\'':
                    (token, error) = ReadString(rule, start);
                    break;
                default:
                    if (char.IsAsciiDigit(c)) (token, error) = ReadNumber(rule, start);
                    else if (char.IsAsciiLetter(c) || c == '_') token = ReadWord(rule, start);
                    else if (FullWidth.TryGetValue(c, out var ascii))
                        return Fail(start, 1, $"unexpected '{c}' (a full-width character): write the ASCII {Quote(ascii)} instead");
                    else
                        return Fail(start, 1, $"unexpected {Describe(rule, start)}: a rule is made of field names, values, comparisons (= != < <= > >=), " +
                                              "in, between, contains, and, or, not and parentheses");
                    break;
            }
            if (error is not null) return new Result(tokens, error);
            tokens.Add(token);
            i = token.End;

            Token Single(TokenKind kind) => new(kind, start, 1, null);
            Token Pair(char second, TokenKind one, TokenKind two) => Next(1) == second ? new Token(two, start, 2, null) : new Token(one, start, 1, null);
            char Next(int ahead) => start + ahead < rule.Length ? rule[start + ahead] : '\0';
        }
    }

    private static string Quote(string ascii) => ascii == "'" ? "\"'\"" : $"'{ascii}'";

    private static string Describe(string rule, int at) =>
        char.IsSurrogate(rule[at]) || char.IsControl(rule[at])
            ? string.Create(CultureInfo.InvariantCulture, $"character U+{(int)rule[at]:X4}")
            : $"'{rule[at]}'";

    private static Token ReadWord(string rule, int start)
    {
        var i = start;
        while (i < rule.Length && (char.IsAsciiLetterOrDigit(rule[i]) || rule[i] == '_')) i++;
        var word = rule[start..i];
        return Keywords.TryGetValue(word, out var keyword)
            ? new Token(keyword, start, i - start, null)
            : new Token(TokenKind.Identifier, start, i - start, word.ToLowerInvariant());
    }

    private static (Token, RuleError?) ReadString(string rule, int start)
    {
        var quote = rule[start];
        var text = new StringBuilder();
        var i = start + 1;
        while (i < rule.Length && rule[i] != quote)
        {
            var c = rule[i];
            if (c == '\n') break;
            if (c != '\\')
            {
                text.Append(c);
                i++;
                continue;
            }
            if (i + 1 >= rule.Length) break;
            var escape = rule[i + 1];
            switch (escape)
            {
                case '\\' or '"' or '\'': text.Append(escape); i += 2; break;
                case 'n': text.Append('\n'); i += 2; break;
                case 't': text.Append('\t'); i += 2; break;
                case 'u' when i + 6 <= rule.Length && int.TryParse(rule.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    text.Append((char)code);
                    i += 6;
                    break;
                default:
                    return (default, RuleError.At(rule, i, 2,
                        $"unknown escape '\\{escape}' in a string: the escapes are \\\\, \\\", \\', \\n, \\t and \\uXXXX"));
            }
        }
        if (i >= rule.Length || rule[i] != quote)
            return (default, RuleError.At(rule, start, 1, $"this string is never closed: end it with {quote} on the same line"));
        return (new Token(TokenKind.String, start, i + 1 - start, text.ToString()), null);
    }

    /// <summary>A number (12, 99.5), a duration (90d, 12w, 6m, 1y, 24h) or a date (2026-01-01).</summary>
    private static (Token, RuleError?) ReadNumber(string rule, int start)
    {
        var i = start;
        while (i < rule.Length && char.IsAsciiDigit(rule[i])) i++;
        // yyyy-MM-dd: a rule has no subtraction, so four digits and a dash begin a date.
        if (i - start == 4 && i < rule.Length && rule[i] == '-' && i + 1 < rule.Length && char.IsAsciiDigit(rule[i + 1]))
        {
            var end = i;
            while (end < rule.Length && (char.IsAsciiDigit(rule[end]) || rule[end] == '-')) end++;
            var text = rule[start..end];
            if (text.Length != 10 || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return (default, RuleError.At(rule, start, end - start, $"'{text}' is not a date: write dates as yyyy-MM-dd, e.g. 2026-01-01"));
            return (new Token(TokenKind.Date, start, end - start, date), null);
        }
        var digitsEnd = i;
        if (i + 1 < rule.Length && rule[i] == '.' && char.IsAsciiDigit(rule[i + 1]))
        {
            i++;
            while (i < rule.Length && char.IsAsciiDigit(rule[i])) i++;
        }
        if (i < rule.Length && (char.IsAsciiLetter(rule[i]) || rule[i] == '_'))
        {
            var end = i;
            while (end < rule.Length && (char.IsAsciiLetterOrDigit(rule[end]) || rule[end] == '_')) end++;
            var word = rule[start..end];
            var unit = rule[i..end];
            if (digitsEnd != i || unit.Length != 1 || TimeWindow.UnitOf(unit[0]) is not { } windowUnit)
                return (default, RuleError.At(rule, start, end - start,
                    $"unexpected '{word}': a duration is a whole number and one of h (hours), d (days), w (weeks), m (months) or y (years), e.g. 90d"));
            if (!int.TryParse(rule.AsSpan(start, digitsEnd - start), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                return (default, RuleError.At(rule, start, end - start, $"'{word}' is too long a duration"));
            return (new Token(TokenKind.Duration, start, end - start, new TimeWindow(count, windowUnit)), null);
        }
        var number = rule.AsSpan(start, i - start);
        if (number.Length > 20 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return (default, RuleError.At(rule, start, i - start, $"'{number}' is too large a number (at most 20 characters)"));
        return (new Token(TokenKind.Number, start, i - start, value), null);
    }

    internal readonly record struct Result(IReadOnlyList<Token> Tokens, RuleError? Error);
}
