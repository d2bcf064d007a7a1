using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;

namespace Flywheel.Customers.Rfm;

/// <summary>
/// Cut points for threshold scoring, each ascending with four values. Recency in days: at most R[0] days scores 5,
/// at most R[1] scores 4, … more than R[3] scores 1. Frequency (orders) and monetary (fen): below F[0] scores 1, at
/// least F[0] scores 2, … at least F[3] scores 5.
/// </summary>
internal sealed record RfmThresholds(IReadOnlyList<int> RecencyDays, IReadOnlyList<int> Frequency, IReadOnlyList<long> MonetaryFen)
{
    public Error? Validate() =>
        Check("thresholds.r", RecencyDays.Select(x => (long)x).ToArray()) ?? Check("thresholds.f", Frequency.Select(x => (long)x).ToArray())
        ?? Check("thresholds.m", [.. MonetaryFen]);

    private static Error? Check(string path, long[] cuts) =>
        cuts.Length != 4 ? Error.Invalid(path, $"four cut points are needed, not {cuts.Length}")
        : cuts.Any(c => c < 0) ? Error.Invalid(path, "cut points cannot be negative")
        : cuts.Zip(cuts.Skip(1)).Any(p => p.First >= p.Second) ? Error.Invalid(path, "cut points must be strictly ascending")
        : null;

    /// <summary>Parses <c>r=30,60,90,180;f=2,3,5,8;m=100,300,800,2000</c> (m in yuan).</summary>
    public static Result<RfmThresholds> Parse(string text)
    {
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries)).ToArray();
        if (parts.Any(p => p.Length != 2) || parts.Select(p => p[0]).Order().SequenceEqual(["f", "m", "r"]) is false)
            return Error.Invalid("thresholds", "expected r=D1,D2,D3,D4;f=N1,N2,N3,N4;m=Y1,Y2,Y3,Y4 (recency days, orders, yuan)");
        var values = new Dictionary<string, long[]>();
        foreach (var p in parts)
        {
            var cuts = new List<long>();
            foreach (var item in p[1].Split(',', StringSplitOptions.TrimEntries))
            {
                if (p[0] == "m")
                {
                    if (!MoneyText.TryParseMajor(item, out var fen)) return Error.Invalid("thresholds.m", $"'{item}' is not an amount in yuan");
                    cuts.Add(fen);
                }
                else if (long.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= int.MaxValue)
                    cuts.Add(n);
                else return Error.Invalid("thresholds." + p[0], $"'{item}' is not a whole number");
            }
            values[p[0]] = [.. cuts];
        }
        var thresholds = new RfmThresholds([.. values["r"].Select(x => (int)x)], [.. values["f"].Select(x => (int)x)], values["m"]);
        return thresholds.Validate() is { } invalid ? invalid : thresholds;
    }
}

/// <summary>
/// An RFM question: customers with at least one paid order in the <paramref name="WindowDays"/> local days ending with
/// <paramref name="AsOf"/> (inclusive), scored 1-5 by quintiles (default) or by <paramref name="Thresholds"/>.
/// </summary>
internal sealed record RfmQuery(DateOnly AsOf, int WindowDays = 365, RfmThresholds? Thresholds = null)
{
    public const int MaxWindowDays = 3660;

    /// <summary>Days the event index can hold (its times are int seconds from 2020).</summary>
    public static readonly DateOnly Earliest = new(1970, 1, 1), Latest = new(2087, 12, 31);

    public Error? Validate() =>
        AsOf < Earliest || AsOf > Latest ? Error.Invalid("as-of", $"{AsOf:yyyy-MM-dd} is outside {Earliest:yyyy-MM-dd}..{Latest:yyyy-MM-dd}")
        : WindowDays is < 1 or > MaxWindowDays ? Error.Invalid("window", $"the window must be 1 to {MaxWindowDays} days, not {WindowDays}")
        : Thresholds?.Validate();
}

/// <summary>One scored customer. Money in fen; recency in days since the last order in the window (0: on the as-of day).</summary>
internal sealed record RfmScore(string CustomerId, int Visitor, int RecencyDays, int Frequency, long Monetary, int R, int F, int M, RfmSegment Segment);

