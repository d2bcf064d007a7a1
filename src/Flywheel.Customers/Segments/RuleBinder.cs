using System.Globalization;
using System.Text;
using Flywheel.Primitives;

namespace Flywheel.Customers.Segments;

/// <summary>A field reference with checked arguments. <see cref="Key"/> identifies its column within an evaluation: orders(90d).</summary>
internal sealed record BoundField(FieldDefinition Definition, FieldArguments Arguments, string Key);

internal abstract record BoundNode;

internal sealed record BoundAnd(IReadOnlyList<BoundNode> Parts) : BoundNode;

internal sealed record BoundOr(IReadOnlyList<BoundNode> Parts) : BoundNode;

internal sealed record BoundNot(BoundNode Operand) : BoundNode;

/// <summary>
/// A type-checked condition. Operands are in the column's units: double for numbers, fen (long) for money, DayNumber
/// (int) for dates, string for text, bool for bools.
/// </summary>
/// <see cref="ValueSpan"/>: where a contains condition's value is written, for errors found later against the data.
internal sealed record BoundCondition(BoundField Field, ConditionKind Kind, CompareOp Op, bool Negated, IReadOnlyList<object> Operands,
    TextSpan ValueSpan = default) : BoundNode;

/// <summary>
/// The type checker: resolves every field against the registry, checks arguments (windows of at least an hour and at
/// most twenty years, known event types and consent channels) and holds each condition to its field's type, before
/// anything is evaluated. The first problem is reported with its place in the rule.
/// </summary>
internal sealed class RuleBinder
{
    private readonly string _rule;
    private readonly FieldRegistry _registry;
    private readonly Dictionary<string, BoundField> _fields = new(StringComparer.Ordinal);
    private RuleError? _error;

    private RuleBinder(string rule, FieldRegistry registry)
    {
        _rule = rule;
        _registry = registry;
    }

    public static (BoundNode? Root, IReadOnlyList<BoundField> Fields, RuleError? Error) Bind(string rule, RuleNode node, FieldRegistry registry)
    {
        var binder = new RuleBinder(rule, registry);
        var root = binder.BindNode(node);
        return binder._error is null ? (root, [.. binder._fields.Values], null) : (null, [], binder._error);
    }

    private BoundNode? BindNode(RuleNode node)
    {
        switch (node)
        {
            case AndNode and:
            {
                var parts = new List<BoundNode>();
                foreach (var part in and.Parts)
                    if (BindNode(part) is { } bound) parts.Add(bound);
                    else return null;
                return new BoundAnd(parts);
            }
            case OrNode or:
            {
                var parts = new List<BoundNode>();
                foreach (var part in or.Parts)
                    if (BindNode(part) is { } bound) parts.Add(bound);
                    else return null;
                return new BoundOr(parts);
            }
            case NotNode not:
                return BindNode(not.Operand) is { } operand ? new BoundNot(operand) : null;
            case ConditionNode condition:
                return BindCondition(condition);
            default:
                throw new InvalidOperationException($"unknown rule node {node.GetType().Name}");
        }
    }

    private BoundCondition? BindCondition(ConditionNode condition)
    {
        var field = BindField(condition.Field);
        if (field is null) return null;
        var type = field.Definition.Type;
        var written = Written(condition.Field.Span);
        switch (condition.Kind)
        {
            case ConditionKind.Truth:
                if (type == SegmentType.Bool) return new BoundCondition(field, ConditionKind.Compare, CompareOp.Equal, false, [true]);
                return Fail(condition.Field.Span, $"{written} is {TypeName(type)}, not a condition on its own: {Hint(field.Definition, written)}");

            case ConditionKind.Compare:
            {
                var value = condition.Values[0];
                if (type == SegmentType.TextList)
                    return Fail(condition.Span, $"{written} is a list of strings: test it with contains, e.g. {written} contains \"douyin\"");
                if (type is SegmentType.Bool or SegmentType.Text && condition.Op is not (CompareOp.Equal or CompareOp.NotEqual))
                    return Fail(condition.Span, $"{written} is {TypeName(type)}: it is compared with {(type == SegmentType.Text ? "=, !=, in or contains" : "= or !=")}, not ordered");
                var operand = Operand(field, written, value);
                return operand is null ? null : new BoundCondition(field, ConditionKind.Compare, condition.Op, false, [operand]);
            }

            case ConditionKind.In:
            {
                if (type is SegmentType.Bool or SegmentType.TextList)
                    return Fail(condition.Span, type == SegmentType.Bool
                        ? $"{written} is true or false: write {written} or not {written}, not in (...)"
                        : $"{written} is a list of strings: test it with contains, not in");
                var operands = new List<object>();
                foreach (var value in condition.Values)
                {
                    var operand = Operand(field, written, value);
                    if (operand is null) return null;
                    operands.Add(operand);
                }
                return new BoundCondition(field, ConditionKind.In, CompareOp.Equal, condition.Negated, operands);
            }

            case ConditionKind.Between:
            {
                if (type is not (SegmentType.Number or SegmentType.Money or SegmentType.Date))
                    return Fail(condition.Span, $"between works on numbers, money and dates; {written} is {TypeName(type)}");
                var low = Operand(field, written, condition.Values[0]);
                if (low is null) return null;
                var high = Operand(field, written, condition.Values[1]);
                if (high is null) return null;
                if (Comparer<object>.Default.Compare(low, high) > 0)
                    return Fail(TextSpan.Between(condition.Values[0].Span, condition.Values[1].Span),
                        $"the lower bound is above the upper bound: write between {Source(condition.Values[1].Span)} and {Source(condition.Values[0].Span)}");
                return new BoundCondition(field, ConditionKind.Between, CompareOp.Equal, condition.Negated, [low, high]);
            }

            default: // contains
            {
                if (type is not (SegmentType.Text or SegmentType.TextList))
                    return Fail(condition.Span, $"contains works on strings and lists of strings; {written} is {TypeName(type)}");
                var value = condition.Values[0];
                if (value.Kind != ValueKind.Text)
                    return Fail(value.Span, $"contains takes a string in quotes, not {ValueNode.KindName(value.Kind)}");
                return new BoundCondition(field, ConditionKind.Contains, CompareOp.Equal, condition.Negated, [(string)value.Value], value.Span);
            }
        }
    }

