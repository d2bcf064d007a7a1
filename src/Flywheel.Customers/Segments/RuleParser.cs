using System.Globalization;

namespace Flywheel.Customers.Segments;

/// <summary>
/// Recursive descent over the tokens of a rule. Precedence, loosest first: <c>or</c>, <c>and</c>, <c>not</c>, a
/// condition; parentheses group. The first error stops the parse and names what was found and what could have been
/// there instead. Grammar:
/// <code>
/// rule      := or END
/// or        := and ("or" and)*
/// and       := unary ("and" unary)*
/// unary     := "not" unary | "(" or ")" | condition
/// condition := field [ op value | ["not"] "in" list | ["not"] "between" value "and" value | ["not"] "contains" value ]
/// field     := NAME [ "(" [value ("," value)*] ")" ]
/// list      := "(" value ("," value)* ")" | "[" value ("," value)* "]"
/// value     := STRING | ["-"] NUMBER | DURATION | DATE | "date" "(" STRING ")" | true | false
/// </code>
/// </summary>
internal sealed class RuleParser
{
    /// <summary>Longest rule accepted, in characters: ten thousand (a real rule is a few hundred).</summary>
    public const int MaxLength = 10_000;

    /// <summary>Deepest nesting of parentheses and <c>not</c>: 64 (also keeps the recursion far from the stack's end).</summary>
    public const int MaxDepth = 64;

    private const string ValueExpected = "a value: a number, a string in quotes, a date like 2026-01-01, a duration like 90d, true or false";

    private readonly string _rule;
    private readonly IReadOnlyList<Token> _tokens;
    private int _next;
    private int _depth;
    private RuleError? _error;

    private RuleParser(string rule, IReadOnlyList<Token> tokens)
    {
        _rule = rule;
        _tokens = tokens;
    }

