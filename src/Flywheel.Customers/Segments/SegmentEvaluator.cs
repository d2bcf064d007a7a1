namespace Flywheel.Customers.Segments;

/// <summary>The customers a rule selects from a <see cref="SegmentData"/>: profile rows, ascending (so customer ids in key order).</summary>
internal sealed class SegmentMatch
{
    private readonly SegmentData _data;
    private readonly BitSet _rows;

    internal SegmentMatch(SegmentData data, BitSet rows)
    {
        _data = data;
        _rows = rows;
        Count = rows.PopCount();
    }

    public int Count { get; }

    /// <summary>The members' customer ids, in profile row order.</summary>
    public IEnumerable<string> CustomerIds => _rows.Positions().Select(row => _data.Profiles.CustomerIds[row]);

    /// <summary>Whether the customer at a profile row is a member.</summary>
    public bool ContainsRow(int row) => row >= 0 && row < _rows.Count && _rows[row];
}

/// <summary>
/// Evaluates compiled rules column by column: each field the rule names is computed once for every customer of the
/// evaluation (the built-in order and event aggregates in one pass over the index each, for all the windows the rules
/// use), then each condition becomes a bit set over the customers and <c>and</c>, <c>or</c>, <c>not</c> combine the
/// sets a word at a time. Over many customers the columns are computed side by side on the machine's cores; over a
/// few, one after the other, and <c>and</c> stops at an empty set without computing the fields of the conditions after
/// it. Thread-safe (every call has its own state); "now" is the caller's clock reading.
/// </summary>
internal static class SegmentEvaluator
{
    /// <summary>Evaluates a rule over every customer.</summary>
    public static SegmentMatch Evaluate(SegmentRule rule, SegmentData data, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(data);
        var run = new Run(new FieldContext(data, null, now), [rule], ParallelFrom);
        return new SegmentMatch(data, run.Evaluate(rule));
    }

    /// <summary>Evaluates several rules over every customer, sharing the columns of fields they have in common.</summary>
    public static IReadOnlyList<SegmentMatch> EvaluateAll(IReadOnlyList<SegmentRule> rules, SegmentData data, DateTimeOffset now) =>
        EvaluateAll(rules, data, now, ParallelFrom);

    /// <summary><see cref="EvaluateAll(IReadOnlyList{SegmentRule}, SegmentData, DateTimeOffset)"/> computing columns in parallel from <paramref name="parallelFrom"/> customers (tests).</summary>
    internal static IReadOnlyList<SegmentMatch> EvaluateAll(IReadOnlyList<SegmentRule> rules, SegmentData data, DateTimeOffset now, int parallelFrom)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(data);
        var run = new Run(new FieldContext(data, null, now), rules, parallelFrom);
        return [.. rules.Select(rule => new SegmentMatch(data, run.Evaluate(rule)))];
    }

    /// <summary>
    /// Evaluates rules for a few customers only (profile rows): the incremental path, whose cost follows the number of
    /// customers, not the size of the store. Gives, per rule, the subset of <paramref name="rows"/> that matches.
    /// </summary>
    public static IReadOnlyList<IReadOnlySet<int>> EvaluateRows(IReadOnlyList<SegmentRule> rules, SegmentData data, DateTimeOffset now, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        var positions = rows.ToArray();
        var run = new Run(new FieldContext(data, positions, now), rules, ParallelFrom);
        return [.. rules.Select(rule => (IReadOnlySet<int>)run.Evaluate(rule).Positions().Select(i => positions[i]).ToHashSet())];
    }

    /// <summary>Below this many customers, computing columns side by side on several cores costs more than it saves.</summary>
    internal const int ParallelFrom = 50_000;

    /// <summary>One evaluation: the context, the columns computed so far, the rules whose batched fields are computed together.</summary>
    private sealed class Run(FieldContext context, IReadOnlyList<SegmentRule> rules, int parallelFrom)
    {
        private readonly Dictionary<string, SegmentColumn> _columns = new(StringComparer.Ordinal);

        public BitSet Evaluate(SegmentRule rule)
        {
            if (context.Count >= parallelFrom && Environment.ProcessorCount > 1) Prefetch(rule);
            return Evaluate(rule.Root);
        }

        /// <summary>
        /// Computes the rule's columns side by side, one task per batch (the order pass, the event pass) or field: the
        /// passes are independent reads of the index. The conditions themselves are cheap next to them and stay serial.
        /// </summary>
        private void Prefetch(SegmentRule rule)
        {
            var missing = rule.BoundFields.Where(f => !_columns.ContainsKey(f.Key)).ToList();
            if (missing.Count < 2) return;
            var work = missing.Where(f => f.Definition.Batch is null).Select(f => (IReadOnlyList<BoundField>)[f])
                .Concat(missing.Where(f => f.Definition.Batch is not null).GroupBy(f => f.Definition.Batch!)
                    .Select(g => (IReadOnlyList<BoundField>)[.. rules.SelectMany(r => r.BoundFields).Where(f => f.Definition.Batch == g.Key)
                        .DistinctBy(f => f.Key).Where(f => !_columns.ContainsKey(f.Key))]))
                .ToList();
            if (work.Count < 2) return;
            var results = new IReadOnlyList<SegmentColumn>[work.Count];
            Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
            {
                var fields = work[k];
                results[k] = fields[0].Definition.Batch is { } batch ? batch(context, fields) : [fields[0].Definition.Compute(context, fields[0].Arguments)];
            });
            for (var k = 0; k < work.Count; k++)
                for (var i = 0; i < work[k].Count; i++)
                    _columns[work[k][i].Key] = Checked(work[k][i], results[k][i]);
        }

        private BitSet Evaluate(BoundNode node)
        {
            switch (node)
            {
                case BoundAnd and:
                {
                    BitSet? result = null;
                    foreach (var part in and.Parts)
                    {
                        var set = Evaluate(part);
                        if (result is null) result = set;
                        else result.And(set);
                        if (result.IsEmpty) break;
                    }
                    return result!;
                }
                case BoundOr or:
                {
                    BitSet? result = null;
                    foreach (var part in or.Parts)
                    {
                        var set = Evaluate(part);
                        if (result is null) result = set;
                        else result.Or(set);
                    }
                    return result!;
                }
                case BoundNot not:
                {
                    var set = Evaluate(not.Operand);
                    set.Not();
                    return set;
                }
                case BoundCondition condition:
                    return Conditions.Evaluate(condition, Column(condition.Field));
                default:
                    throw new InvalidOperationException($"unknown bound node {node.GetType().Name}");
            }
        }

        private SegmentColumn Column(BoundField field)
        {
            if (_columns.TryGetValue(field.Key, out var column)) return column;
            if (field.Definition.Batch is { } batch)
            {
                // Every field of this batch that any rule of the run names, computed in one pass.
                var members = rules.SelectMany(r => r.BoundFields).Where(f => f.Definition.Batch == batch)
                    .DistinctBy(f => f.Key).Where(f => !_columns.ContainsKey(f.Key)).ToList();
                var computed = batch(context, members);
                for (var i = 0; i < members.Count; i++) _columns[members[i].Key] = Checked(members[i], computed[i]);
                return _columns[field.Key];
            }
            column = Checked(field, field.Definition.Compute(context, field.Arguments));
            _columns[field.Key] = column;
            return column;
        }

        private SegmentColumn Checked(BoundField field, SegmentColumn column)
        {
            if (column.Count != context.Count || column.Type != field.Definition.Type)
                throw new InvalidOperationException(
                    $"field {field.Key} computed {column.Count} {column.Type} values where {context.Count} {field.Definition.Type} values were due");
            return column;
        }
    }
}
