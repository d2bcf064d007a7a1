using Flywheel.Analytics.Contracts;
using System.Numerics;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Funnels;

/// <summary>One step of a funnel result.</summary>
/// <param name="Customers">Visitors who reached at least this step.</param>
/// <param name="ConversionFromPrevious">Customers / the previous step's customers (null on the first step or when that is 0).</param>
/// <param name="ConversionFromFirst">Customers / the first step's customers (null when that is 0).</param>
/// <param name="DropOff">Visitors who reached this step but not the next (on the last step: 0).</param>
/// <param name="MedianSeconds">Median seconds from the chain's first-step event to this step's event (nearest rank; null when nobody reached it).</param>
/// <param name="P90Seconds">90th percentile of the same (nearest rank).</param>
internal sealed record FunnelStepResult(string Step, long Customers, double? ConversionFromPrevious, double? ConversionFromFirst, long DropOff,
    int? MedianSeconds, int? P90Seconds);

/// <summary>Customers reaching at least each step, for one breakdown value (null: the visitor's event had no channel).</summary>
internal sealed record FunnelBreakdownRow(string? Value, IReadOnlyList<long> Customers);

/// <summary>
/// The visitors who dropped after a step. <see cref="DroppedAfter"/> = k (1-based, as people number steps) means: reached
/// step k within the window, did not reach step k + 1. In a view → cart → pay funnel, 2 is the abandoned carts.
/// </summary>
/// <param name="CustomerIds">
/// The known customers among them: the members of a drop-off audience. In index order, which means nothing; not sorted,
/// because sorting a hundred thousand ids would cost more than finding them (the audience store keeps them in code-point order).
/// </param>
/// <param name="AnonymousVisitors">Anonymous ids (never identified) among them. Counted only: nothing can be sent to them.</param>
internal sealed record FunnelDropOff(int DroppedAfter, IReadOnlyList<string> CustomerIds, long AnonymousVisitors)
{
    /// <summary>
    /// Null when <paramref name="droppedAfter"/> names a step with a next one (1 to steps − 1); otherwise an invalid-input
    /// error with path <c>dropped_after</c> that says which numbers this funnel takes.
    /// </summary>
    public static Error? Check(int droppedAfter, IReadOnlyList<FunnelStep> steps)
    {
        var n = steps.Count;
        if (n < 2) return Error.Invalid("dropped_after", "a one-step funnel has no drop-off to save: give at least two steps");
        var example = $"1 means reached step 1 ({steps[0].Label}) but not step 2 ({steps[1].Label})";
        if (droppedAfter == n)
            return Error.Invalid("dropped_after", $"step {n} ({steps[n - 1].Label}) is the last step, so nobody drops after it; give 1 to {n - 1}: {example}");
        if (droppedAfter < 1 || droppedAfter > n)
            return Error.Invalid("dropped_after", $"{droppedAfter} is not a step of this {n}-step funnel; give 1 to {n - 1}: {example}");
        return null;
    }
}

/// <summary>The result of <see cref="FunnelEngine.Run"/>. Immutable; holds the level each visitor reached for <see cref="DropOff"/>.</summary>
internal sealed class FunnelResult
{
    private readonly EventIndex _index;
    private readonly byte[] _levels;

    internal FunnelResult(EventIndex index, byte[] levels, IReadOnlyList<FunnelStepResult> steps, IReadOnlyList<FunnelBreakdownRow> breakdown)
    {
        _index = index;
        _levels = levels;
        Steps = steps;
        Breakdown = breakdown;
    }

    public IReadOnlyList<FunnelStepResult> Steps { get; }

    /// <summary>Per breakdown value (most first-step customers first); empty without a breakdown.</summary>
    public IReadOnlyList<FunnelBreakdownRow> Breakdown { get; }

    /// <summary>The number of steps visitor <paramref name="visitor"/> reached (0..steps).</summary>
    public int LevelOf(int visitor) => _levels[visitor];