/// <summary>A segment's size and value in one RFM run.</summary>
internal sealed record RfmSegmentSummary(RfmSegment Segment, long Customers, double Share, long Gmv, double GmvShare, long? AverageClv);

internal sealed record RfmResult(RfmQuery Query, IReadOnlyList<RfmScore> Scores, IReadOnlyList<RfmSegmentSummary> Segments)
{
    /// <summary>The score of a customer, or null when they bought nothing in the window.</summary>
    public RfmScore? Of(string customerId) => _byId.Value.GetValueOrDefault(customerId);

    private readonly Lazy<Dictionary<string, RfmScore>> _byId = new(() => Scores.ToDictionary(s => s.CustomerId, StringComparer.Ordinal));
}

/// <summary>How many customers moved from one segment to another between two dates ("none": no order in the window).</summary>
internal sealed record RfmMigration(DateOnly From, DateOnly To, IReadOnlyList<string> Segments, long[,] Counts);

/// <summary>
/// RFM over the event index: one pass over each customer's paid orders (in parallel), then scores. Monetary is what
/// the customer kept paying for: paid GMV minus refunds in the window. Pure: no I/O, no clock.
/// </summary>
internal static class RfmEngine
{
    /// <param name="clv">Optional CLV in fen per visitor (from a fitted model) for the segments' average CLV.</param>
    public static Result<RfmResult> Run(EventIndex index, RfmQuery query, Func<int, long?>? clv = null)
    {
        if (query.Validate() is { } invalid) return invalid;
        var calendar = new LocalCalendar(index.TimeZone);
        var end = calendar.StartOf(query.AsOf.AddDays(1));
        var start = calendar.StartOf(query.AsOf.AddDays(1 - query.WindowDays));
        var asOfDay = query.AsOf.DayNumber;

        var recency = new int[index.VisitorCount];
        var frequency = new int[index.VisitorCount];
        var monetary = new long[index.VisitorCount];
        Parallel.For(0, Math.Clamp(Environment.ProcessorCount, 1, 8), (part, _) =>
        {
            var parts = Math.Clamp(Environment.ProcessorCount, 1, 8);
            var local = new LocalCalendar(index.TimeZone); // its offset cache is not thread-safe
            for (var v = (int)((long)index.VisitorCount * part / parts); v < (int)((long)index.VisitorCount * (part + 1) / parts); v++)
            {
                var last = int.MinValue;
                var count = 0;
                long money = 0;
                for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                {
                    var t = index.OrderPaidTime[o];
                    if (t < start || t >= end) continue;
                    count++;
                    money = checked(money + (index.OrderGmv[o] - index.OrderRefund[o]));
                    last = Math.Max(last, t);
                }
                frequency[v] = count;
                monetary[v] = money;
                recency[v] = count > 0 ? asOfDay - local.DayOf(last) : -1;
            }
        });

        var scored = new List<int>();
        for (var v = 0; v < index.VisitorCount; v++)
            if (frequency[v] > 0 && index.IsCustomer[v]) scored.Add(v);

        Func<int, int> r, f, m;
        if (query.Thresholds is { } cuts)
        {
            int[] rc = [.. cuts.RecencyDays], fc = [.. cuts.Frequency];
            long[] mc = [.. cuts.MonetaryFen];
            r = v => 5 - Above(rc, recency[v]);
            f = v => 1 + Reached(fc, frequency[v]);
            m = v => 1 + Reached(mc, monetary[v]);
        }
        else
        {
            // Lower recency is better: negate it so "more is better" holds for all three.
            int[] rScore = [], fScore = [], mScore = [];
            Parallel.Invoke(
                () => rScore = Quintiles(scored, index.VisitorCount, v => -(long)recency[v]),
                () => fScore = Quintiles(scored, index.VisitorCount, v => frequency[v]),
                () => mScore = Quintiles(scored, index.VisitorCount, v => monetary[v]));
            r = v => rScore[v];
            f = v => fScore[v];
            m = v => mScore[v];
        }

        var scores = new List<RfmScore>(scored.Count);
        foreach (var v in scored)
        {
            int rv = r(v), fv = f(v), mv = m(v);
            scores.Add(new RfmScore(index.VisitorKeys[v], v, recency[v], frequency[v], monetary[v], rv, fv, mv, RfmSegments.Of(rv, fv, mv)));
        }
        return new RfmResult(query, scores, Summarise(scores, clv));
    }