    /// <summary>A literal converted to the field's units, or null after reporting why it does not fit.</summary>
    private object? Operand(BoundField field, string written, ValueNode value)
    {
        var type = field.Definition.Type;
        switch (type)
        {
            case SegmentType.Number when value.Kind == ValueKind.Number:
                return (double)(decimal)value.Value;
            case SegmentType.Money when value.Kind == ValueKind.Number:
            {
                var yuan = (decimal)value.Value;
                if (decimal.Round(yuan, 2) != yuan)
                    return Fail<object>(value.Span, $"{written} is money in yuan with at most two decimals (fen); {Source(value.Span)} has more");
                if (Math.Abs(yuan) * 100 > MoneyText.MaxMinor)
                    return Fail<object>(value.Span, $"{Source(value.Span)} yuan is beyond any amount the store holds");
                return (long)(yuan * 100);
            }
            case SegmentType.Date when value.Kind == ValueKind.Date:
                return ((DateOnly)value.Value).DayNumber;
            case SegmentType.Text when value.Kind == ValueKind.Text:
            {
                var text = (string)value.Value;
                if (field.Definition.Values is { } known && !known.Contains(text, StringComparer.OrdinalIgnoreCase))
                {
                    var suggestion = FieldRegistry.Closest(text, known);
                    return Fail<object>(value.Span, $"{written} is never \"{text}\": it is one of {string.Join(", ", known.Select(k => $"\"{k}\""))}" +
                                            (suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)"));
                }
                return text;
            }
            case SegmentType.Bool when value.Kind == ValueKind.Bool:
                return (bool)value.Value;
        }
        var hint = (type, value.Kind) switch
        {
            (SegmentType.Date, ValueKind.Text) => ": write the date without quotes, 2026-01-01, or as date(\"2026-01-01\")",
            (SegmentType.Number or SegmentType.Money, ValueKind.Text) => ": write the number without quotes",
            (SegmentType.Number, ValueKind.Duration) when field.Definition.Name.StartsWith("days_since", StringComparison.Ordinal) || field.Definition.Name.StartsWith("last_event_days", StringComparison.Ordinal)
                => $": {field.Definition.Name} counts days, so write {((TimeWindow)value.Value).Count} for {Source(value.Span)}",
            (SegmentType.Text, ValueKind.Number) => ": put the text in quotes",
            (SegmentType.Date, ValueKind.Duration) => ": to ask for \"within the last N days\", use a days_since_... field, e.g. days_since_last_order <= 30",
            _ => "",
        };
        return Fail<object>(value.Span, $"cannot compare {written} ({TypeName(type)}) with {ValueNode.KindName(value.Kind)} {Source(value.Span)}{hint}");
    }

    private BoundField? BindField(FieldNode node)
    {
        var definition = _registry.Find(node.Name);
        if (definition is null)
        {
            var suggestion = _registry.Suggest(node.Name);
            return Fail<BoundField>(node.NameSpan, $"unknown field '{node.Name}'" + (suggestion is null
                ? ": see the field list (flywheel segments fields, GET /v1/segments/fields)"
                : $": did you mean '{suggestion}'?"));
        }
        var parameters = definition.Parameters;
        var arguments = node.Arguments;
        if (parameters.Count == 0 && node.Called && arguments.Count > 0)
            return Fail<BoundField>(node.Span, $"{definition.Name} takes no arguments: write {definition.Name}");
        if (arguments.Count > parameters.Count)
            return Fail<BoundField>(arguments[parameters.Count].Span,
                $"{definition.Name} takes at most {parameters.Count} argument{(parameters.Count == 1 ? "" : "s")}: {definition.Signature}");
        var required = parameters.Count(p => !p.Optional);
        if (arguments.Count < required)
            return Fail<BoundField>(node.Span, $"{definition.Name} needs its {Describe(parameters[arguments.Count])}: {definition.Signature}");

        var values = new object?[parameters.Count];
        for (var i = 0; i < arguments.Count; i++)
        {
            var parameter = parameters[i];
            var argument = arguments[i];
            if (parameter.Kind == FieldParameterKind.Window)
            {
                if (argument.Kind != ValueKind.Duration)
                    return Fail<BoundField>(argument.Span, $"the {parameter.Name} of {definition.Name} is a duration such as 90d, 12w, 6m or 24h, not {ValueNode.KindName(argument.Kind)}" +
                                               (argument.Kind == ValueKind.Number ? $" (for {Source(argument.Span)} days write {Source(argument.Span)}d)" : ""));
                var window = (TimeWindow)argument.Value;
                if (window.Count == 0)
                    return Fail<BoundField>(argument.Span, $"a window of {window} is empty: windows are at least 1h (or 1d, 1w, 1m, 1y)");
                if (window.ApproximateDays > TimeWindow.Longest.TotalDays)
                    return Fail<BoundField>(argument.Span, $"{window} is longer than the longest window, 20 years: leave the window out for all time, e.g. {definition.Name}()");
                values[i] = window;
            }
            else
            {
                if (argument.Kind != ValueKind.Text)
                    return Fail<BoundField>(argument.Span, $"the {parameter.Name} of {definition.Name} is a string in quotes, not {ValueNode.KindName(argument.Kind)}");
                var text = (string)argument.Value;
                if (parameter.Choices is { } choices && !choices.Contains(text, StringComparer.Ordinal) && parameter.Accepts?.Invoke(text) != true)
                {
                    var suggestion = FieldRegistry.Closest(text, choices);
                    return Fail<BoundField>(argument.Span, $"\"{text}\" is not a known {parameter.Name}" + (suggestion is not null
                        ? $": did you mean \"{suggestion}\"?"
                        : $" (known: {string.Join(", ", choices.Order(StringComparer.Ordinal))})"));
                }
                if (parameter.Choices is null && parameter.Accepts is { } accepts && !accepts(text))
                    return Fail<BoundField>(argument.Span, $"\"{text}\" is not a valid {parameter.Name}");
                values[i] = text;
            }
        }

        var key = Key(definition, values);
        if (_fields.TryGetValue(key, out var existing)) return existing;
        var bound = new BoundField(definition, new FieldArguments(values), key);
        _fields[key] = bound;
        return bound;
    }

    private static string Key(FieldDefinition definition, IReadOnlyList<object?> values)
    {
        // Absent optional arguments are left out: orders, orders() and consent("sms") name one column each.
        var count = values.Count;
        while (count > 0 && values[count - 1] is null) count--;
        if (count == 0) return definition.Name;
        var key = new StringBuilder(definition.Name).Append('(');
        for (var i = 0; i < count; i++)
        {
            if (i > 0) key.Append(',');
            switch (values[i])
            {
                case null: key.Append('-'); break;
                case string text: key.Append('"').Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"'); break;
                case var other: key.Append(CultureInfo.InvariantCulture, $"{other}"); break;
            }
        }
        return key.Append(')').ToString();
    }

    private static string Describe(FieldParameter parameter) => parameter.Kind == FieldParameterKind.Window
        ? $"{parameter.Name} (a duration such as 90d)"
        : $"{parameter.Name} (a string in quotes" + (parameter.Choices is { Count: <= 6 } choices ? $": {string.Join(", ", choices.Select(c => $"\"{c}\""))})" : ")");

    private static string Hint(FieldDefinition field, string written) => field.Type switch
    {
        SegmentType.Number => $"compare it, e.g. {written} >= 1",
        SegmentType.Money => $"compare it, e.g. {written} >= 500 (yuan)",
        SegmentType.Date => $"compare it, e.g. {written} >= 2026-01-01",
        SegmentType.Text => $"compare it, e.g. {written} = \"...\"",
        _ => $"test it with contains, e.g. {written} contains \"...\"",
    };

    internal static string TypeName(SegmentType type) => type switch
    {
        SegmentType.Number => "a number",
        SegmentType.Money => "money (yuan)",
        SegmentType.Text => "a string",
        SegmentType.Date => "a date",
        SegmentType.Bool => "true or false",
        _ => "a list of strings",
    };

    private string Written(TextSpan span) => Source(span);

    private string Source(TextSpan span)
    {
        var text = _rule.Substring(span.Start, span.Length);
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    private T? Fail<T>(TextSpan span, string message) where T : class
    {
        _error ??= RuleError.At(_rule, span.Start, span.Length, message);
        return null;
    }

    private BoundCondition? Fail(TextSpan span, string message) => Fail<BoundCondition>(span, message);
}