    /// <summary>
    /// Who dropped after step <paramref name="droppedAfter"/> (1-based; see <see cref="FunnelDropOff"/>), from the same levels as
    /// <see cref="Steps"/>: the query's mode, window, filters and first-step range hold, the breakdown plays no part, and
    /// customers plus anonymous visitors equal that step's <see cref="FunnelStepResult.DropOff"/>. One pass over a byte per
    /// visitor, made only when asked: <see cref="FunnelEngine.Run"/> does no work for it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="droppedAfter"/> fails <see cref="FunnelDropOff.Check"/>.</exception>
    public FunnelDropOff DropOff(int droppedAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(droppedAfter, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(droppedAfter, Steps.Count);
        var customers = new List<string>();
        long anonymous = 0;
        for (var v = 0; v < _levels.Length; v++)
        {
            if (_levels[v] != droppedAfter) continue;
            if (_index.IsCustomer[v]) customers.Add(_index.VisitorKeys[v]);
            else anonymous++;
        }
        return new FunnelDropOff(droppedAfter, customers, anonymous);
    }

    /// <summary>
    /// Visitor keys that reached step <paramref name="stepIndex"/> (0-based) but not the next: e.g. cart but not paid. The same
    /// visitors as <c>DropOff(stepIndex + 1)</c>, anonymous ones as "~" + id, in index order.
    /// </summary>
    public IReadOnlyList<string> DroppedAt(int stepIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stepIndex, Steps.Count);
        var keys = new List<string>();
        for (var v = 0; v < _levels.Length; v++)
            if (_levels[v] == stepIndex + 1) keys.Add(_index.VisitorKeys[v]);
        return keys;
    }
}

/// <summary>
/// Funnel analysis over an <see cref="EventIndex"/> with ClickHouse <c>windowFunnel</c> semantics, per visitor:
/// events are read in the index's order (time, then store order); an event of the first step starts a chain
/// (remembering its time); an event of step k advances the chain that reached step k-1 when it lies within
/// <c>chainStart + window</c> (inclusive). The visitor's level is the number of consecutive steps reached.
/// <para>
/// Where ClickHouse lets one row satisfy several conditions at once, here an event counts for one step only: the
/// highest step it can advance, else it starts a new chain if it is a first-step event. Ties in time are taken in the
/// store's order, not ClickHouse's (time, condition) order, so a cart logged before its view in the same second
/// does not count as following it.
/// </para>
/// Thread-safe: the index is read-only and each run has its own state.
/// </summary>
internal static class FunnelEngine
{
    private const int ChunkVisitors = 2048;

    public static Result<FunnelResult> Run(EventIndex index, FunnelQuery query)
    {
        var n = query.Steps.Count;
        var plan = new Plan(index, query);
        for (var k = 0; k < n; k++)
        {
            var type = query.Steps[k].EventType;
            if (index.Types.Find(type) < 0 && !FunnelQuery.ContractEventTypes.Contains(type))
                return Error.Invalid("steps", $"step {k + 1} ({query.Steps[k].Label}): unknown event type '{type}'");
            // A category that matches nothing at any level of any product's path is most likely a typo: say so, do not count zero.
            foreach (var filter in query.Steps[k].Filters)
                if (filter.Field == FunnelField.Category && !CategoryPaths.Exists(index.Categories, filter.Value))
                    return Error.Invalid("steps", $"step {k + 1} ({query.Steps[k].Label}): {CategoryPaths.NoneMatch(filter.Value)}");
        }

        var visitors = index.VisitorCount;
        var levels = new byte[visitors];
        var buckets = query.Breakdown == FunnelBreakdown.None ? [] : new ushort[visitors];
        var convert = new int[(long)visitors * n];
        var chunks = (visitors + ChunkVisitors - 1) / ChunkVisitors;
        Parallel.For(0, chunks, () => new State(n), (chunk, _, state) =>
        {
            var end = Math.Min(visitors, (chunk + 1) * ChunkVisitors);
            for (var v = chunk * ChunkVisitors; v < end; v++) plan.Visit(v, state, levels, buckets, convert);
            return state;
        }, _ => { });

        return Summarise(index, query, levels, buckets, convert);
    }