    private static int Above(int[] cuts, int value)
    {
        var n = 0;
        foreach (var c in cuts) if (value > c) n++;
        return n;
    }

    private static int Reached(int[] cuts, int value)
    {
        var n = 0;
        foreach (var c in cuts) if (value >= c) n++;
        return n;
    }

    private static int Reached(long[] cuts, long value)
    {
        var n = 0;
        foreach (var c in cuts) if (value >= c) n++;
        return n;
    }

    /// <summary>
    /// Scores 1-5 by quintile with ties kept together: a customer scores 1 + floor(5 × (customers with a strictly
    /// worse value) / n), so the best fifth scores 5 and equal values always score the same.
    /// </summary>
    private static int[] Quintiles(List<int> visitors, int visitorCount, Func<int, long> value)
    {
        var n = visitors.Count;
        var values = new long[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = value(visitors[i]);
            order[i] = visitors[i];
        }
        Array.Sort(values, order);
        var scores = new int[visitorCount];
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j < n && values[j] == values[i]) j++;
            var score = Math.Min(5, 1 + (int)(5L * i / n));
            for (var k = i; k < j; k++) scores[order[k]] = score;
            i = j;
        }
        return scores;
    }

    private static List<RfmSegmentSummary> Summarise(List<RfmScore> scores, Func<int, long?>? clv)
    {
        var total = scores.Count;
        var position = new Dictionary<RfmSegment, int>();
        for (var i = 0; i < RfmSegments.All.Count; i++) position[RfmSegments.All[i]] = i;
        var count = new long[RfmSegments.All.Count];
        var money = new long[RfmSegments.All.Count];
        var clvSum = new long[RfmSegments.All.Count];
        var clvCount = new long[RfmSegments.All.Count];
        long gmv = 0;
        foreach (var s in scores)
        {
            var i = position[s.Segment];
            count[i]++;
            money[i] = checked(money[i] + s.Monetary);
            gmv = checked(gmv + s.Monetary);
            if (clv?.Invoke(s.Visitor) is { } value)
            {
                clvSum[i] = checked(clvSum[i] + value);
                clvCount[i]++;
            }
        }
        var summaries = new List<RfmSegmentSummary>();
        for (var i = 0; i < RfmSegments.All.Count; i++)
        {
            long? averageClv = clvCount[i] > 0 ? (long)(((Int128)clvSum[i] * 2 + clvCount[i]) / ((Int128)clvCount[i] * 2)) : null;
            summaries.Add(new RfmSegmentSummary(RfmSegments.All[i], count[i], total == 0 ? 0 : (double)count[i] / total, money[i],
                gmv == 0 ? 0 : (double)money[i] / gmv, averageClv));
        }
        return summaries;
    }

    /// <summary>The migration matrix between the RFM segments as of two dates (same window and scoring).</summary>
    public static Result<RfmMigration> Migration(EventIndex index, RfmQuery earlier, DateOnly to)
    {
        if (to > RfmQuery.Latest) return Error.Invalid("compare", $"{to:yyyy-MM-dd} is after {RfmQuery.Latest:yyyy-MM-dd}");
        if (to <= earlier.AsOf) return Error.Invalid("compare", $"the later date ({to:yyyy-MM-dd}) must come after {earlier.AsOf:yyyy-MM-dd}");
        var before = Run(index, earlier);
        if (!before.IsSuccess) return before.Error!;
        var after = Run(index, earlier with { AsOf = to }).Value;
        var labels = RfmSegments.All.Select(s => s.Code).Append("none").ToList();
        var position = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);
        var counts = new long[labels.Count, labels.Count];
        var customers = before.Value.Scores.Select(s => s.CustomerId).Union(after.Scores.Select(s => s.CustomerId));
        foreach (var customerId in customers)
        {
            var a = before.Value.Of(customerId)?.Segment.Code ?? "none";
            var b = after.Of(customerId)?.Segment.Code ?? "none";
            counts[position[a], position[b]]++;
        }
        return new RfmMigration(earlier.AsOf, to, labels, counts);
    }
}