    public static (RuleNode? Rule, RuleError? Error) Parse(string rule)
    {
        if (rule.Length > MaxLength)
            // Pointing at the first character past the limit: the excerpt shows where the rule should have ended.
            return (null, RuleError.At(rule, MaxLength, 1, string.Create(CultureInfo.InvariantCulture,
                $"the rule is {rule.Length:N0} characters long; at most {MaxLength:N0} are accepted: split it into several segments")));
        if (string.IsNullOrWhiteSpace(rule))
            return (null, RuleError.At(rule, 0, 1, "the rule is empty: write a condition such as orders(90d) >= 2"));
        var (tokens, lexError) = RuleLexer.Tokenize(rule);
        if (lexError is not null) return (null, lexError);
        var parser = new RuleParser(rule, tokens);
        var node = parser.ParseOr();
        if (node is not null && parser.Peek.Kind != TokenKind.End)
            parser.Unexpected(parser._depth == 0 ? "and, or or the end of the rule" : "and, or or ')'");
        return parser._error is null ? (node, null) : (null, parser._error);
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private bool Accept(TokenKind kind)
    {
        if (Peek.Kind != kind) return false;
        _next++;
        return true;
    }

    private RuleNode? ParseOr()
    {
        var first = ParseAnd();
        if (first is null) return null;
        List<RuleNode>? parts = null;
        while (Accept(TokenKind.Or))
        {
            var next = ParseAnd();
            if (next is null) return null;
            (parts ??= [first]).Add(next);
        }
        return parts is null ? first : new OrNode(parts, TextSpan.Between(parts[0].Span, parts[^1].Span));
    }

    private RuleNode? ParseAnd()
    {
        var first = ParseUnary();
        if (first is null) return null;
        List<RuleNode>? parts = null;
        while (Accept(TokenKind.And))
        {
            var next = ParseUnary();
            if (next is null) return null;
            (parts ??= [first]).Add(next);
        }
        return parts is null ? first : new AndNode(parts, TextSpan.Between(parts[0].Span, parts[^1].Span));
    }

    private RuleNode? ParseUnary()
    {
        var token = Peek;
        if (token.Kind is TokenKind.Not or TokenKind.LeftParen)
        {
            if (_depth == MaxDepth)
                return Fail(token, string.Create(CultureInfo.InvariantCulture,
                    $"the rule nests parentheses and not more than {MaxDepth} levels deep: simplify it"));
            _next++;
            _depth++;
            RuleNode? inner;
            if (token.Kind == TokenKind.Not)
            {
                inner = ParseUnary();
                _depth--;
                return inner is null ? null : new NotNode(inner, new TextSpan(token.Start, inner.Span.End - token.Start));
            }
            inner = ParseOr();
            if (inner is null) return null;
            var close = Peek;
            if (!Accept(TokenKind.RightParen)) return Unexpected("and, or or ')'");
            _depth--;
            return inner with { Span = new TextSpan(token.Start, close.End - token.Start) };
        }
        return ParseCondition();
    }

    private RuleNode? ParseCondition()
    {
        if (Peek.Kind != TokenKind.Identifier)
            return Unexpected(Peek.Kind is TokenKind.String or TokenKind.Number or TokenKind.Date or TokenKind.Duration or TokenKind.True or TokenKind.False
                ? "a field name (a condition starts with the field, e.g. orders(90d) >= 2)"
                : "a field name, '(' or not");
        var field = ParseField();
        if (field is null) return null;

        var negated = false;
        var notToken = Peek;
        if (Peek.Kind == TokenKind.Not)
        {
            _next++;
            negated = true;
            if (Peek.Kind is not (TokenKind.In or TokenKind.Between or TokenKind.Contains)) return Unexpected("in, between or contains after not");
        }

        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual:
            {
                _next++;
                var value = ParseValue();
                if (value is null) return null;
                var op = token.Kind switch
                {
                    TokenKind.Equal => CompareOp.Equal,
                    TokenKind.NotEqual => CompareOp.NotEqual,
                    TokenKind.Less => CompareOp.Less,
                    TokenKind.LessOrEqual => CompareOp.LessOrEqual,
                    TokenKind.Greater => CompareOp.Greater,
                    _ => CompareOp.GreaterOrEqual,
                };
                return new ConditionNode(field, ConditionKind.Compare, op, [value], false, TextSpan.Between(field.Span, value.Span));
            }
            case TokenKind.In:
            {
                _next++;
                var open = Peek;
                if (!Accept(TokenKind.LeftParen) && !Accept(TokenKind.LeftBracket))
                    return Unexpected("'(' and a list of values, e.g. in (\"douyin\", \"xiaohongshu\")");
                var closing = open.Kind == TokenKind.LeftParen ? TokenKind.RightParen : TokenKind.RightBracket;
                var values = new List<ValueNode>();
                while (true)
                {
                    var value = ParseValue();
                    if (value is null) return null;
                    values.Add(value);
                    if (Accept(TokenKind.Comma)) continue;
                    var close = Peek;
                    if (Accept(closing))
                        return new ConditionNode(field, ConditionKind.In, CompareOp.Equal, values, negated, new TextSpan(field.Span.Start, close.End - field.Span.Start));
                    return Unexpected(closing == TokenKind.RightParen ? "',' or ')'" : "',' or ']'");
                }
            }
            case TokenKind.Between:
            {
                _next++;
                var low = ParseValue();
                if (low is null) return null;
                if (!Accept(TokenKind.And)) return Unexpected("and (between takes two values: between 1 and 5)");
                var high = ParseValue();
                if (high is null) return null;
                return new ConditionNode(field, ConditionKind.Between, CompareOp.Equal, [low, high], negated, TextSpan.Between(field.Span, high.Span));
            }
            case TokenKind.Contains:
            {
                _next++;
                var value = ParseValue();
                if (value is null) return null;
                return new ConditionNode(field, ConditionKind.Contains, CompareOp.Equal, [value], negated, TextSpan.Between(field.Span, value.Span));
            }
            default:
                if (negated) return Fail(notToken, "unexpected 'not' after a field: write not before the condition, e.g. not consent(\"sms\")");
                if (token.Kind is TokenKind.Identifier or TokenKind.String or TokenKind.Number or TokenKind.Date or TokenKind.Duration
                    or TokenKind.True or TokenKind.False or TokenKind.LeftParen or TokenKind.Minus)
                    return Unexpected("a comparison (=, !=, <, <=, >, >=), in, between, contains, and, or");
                // A field on its own: a bool field (the type checker refuses any other).
                return new ConditionNode(field, ConditionKind.Truth, CompareOp.Equal, [], false, field.Span);
        }
    }