    private static FunnelResult Summarise(EventIndex index, FunnelQuery query, byte[] levels, ushort[] buckets, int[] convert)
    {
        var n = query.Steps.Count;
        var atLevel = new long[n + 1];
        foreach (var level in levels) atLevel[level]++;
        var customers = new long[n];
        long running = 0;
        for (var k = n - 1; k >= 0; k--) customers[k] = running += atLevel[k + 1];

        var steps = new FunnelStepResult[n];
        var times = new int[levels.Length];
        for (var k = 0; k < n; k++)
        {
            int? median = null, p90 = null;
            if (customers[k] > 0 && k == 0) median = p90 = 0;
            else if (customers[k] > 0)
            {
                var count = 0;
                for (var v = 0; v < levels.Length; v++)
                    if (levels[v] > k) times[count++] = convert[(long)v * n + k];
                // Selection, not a sort: two order statistics of up to every visitor must not cost n log n each.
                var p90Rank = NearestRank(0.9, count);
                p90 = Select(times.AsSpan(0, count), p90Rank);
                median = Select(times.AsSpan(0, p90Rank + 1), NearestRank(0.5, count));
            }
            steps[k] = new FunnelStepResult(query.Steps[k].Label, customers[k],
                k == 0 || customers[k - 1] == 0 ? null : (double)customers[k] / customers[k - 1],
                customers[0] == 0 ? null : (double)customers[k] / customers[0],
                k == n - 1 ? 0 : customers[k] - customers[k + 1], median, p90);
        }

        var rows = new List<FunnelBreakdownRow>();
        if (query.Breakdown != FunnelBreakdown.None)
        {
            var histogram = new long[index.Channels.Count * (n + 1)];
            for (var v = 0; v < levels.Length; v++)
                if (levels[v] > 0) histogram[buckets[v] * (n + 1) + levels[v]]++;
            for (var code = 0; code < index.Channels.Count; code++)
            {
                var counts = new long[n];
                long sum = 0;
                for (var k = n - 1; k >= 0; k--) counts[k] = sum += histogram[code * (n + 1) + k + 1];
                if (counts[0] > 0) rows.Add(new FunnelBreakdownRow(index.Channels.Decode(code), counts));
            }
            rows.Sort((a, b) => b.Customers[0] != a.Customers[0] ? b.Customers[0].CompareTo(a.Customers[0])
                : string.CompareOrdinal(a.Value, b.Value));
        }
        return new FunnelResult(index, levels, steps, rows);
    }

