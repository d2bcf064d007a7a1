namespace Flywheel.Customers.Segments;

/// <summary>A place in the rule text: character offset and length.</summary>
internal readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan Between(TextSpan first, TextSpan last) => new(first.Start, last.End - first.Start);

    public static TextSpan Of(Token token) => new(token.Start, token.Length);
}

/// <summary>A node of a parsed rule. Every node keeps its span, so the type checker can point at it.</summary>
internal abstract record RuleNode(TextSpan Span);

internal sealed record AndNode(IReadOnlyList<RuleNode> Parts, TextSpan Span) : RuleNode(Span);

internal sealed record OrNode(IReadOnlyList<RuleNode> Parts, TextSpan Span) : RuleNode(Span);

internal sealed record NotNode(RuleNode Operand, TextSpan Span) : RuleNode(Span);

internal enum ConditionKind { Truth, Compare, In, Between, Contains }

internal enum CompareOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary>
/// One condition on one field: <c>field</c> alone (a bool field), <c>field op value</c>, <c>field [not] in (v, ...)</c>,
/// <c>field [not] between a and b</c>, <c>field [not] contains v</c>. <see cref="Negated"/> is the <c>not</c> before in,
/// between or contains.
/// </summary>
internal sealed record ConditionNode(FieldNode Field, ConditionKind Kind, CompareOp Op, IReadOnlyList<ValueNode> Values, bool Negated, TextSpan Span)
    : RuleNode(Span);

/// <summary>A field reference: <c>city_tier</c>, <c>orders(90d)</c>, <c>events("add_to_cart", 7d)</c>.</summary>
internal sealed record FieldNode(string Name, IReadOnlyList<ValueNode> Arguments, bool Called, TextSpan NameSpan, TextSpan Span);

internal enum ValueKind { Number, Text, Date, Duration, Bool }

/// <summary>A literal: decimal, string, DateOnly, <see cref="TimeWindow"/> or bool.</summary>
internal sealed record ValueNode(ValueKind Kind, object Value, TextSpan Span)
{
    public static string KindName(ValueKind kind) => kind switch
    {
        ValueKind.Number => "a number",
        ValueKind.Text => "a string",
        ValueKind.Date => "a date",
        ValueKind.Duration => "a duration",
        _ => "true/false",
    };
}
