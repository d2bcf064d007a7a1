using System.Numerics;
using Flywheel.Analytics.Contracts;

namespace Flywheel.Customers.Segments;

/// <summary>
/// One condition over one column → the set of positions where it holds, built a word (64 positions) at a time in
/// plain loops (no delegate per value: these loops run over every customer). A missing value satisfies no condition,
/// the negated ones (!=, not in, not between, not contains) included; only the logical <c>not (...)</c> turns a missing
/// value into a match. Text compares case-insensitively (ordinal), decided once per dictionary entry; a list of
/// categories contains a value by category path (<see cref="CategoryPaths"/>), as reports filter.
/// </summary>
internal static class Conditions
{
    public static BitSet Evaluate(BoundCondition condition, SegmentColumn column) => column switch
    {
        NumberColumn numbers => Ordered(condition, numbers.Values, double.NaN),
        MoneyColumn money => Ordered(condition, money.Fen, MoneyColumn.Missing),
        DateColumn dates => Ordered(condition, dates.Days, DateColumn.Missing),
        TextColumn texts => Codes(texts.Codes, TextMatches(condition, texts.Dictionary)),
        TextListColumn lists => Lists(condition, lists),
        BoolColumn bools => Bools(condition, bools.Values),
        _ => throw new InvalidOperationException($"no conditions on a {column.GetType().Name}"),
    };

    /// <summary>Numbers (NaN missing), fen and day numbers (MinValue missing): one generic loop, specialised per type by the JIT.</summary>
    private static BitSet Ordered<T>(BoundCondition condition, T[] values, T missing) where T : struct, INumber<T>
    {
        var operands = condition.Operands.Select(o => (T)o).ToArray();
        var (kind, op, negated) = (condition.Kind, condition.Op, condition.Negated);
        var set = new BitSet(values.Length);
        var words = set.Words;
        for (var w = 0; w < words.Length; w++)
        {
            var from = w << 6;
            var to = Math.Min(values.Length, from + 64);
            ulong word = 0;
            for (var i = from; i < to; i++)
            {
                var a = values[i];
                if (T.IsNaN(a) || a == missing) continue;
                bool hit;
                switch (kind)
                {
                    case ConditionKind.Compare:
                        var x = operands[0];
                        hit = op switch
                        {
                            CompareOp.Equal => a == x,
                            CompareOp.NotEqual => a != x,
                            CompareOp.Less => a < x,
                            CompareOp.LessOrEqual => a <= x,
                            CompareOp.Greater => a > x,
                            _ => a >= x,
                        };
                        break;
                    case ConditionKind.In:
                        hit = Array.IndexOf(operands, a) >= 0 != negated;
                        break;
                    default:
                        hit = (a >= operands[0] && a <= operands[1]) != negated;
                        break;
                }
                if (hit) word |= 1UL << (i - from);
            }
            words[w] = word;
        }
        return set;
    }

    /// <summary>Which dictionary entries satisfy a text condition (entry 0, missing, never does).</summary>
    private static bool[] TextMatches(BoundCondition condition, IReadOnlyList<string?> dictionary)
    {
        var match = new bool[dictionary.Count];
        var literals = condition.Operands.Cast<string>().ToArray();
        var negate = condition.Negated || condition.Op == CompareOp.NotEqual;
        for (var code = 1; code < match.Length; code++)
        {
            var value = dictionary[code];
            if (value is null) continue;
            var hit = condition.Kind == ConditionKind.Contains
                ? value.Contains(literals[0], StringComparison.OrdinalIgnoreCase)
                : Array.Exists(literals, l => string.Equals(value, l, StringComparison.OrdinalIgnoreCase));
            match[code] = hit != negate;
        }
        return match;
    }

    private static BitSet Codes(int[] codes, bool[] match)
    {
        var set = new BitSet(codes.Length);
        var words = set.Words;
        for (var w = 0; w < words.Length; w++)
        {
            var from = w << 6;
            var to = Math.Min(codes.Length, from + 64);
            ulong word = 0;
            for (var i = from; i < to; i++)
                if (match[codes[i]]) word |= 1UL << (i - from);
            words[w] = word;
        }
        return set;
    }

    private static BitSet Lists(BoundCondition condition, TextListColumn column)
    {
        var match = new bool[column.Dictionary.Count];
        var literal = (string)condition.Operands[0];
        var paths = condition.Field.Definition.CategoryPaths;
        for (var code = 1; code < match.Length; code++)
            match[code] = column.Dictionary[code] is { } item
                && (paths ? CategoryPaths.Matches(item, literal) : string.Equals(item, literal, StringComparison.OrdinalIgnoreCase));
        var (start, codes, negated) = (column.Start, column.Codes, condition.Negated);
        var set = new BitSet(column.Count);
        for (var i = 0; i < column.Count; i++)
        {
            var found = false;
            for (var k = start[i]; k < start[i + 1] && !found; k++) found = match[codes[k]];
            if (found != negated) set.Set(i);
        }
        return set;
    }

    private static BitSet Bools(BoundCondition condition, byte[] values)
    {
        var wanted = (bool)condition.Operands[0] ? BoolColumn.True : BoolColumn.False;
        if (condition.Op == CompareOp.NotEqual) wanted = wanted == BoolColumn.True ? BoolColumn.False : BoolColumn.True;
        var set = new BitSet(values.Length);
        var words = set.Words;
        for (var w = 0; w < words.Length; w++)
        {
            var from = w << 6;
            var to = Math.Min(values.Length, from + 64);
            ulong word = 0;
            for (var i = from; i < to; i++)
                if (values[i] == wanted) word |= 1UL << (i - from);
            words[w] = word;
        }
        return set;
    }
}