    /// <summary>
    /// Hoare's quickselect: rearranges <paramref name="values"/> so that position <paramref name="rank"/> holds the value a sort would put
    /// there, everything before it is not greater and everything after not smaller.
    /// </summary>
    internal static int Select(Span<int> values, int rank)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            // Median of three as the pivot, so sorted or constant input stays linear.
            if (values[mid] < values[lo]) (values[mid], values[lo]) = (values[lo], values[mid]);
            if (values[hi] < values[lo]) (values[hi], values[lo]) = (values[lo], values[hi]);
            if (values[hi] < values[mid]) (values[hi], values[mid]) = (values[mid], values[hi]);
            var pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return values[rank];
        }
        return values[rank];
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least p of the values at or below it.</summary>
    private static int NearestRank(double p, int count) => Math.Max(0, (int)Math.Ceiling(p * count) - 1);

    /// <summary>Per-thread scratch: for each step reached, the chain's start time, this step's event time and the chain's start row.</summary>
    private sealed class State(int steps)
    {
        public readonly int[] Start = new int[steps];
        public readonly int[] Last = new int[steps];
        public readonly int[] StartRow = new int[steps];
    }

    /// <summary>The query compiled against one index: a step mask per event type, filter codes per step.</summary>
    private sealed class Plan
    {
        private readonly EventIndex _index;
        private readonly int _steps;
        private readonly uint[] _typeMask;
        private readonly uint _filtered;
        private readonly (FunnelField Field, int Code, bool[]? Categories)[][] _filters;
        private readonly long _window;
        private readonly int _from, _to;
        private readonly bool _strictOrder, _strictIncrease;
        private readonly FunnelBreakdown _breakdown;

        public Plan(EventIndex index, FunnelQuery query)
        {
            _index = index;
            _steps = query.Steps.Count;
            _typeMask = new uint[Math.Max(1, index.Types.Count)];
            _filters = new (FunnelField, int, bool[]?)[_steps][];
            for (var k = 0; k < _steps; k++)
            {
                var step = query.Steps[k];
                var type = index.Types.Find(step.EventType);
                if (type >= 0) _typeMask[type] |= 1u << k;
                // A category keeps its path, the paths under it and paths with a level of that name (CategoryPaths).
                _filters[k] = [.. step.Filters.Select(f => (f.Field, Find(index, f),
                    f.Field == FunnelField.Category ? CategoryPaths.Mask(index.Categories, f.Value) : null))];
                if (_filters[k].Length > 0) _filtered |= 1u << k;
            }
            _window = query.WindowSeconds;
            _from = query.FirstStepFrom ?? int.MinValue;
            _to = query.FirstStepTo ?? int.MaxValue;
            _strictOrder = query.Mode == FunnelMode.StrictOrder;
            _strictIncrease = query.Mode == FunnelMode.StrictIncrease;
            _breakdown = query.Breakdown;
        }

        private static int Find(EventIndex index, FunnelFilter f) => f.Field switch
        {
            FunnelField.Channel => index.Channels.Find(f.Value),
            FunnelField.Source => index.Sources.Find(f.Value),
            FunnelField.Medium => index.Mediums.Find(f.Value),
            FunnelField.Campaign => index.Campaigns.Find(f.Value),
            FunnelField.Sku => index.Skus.Find(f.Value),
            FunnelField.Category => index.Categories.Find(f.Value),
            FunnelField.Kol => index.Kols.Find(f.Value),
            _ => -1,
        };

        private bool Holds(int row, (FunnelField Field, int Code, bool[]? Categories)[] filters)
        {
            foreach (var (field, code, categories) in filters)
            {
                if (categories is not null)
                {
                    var sku = _index.EventSku[row];
                    if (!categories[sku < _index.SkuCategory.Length ? _index.SkuCategory[sku] : 0]) return false;
                    continue;
                }
                var value = field switch
                {
                    FunnelField.Channel => _index.EventChannel[row],
                    FunnelField.Source => _index.EventSource[row],
                    FunnelField.Medium => _index.EventMedium[row],
                    FunnelField.Campaign => _index.EventCampaign[row],
                    FunnelField.Sku => _index.EventSku[row],
                    FunnelField.Category => _index.EventSku[row] < _index.SkuCategory.Length ? _index.SkuCategory[_index.EventSku[row]] : 0,
                    FunnelField.Kol => _index.EventKol[row],
                    _ => -1,
                };
                if (value != code) return false;
            }
            return true;
        }

        public void Visit(int visitor, State state, byte[] levels, ushort[] buckets, int[] convert)
        {
            var time = _index.EventTime;
            var types = _index.EventType;
            var typeMask = _typeMask;
            var start = state.Start;
            var last = state.Last;
            var startRow = state.StartRow;
            var full = _steps == 32 ? uint.MaxValue : (1u << _steps) - 1;
            var filtered = _filtered;
            var window = _window;
            var (from, to) = (_from, _to);
            var strictOrder = _strictOrder;
            var strictIncrease = _strictIncrease;
            uint reached = 0;
            var started = false;
            var first = _index.EventStart[visitor];
            var end = _index.EventStart[visitor + 1];
            // Spans over the visitor's rows let the JIT drop most bounds checks in the loop.
            var times = time.AsSpan(first, end - first);
            var typeSpan = types.AsSpan(first, times.Length);
            for (var i = 0; i < times.Length; i++)
            {
                var row = first + i;
                var mask = typeMask[typeSpan[i]];
                var t = times[i];
                if ((mask & filtered) != 0)
                {
                    var check = mask & filtered;
                    while (check != 0)
                    {
                        var k = BitOperations.TrailingZeroCount(check);
                        check &= check - 1;
                        if (!Holds(row, _filters[k])) mask &= ~(1u << k);
                    }
                }
                if ((mask & 1) != 0 && (t < from || t >= to)) mask &= ~1u;
                if (mask == 0)
                {
                    if (strictOrder && started) break;
                    continue;
                }

                var advanced = false;
                var inOrder = (mask & 1) != 0;
                var higher = mask & ~1u;
                while (higher != 0)
                {
                    var k = 31 - BitOperations.LeadingZeroCount(higher);
                    higher &= ~(1u << k);
                    if ((reached & (1u << (k - 1))) == 0) continue;
                    inOrder = true;
                    if (t > start[k - 1] + window) continue;
                    if (strictIncrease && last[k - 1] >= t) continue;
                    start[k] = start[k - 1];
                    startRow[k] = startRow[k - 1];
                    last[k] = t;
                    reached |= 1u << k;
                    advanced = true;
                    break;
                }
                if (!advanced)
                {
                    if ((mask & 1) != 0)
                    {
                        start[0] = t;
                        last[0] = t;
                        startRow[0] = row;
                        reached |= 1;
                        started = true;
                    }
                    else if (strictOrder && started && !inOrder) break;
                }
                if (reached == full) break;
            }

            var level = BitOperations.TrailingZeroCount(~reached);
            levels[visitor] = (byte)level;
            if (level == 0) return;
            var baseIndex = (long)visitor * _steps;
            for (var k = 0; k < level; k++) convert[baseIndex + k] = last[k] - start[k];
            if (_breakdown == FunnelBreakdown.Channel) buckets[visitor] = _index.EventChannel[startRow[level - 1]];
            else if (_breakdown == FunnelBreakdown.FirstTouchChannel)
            {
                for (var row = first; row < end; row++)
                    if (_index.EventChannel[row] != 0)
                    {
                        buckets[visitor] = _index.EventChannel[row];
                        break;
                    }
            }
        }
    }
}
