using System.Diagnostics.CodeAnalysis;
using Flywheel.Analytics.Contracts;

namespace Flywheel.Customers.Segments;

/// <summary>
/// A rule of the segment language, parsed and type-checked against a <see cref="FieldRegistry"/>: ready to evaluate
/// (<see cref="SegmentEvaluator"/>). Immutable and thread-safe. The language is described in docs/segments.md.
/// </summary>
internal sealed class SegmentRule
{
    private SegmentRule(string text, BoundNode root, IReadOnlyList<BoundField> fields)
    {
        Text = text;
        Root = root;
        BoundFields = fields;
        Sources = fields.Aggregate(FieldSources.None, (all, f) => all | f.Definition.Sources);
    }

    /// <summary>The rule as written.</summary>
    public string Text { get; }

    /// <summary>The distinct fields the rule reads, with their arguments: orders(90d), consent("sms", "marketing").</summary>
    public IReadOnlyList<string> Fields => [.. BoundFields.Select(f => f.Key)];

    /// <summary>What the rule's value depends on: which changes can move a customer in or out.</summary>
    public FieldSources Sources { get; }

    internal BoundNode Root { get; }

    internal IReadOnlyList<BoundField> BoundFields { get; }

    /// <summary>
    /// Parses and type-checks <paramref name="text"/>. On failure nothing is evaluated; <paramref name="error"/> says
    /// where (line, column, excerpt) and what is wrong.
    /// </summary>
    public static bool TryCompile(string text, FieldRegistry fields, [NotNullWhen(true)] out SegmentRule? rule, [NotNullWhen(false)] out RuleError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fields);
        rule = null;
        var (node, parseError) = RuleParser.Parse(text);
        if (node is null)
        {
            error = parseError!;
            return false;
        }
        var (root, bound, bindError) = RuleBinder.Bind(text, node, fields);
        if (root is null)
        {
            error = bindError!;
            return false;
        }
        rule = new SegmentRule(text, root, bound);
        error = null;
        return true;
    }

    /// <summary>
    /// What can only be checked against the store's data: a category value (<c>categories(90d) contains "美妆"</c>) that
    /// keeps no product category at any level of its path is most likely a typo, refused as reports refuse it. Null when
    /// the rule's values fit the data.
    /// </summary>
    public RuleError? CheckValues(EventIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Check(Root);

        RuleError? Check(BoundNode node) => node switch
        {
            BoundAnd and => and.Parts.Select(Check).FirstOrDefault(e => e is not null),
            BoundOr or => or.Parts.Select(Check).FirstOrDefault(e => e is not null),
            BoundNot not => Check(not.Operand),
            BoundCondition { Field.Definition.CategoryPaths: true, Kind: ConditionKind.Contains } condition
                when condition.Operands[0] is string value && !CategoryPaths.Exists(index.Categories, value) =>
                RuleError.At(Text, condition.ValueSpan.Start, condition.ValueSpan.Length, CategoryPaths.NoneMatch(value)),
            _ => null,
        };
    }

    public override string ToString() => Text;
}
