using Flywheel.Analytics.Contracts;

namespace Flywheel.Grow.Domain.Matrix;

/// <summary>
/// What a channel, a stage or the whole range measured. Money is fen. Counts and definitions are those of
/// <c>GET /v1/metrics?by=channel</c> (docs/kpis.md), so the two agree: UV = distinct visitors with an event on the channel,
/// buyers = distinct customers with a paid order on it, orders and GMV by the order's channel, impressions, clicks and spend
/// from the spend rows. New customers = customers whose first paid order ever is in the range (on this channel);
/// repurchase orders = customers' paid orders that are not their first ever. Guest orders count in orders and GMV only.
/// </summary>
internal sealed record MatrixMetrics(long Impressions, long Clicks, long Visitors, long Buyers, long Orders, long Gmv, long Spend, long NewCustomers,
    long RepurchaseOrders)
{
    public double? Ctr => Ratio(Clicks, Impressions);
    /// <summary>Buyers / UV, as the KPI report defines conversion.</summary>
    public double? Cvr => Ratio(Buyers, Visitors);
    /// <summary>GMV / spend (what marketplaces call ROAS).</summary>
    public double? Roi => Ratio(Gmv, Spend);
    /// <summary>Spend / new customers in fen, half up (0 for a channel without spend, as the KPI report has it); null without new customers.</summary>
    public long? Cac => NewCustomers > 0 ? DivideHalfUp(Spend, NewCustomers) : null;

    public static double? Ratio(long numerator, long denominator) => denominator > 0 ? (double)numerator / denominator : null;

    public static long DivideHalfUp(long numerator, long denominator) => (long)(((Int128)numerator * 2 + denominator) / ((Int128)denominator * 2));
}

/// <summary>One cell of the matrix: a channel in the stage it serves.</summary>
internal sealed record MatrixChannel(string Channel, string Stage, MatrixMetrics Metrics, double? BudgetShare, double? GmvShare);

/// <summary>A stage's totals (UV and buyers distinct within the stage) and its channels, largest GMV first.</summary>
internal sealed record MatrixStage(string Stage, MatrixMetrics Totals, double? BudgetShare, double? GmvShare, IReadOnlyList<MatrixChannel> Channels);

/// <summary>The channel matrix of the local days [From, To]: every stage (in lifecycle order, empty ones included) and the total.</summary>
internal sealed record ChannelMatrixReport(DateOnly From, DateOnly To, string TimeZone, IReadOnlyList<MatrixStage> Stages, MatrixMetrics Total);

/// <summary>
/// The channel matrix in one pass over the event index: each visitor's events and orders in the range, then the spend rows.
/// Visitors are split across cores as the KPI engine does (distinct counts add up because no visitor is in two parts). Pure.
/// </summary>
internal static class ChannelMatrixEngine
{
    /// <summary>How the row of a channel without a name (events with no channel) is labelled.</summary>
    public const string NoChannel = "(none)";

    // Per-channel slots.
    private const int Stride = 8;
    private const int Visitors = 0, Buyers = 1, Orders = 2, Gmv = 3, New = 4, Repurchase = 5, Impressions = 6, Clicks = 7;

    public static ChannelMatrixReport Compute(EventIndex index, DateOnly from, DateOnly to, StageMap stages)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(stages);
        var calendar = new LocalCalendar(index.TimeZone);
        int start = calendar.StartOf(from), end = calendar.StartOf(to.AddDays(1));
        var channels = index.Channels.Count;
        var stageOf = new int[channels];
        for (var c = 0; c < channels; c++)
            stageOf[c] = IndexOfStage(stages.Of(index.Channels.Decode(c)));

        var visitors = index.VisitorCount;
        var parts = Math.Clamp(Math.Min(Environment.ProcessorCount, visitors / 1024), 1, 8);
        var partials = new Partial[parts];
        if (parts == 1) partials[0] = Accumulate(index, stageOf, start, end, 0, visitors);
        else
            Parallel.For(0, parts, part =>
                partials[part] = Accumulate(index, stageOf, start, end, (int)((long)visitors * part / parts), (int)((long)visitors * (part + 1) / parts)));
        var acc = partials[0];
        for (var p = 1; p < parts; p++) acc.Add(partials[p]);

