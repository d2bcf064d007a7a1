namespace Flywheel.Customers.Segments;

/// <summary>
/// One condition over one column → the set of positions where it holds. A missing value satisfies no condition, the
/// negated ones (!=, not in, not between, not contains) included; only the logical <c>not (...)</c> turns a missing
/// value into a match. Text compares case-insensitively (ordinal), and is decided once per dictionary entry.
/// </summary>
internal static class Conditions
{
    public static BitSet Evaluate(BoundCondition condition, SegmentColumn column) => column switch
    {
        NumberColumn numbers => Numbers(condition, numbers.Values),
        MoneyColumn money => Ordered(condition, money.Fen, MoneyColumn.Missing),
        DateColumn dates => Ordered(condition, dates.Days, DateColumn.Missing),
        TextColumn texts => Texts(condition, texts),
        TextListColumn lists => Lists(condition, lists),
        BoolColumn bools => Bools(condition, bools.Values),
        _ => throw new InvalidOperationException($"no conditions on a {column.GetType().Name}"),
    };

    private static BitSet Numbers(BoundCondition condition, double[] values)
    {
        var operands = condition.Operands.Select(o => (double)o).ToArray();
        var negated = condition.Negated;
        switch (condition.Kind)
        {
            case ConditionKind.Compare:
            {
                var x = operands[0];
                return condition.Op switch
                {
                    CompareOp.Equal => BitSet.Where(values.Length, i => values[i] == x),
                    CompareOp.NotEqual => BitSet.Where(values.Length, i => !double.IsNaN(values[i]) && values[i] != x),
                    CompareOp.Less => BitSet.Where(values.Length, i => values[i] < x),
                    CompareOp.LessOrEqual => BitSet.Where(values.Length, i => values[i] <= x),
                    CompareOp.Greater => BitSet.Where(values.Length, i => values[i] > x),
                    _ => BitSet.Where(values.Length, i => values[i] >= x),
                };
            }
            case ConditionKind.In:
                return BitSet.Where(values.Length, i => !double.IsNaN(values[i]) && Array.IndexOf(operands, values[i]) >= 0 != negated);
            default:
            {
                var (low, high) = (operands[0], operands[1]);
                return BitSet.Where(values.Length, i => !double.IsNaN(values[i]) && (values[i] >= low && values[i] <= high) != negated);
            }
        }
    }

    /// <summary>Money (fen) and dates (day numbers): integers with a missing marker.</summary>
    private static BitSet Ordered<T>(BoundCondition condition, T[] values, T missing) where T : struct, IComparable<T>, IEquatable<T>
    {
        var operands = condition.Operands.Select(o => (T)o).ToArray();
        var negated = condition.Negated;
        switch (condition.Kind)
        {
            case ConditionKind.Compare:
            {
                var x = operands[0];
                return condition.Op switch
                {
                    CompareOp.Equal => BitSet.Where(values.Length, i => values[i].Equals(x)),
                    CompareOp.NotEqual => BitSet.Where(values.Length, i => !values[i].Equals(missing) && !values[i].Equals(x)),
                    CompareOp.Less => BitSet.Where(values.Length, i => !values[i].Equals(missing) && values[i].CompareTo(x) < 0),
                    CompareOp.LessOrEqual => BitSet.Where(values.Length, i => !values[i].Equals(missing) && values[i].CompareTo(x) <= 0),
                    CompareOp.Greater => BitSet.Where(values.Length, i => values[i].CompareTo(x) > 0),
                    _ => BitSet.Where(values.Length, i => values[i].CompareTo(x) >= 0),
                };
            }
            case ConditionKind.In:
                return BitSet.Where(values.Length, i => !values[i].Equals(missing) && Array.IndexOf(operands, values[i]) >= 0 != negated);
            default:
            {
                var (low, high) = (operands[0], operands[1]);
                return BitSet.Where(values.Length, i => !values[i].Equals(missing) && (values[i].CompareTo(low) >= 0 && values[i].CompareTo(high) <= 0) != negated);
            }
        }
    }

    private static BitSet Texts(BoundCondition condition, TextColumn column)
    {
        // Decide once per distinct value; entry 0 (missing) matches nothing.
        var match = new bool[column.Dictionary.Count];
        var literals = condition.Operands.Cast<string>().ToArray();
        for (var code = 1; code < match.Length; code++)
        {
            var value = column.Dictionary[code];
            if (value is null) continue;
            var hit = condition.Kind switch
            {
                ConditionKind.Contains => value.Contains(literals[0], StringComparison.OrdinalIgnoreCase),
                _ => literals.Any(l => string.Equals(value, l, StringComparison.OrdinalIgnoreCase)),
            };
            match[code] = hit != (condition.Negated || condition.Op == CompareOp.NotEqual);
        }
        var codes = column.Codes;
        return BitSet.Where(codes.Length, i => match[codes[i]]);
    }

    private static BitSet Lists(BoundCondition condition, TextListColumn column)
    {
        var match = new bool[column.Dictionary.Count];
        var literal = (string)condition.Operands[0];
        for (var code = 1; code < match.Length; code++)
            match[code] = string.Equals(column.Dictionary[code], literal, StringComparison.OrdinalIgnoreCase);
        var (start, codes, negated) = (column.Start, column.Codes, condition.Negated);
        return BitSet.Where(column.Count, i =>
        {
            for (var k = start[i]; k < start[i + 1]; k++)
                if (match[codes[k]]) return !negated;
            return negated;
        });
    }

    private static BitSet Bools(BoundCondition condition, byte[] values)
    {
        var wanted = (bool)condition.Operands[0] ? BoolColumn.True : BoolColumn.False;
        if (condition.Op == CompareOp.NotEqual) wanted = wanted == BoolColumn.True ? BoolColumn.False : BoolColumn.True;
        return BitSet.Where(values.Length, i => values[i] == wanted);
    }
}