    private FieldNode? ParseField()
    {
        var name = Take();
        var nameSpan = TextSpan.Of(name);
        if (!Accept(TokenKind.LeftParen)) return new FieldNode((string)name.Value!, [], false, nameSpan, nameSpan);
        var arguments = new List<ValueNode>();
        var close = Peek;
        if (!Accept(TokenKind.RightParen))
        {
            while (true)
            {
                var value = ParseValue();
                if (value is null) return null;
                arguments.Add(value);
                if (Accept(TokenKind.Comma)) continue;
                close = Peek;
                if (Accept(TokenKind.RightParen)) break;
                Unexpected("',' or ')'");
                return null;
            }
        }
        return new FieldNode((string)name.Value!, arguments, true, nameSpan, new TextSpan(name.Start, close.End - name.Start));
    }

    private ValueNode? ParseValue()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.String: return new ValueNode(ValueKind.Text, token.Value!, TextSpan.Of(token));
            case TokenKind.Number: return new ValueNode(ValueKind.Number, token.Value!, TextSpan.Of(token));
            case TokenKind.Duration: return new ValueNode(ValueKind.Duration, token.Value!, TextSpan.Of(token));
            case TokenKind.Date: return new ValueNode(ValueKind.Date, token.Value!, TextSpan.Of(token));
            case TokenKind.True or TokenKind.False: return new ValueNode(ValueKind.Bool, token.Kind == TokenKind.True, TextSpan.Of(token));
            case TokenKind.Minus:
                var number = Take();
                if (number.Kind != TokenKind.Number)
                {
                    _next--;
                    Unexpected("a number after '-'");
                    return null;
                }
                return new ValueNode(ValueKind.Number, -(decimal)number.Value!, new TextSpan(token.Start, number.End - token.Start));
            case TokenKind.Identifier when (string)token.Value! == "date" && Peek.Kind == TokenKind.LeftParen:
            {
                _next++;
                var text = Take();
                if (text.Kind != TokenKind.String)
                {
                    _next--;
                    Unexpected("a date in quotes, e.g. date(\"2026-01-01\")");
                    return null;
                }
                if (!DateOnly.TryParseExact((string)text.Value!, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    Fail(text, $"'{text.Value}' is not a date: write dates as yyyy-MM-dd, e.g. date(\"2026-01-01\")");
                    return null;
                }
                var close = Peek;
                if (!Accept(TokenKind.RightParen))
                {
                    Unexpected("')'");
                    return null;
                }
                return new ValueNode(ValueKind.Date, date, new TextSpan(token.Start, close.End - token.Start));
            }
            default:
                _next--;
                Unexpected(token.Kind == TokenKind.Identifier ? ValueExpected + " (a field can only be compared with a value, not with another field)" : ValueExpected);
                return null;
        }
    }

    private RuleNode? Unexpected(string expected)
    {
        var token = Peek;
        var found = token.Kind == TokenKind.End ? "the end of the rule" : $"'{Shorten(_rule.Substring(token.Start, token.Length))}'";
        return Fail(token, $"unexpected {found}, expected {expected}");
    }

    private RuleNode? Fail(Token at, string message)
    {
        _error ??= RuleError.At(_rule, at.Start, at.Length, message);
        return null;
    }

    private static string Shorten(string text) => text.Length <= 30 ? text : text[..27] + "...";
}