        var spend = new long[channels];
        int firstDay = from.DayNumber, lastDay = to.DayNumber;
        for (var s = 0; s < index.SpendDay.Length; s++)
        {
            var day = index.SpendDay[s];
            if (day < firstDay || day > lastDay) continue;
            var c = index.SpendChannel[s];
            spend[c] = checked(spend[c] + index.SpendCost[s]);
            acc.Channel[c * Stride + Impressions] = checked(acc.Channel[c * Stride + Impressions] + index.SpendImpressions[s]);
            acc.Channel[c * Stride + Clicks] = checked(acc.Channel[c * Stride + Clicks] + index.SpendClicks[s]);
        }

        var rows = new List<(int Stage, MatrixMetrics Metrics, string Name)>();
        for (var c = 0; c < channels; c++)
        {
            var at = c * Stride;
            if (spend[c] == 0 && acc.Channel.AsSpan(at, Stride).IndexOfAnyExcept(0L) < 0) continue;
            rows.Add((stageOf[c], Metrics(acc.Channel, at, spend[c]), index.Channels.Decode(c) ?? NoChannel));
        }

        var total = Sum(rows.Select(r => r.Metrics), acc.TotalVisitors, acc.TotalBuyers);
        var stageList = new List<MatrixStage>(LifecycleStage.All.Count);
        for (var s = 0; s < LifecycleStage.All.Count; s++)
        {
            var mine = rows.Where(r => r.Stage == s).ToList();
            var totals = Sum(mine.Select(r => r.Metrics), acc.StageVisitors[s], acc.StageBuyers[s]);
            var cells = mine
                .Select(r => new MatrixChannel(r.Name, LifecycleStage.All[s], r.Metrics, MatrixMetrics.Ratio(r.Metrics.Spend, total.Spend),
                    MatrixMetrics.Ratio(r.Metrics.Gmv, total.Gmv)))
                .OrderByDescending(r => r.Metrics.Gmv).ThenByDescending(r => r.Metrics.Visitors).ThenBy(r => r.Channel, StringComparer.Ordinal)
                .ToList();
            stageList.Add(new MatrixStage(LifecycleStage.All[s], totals, MatrixMetrics.Ratio(totals.Spend, total.Spend), MatrixMetrics.Ratio(totals.Gmv, total.Gmv), cells));
        }
        return new ChannelMatrixReport(from, to, index.TimeZone, stageList, total);
    }

    private static int IndexOfStage(string stage)
    {
        for (var s = 0; s < LifecycleStage.All.Count; s++)
            if (string.Equals(LifecycleStage.All[s], stage, StringComparison.Ordinal)) return s;
        throw new ArgumentException($"'{stage}' is not a lifecycle stage", nameof(stage));
    }

    private static MatrixMetrics Metrics(long[] acc, int at, long spend) =>
        new(acc[at + Impressions], acc[at + Clicks], acc[at + Visitors], acc[at + Buyers], acc[at + Orders], acc[at + Gmv], spend, acc[at + New], acc[at + Repurchase]);

    /// <summary>Adds channels' metrics; UV and buyers are the distinct counts given (a visitor on two channels is one visitor).</summary>
    private static MatrixMetrics Sum(IEnumerable<MatrixMetrics> rows, long visitors, long buyers)
    {
        long impressions = 0, clicks = 0, orders = 0, gmv = 0, spend = 0, fresh = 0, repurchase = 0;
        foreach (var r in rows)
        {
            impressions = checked(impressions + r.Impressions);
            clicks = checked(clicks + r.Clicks);
            orders += r.Orders;
            gmv = checked(gmv + r.Gmv);
            spend = checked(spend + r.Spend);
            fresh += r.NewCustomers;
            repurchase += r.RepurchaseOrders;
        }
        return new MatrixMetrics(impressions, clicks, visitors, buyers, orders, gmv, spend, fresh, repurchase);
    }

    /// <summary>The accumulators of one part of the visitors.</summary>
    private sealed class Partial(int channels, int stages)
    {
        public long[] Channel { get; } = new long[channels * Stride];
        public long[] StageVisitors { get; } = new long[stages];
        public long[] StageBuyers { get; } = new long[stages];
        public long TotalVisitors { get; set; }
        public long TotalBuyers { get; set; }

        public void Add(Partial other)
        {
            for (var i = 0; i < Channel.Length; i++) Channel[i] = checked(Channel[i] + other.Channel[i]);
            for (var s = 0; s < StageVisitors.Length; s++)
            {
                StageVisitors[s] += other.StageVisitors[s];
                StageBuyers[s] += other.StageBuyers[s];
            }
            TotalVisitors += other.TotalVisitors;
            TotalBuyers += other.TotalBuyers;
        }
    }

    private static Partial Accumulate(EventIndex index, int[] stageOf, int start, int end, int fromVisitor, int toVisitor)
    {
        var channels = stageOf.Length;
        var stages = LifecycleStage.All.Count;
        var part = new Partial(channels, stages);
        var acc = part.Channel;
        var lastChannelVisitor = new int[channels];
        var lastChannelBuyer = new int[channels];
        var lastStageVisitor = new int[stages];
        var lastStageBuyer = new int[stages];
        Array.Fill(lastChannelVisitor, -1);
        Array.Fill(lastChannelBuyer, -1);
        Array.Fill(lastStageVisitor, -1);
        Array.Fill(lastStageBuyer, -1);
        var eventStart = index.EventStart;
        var eventTime = index.EventTime;
        var eventChannel = index.EventChannel;
        var orderStart = index.OrderStart;
        var orderTime = index.OrderPaidTime;
        var orderChannel = index.OrderChannel;
        var orderGmv = index.OrderGmv;
        var isCustomer = index.IsCustomer;
        long totalVisitors = 0, totalBuyers = 0;

        for (var v = fromVisitor; v < toVisitor; v++)
        {
            int e0 = eventStart[v], e1 = eventStart[v + 1];
            // Rows are in time order: start at the first one in the range, stop at the first one past it.
            var e = e0 < e1 && eventTime[e0] < start ? LowerBound(eventTime, e0, e1, start) : e0;
            var seen = false;
            for (; e < e1; e++)
            {
                if (eventTime[e] >= end) break;
                seen = true;
                int c = eventChannel[e];
                if (lastChannelVisitor[c] != v)
                {
                    lastChannelVisitor[c] = v;
                    acc[c * Stride + Visitors]++;
                    var s = stageOf[c];
                    if (lastStageVisitor[s] != v)
                    {
                        lastStageVisitor[s] = v;
                        part.StageVisitors[s]++;
                    }
                }
            }
            if (seen) totalVisitors++;

            int o0 = orderStart[v], o1 = orderStart[v + 1];
            if (o0 == o1 || orderTime[o1 - 1] < start || orderTime[o0] >= end) continue;
            var buyer = isCustomer[v];
            var bought = false;
            for (var o = o0; o < o1; o++)
            {
                var t = orderTime[o];
                if (t < start) continue;
                if (t >= end) break;
                int c = orderChannel[o];
                var at = c * Stride;
                acc[at + Orders]++;
                acc[at + Gmv] = checked(acc[at + Gmv] + orderGmv[o]);
                if (!buyer) continue;
                bought = true;
                // The first paid order ever makes a new customer (as the KPI report's new buyers); every later one is a repurchase.
                if (o == o0) acc[at + New]++;
                else acc[at + Repurchase]++;
                if (lastChannelBuyer[c] != v)
                {
                    lastChannelBuyer[c] = v;
                    acc[at + Buyers]++;
                    var s = stageOf[c];
                    if (lastStageBuyer[s] != v)
                    {
                        lastStageBuyer[s] = v;
                        part.StageBuyers[s]++;
                    }
                }
            }
            if (bought) totalBuyers++;
        }
        part.TotalVisitors = totalVisitors;
        part.TotalBuyers = totalBuyers;
        return part;
    }

    private static int LowerBound(int[] times, int from, int to, int time)
    {
        while (from < to)
        {
            var mid = (int)(((uint)from + (uint)to) >> 1);
            if (times[mid] < time) from = mid + 1;
            else to = mid;
        }
        return from;
    }
}
