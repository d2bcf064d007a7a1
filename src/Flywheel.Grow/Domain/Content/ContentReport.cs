using Flywheel.Analytics.Contracts;

namespace Flywheel.Grow.Domain.Content;

/// <summary>
/// Where a piece of content stands on click-through against conversion (the seeds' 内容页点击率 vs 转化率), against the medians of
/// the items that have both: high is at or above the median, low below it.
/// </summary>
internal static class Quadrant
{
    /// <summary>CTR high, CVR high: watched and sells.</summary>
    public const string Sells = "sells";
    /// <summary>CTR high, CVR low: watched but does not sell (叫好不叫座).</summary>
    public const string WatchedNotSelling = "watched_not_selling";
    /// <summary>CTR low, CVR high: few click through, but those who do buy (小而美).</summary>
    public const string SellsQuietly = "sells_quietly";
    /// <summary>Both low.</summary>
    public const string Neither = "neither";
    /// <summary>No views imported or no clicks in the period: no CTR or no CVR to place.</summary>
    public const string NoData = "no_data";

    public static string Of(double? ctr, double? cvr, double? medianCtr, double? medianCvr)
    {
        if (ctr is not { } t || cvr is not { } v || medianCtr is not { } mt || medianCvr is not { } mv) return NoData;
        return (t >= mt, v >= mv) switch
        {
            (true, true) => Sells,
            (true, false) => WatchedNotSelling,
            (false, true) => SellsQuietly,
            _ => Neither,
        };
    }
}

/// <summary>One content item in the report: its ledger row, what it brought to the brand in the period, and its quadrant.</summary>
internal sealed record ContentRow(string ContentId, string Title, string Kind, string Platform, string Owner, string? CreatorId, string Stage, long PublishedAt,
    long Cost, long Views, long Likes, long Comments, long Saves, long Shares, long LiveWatchers, long PlatformGmv,
    long Clicks, double? Ctr, long Orders, long Gmv, double? Cvr, long? CostPerOrder, double? Roi, string Quadrant);

/// <summary>The items of one platform together.</summary>
internal sealed record PlatformRow(string Platform, int Items, long Cost, long Views, long Clicks, double? Ctr, long Orders, long Gmv, double? Cvr,
    long? CostPerOrder, double? Roi, long PlatformGmv);

/// <summary>The content report of local days [From, To]: items published by the end of To, the medians the quadrants use, the rules.</summary>
internal sealed record ContentReportResult(DateOnly From, DateOnly To, double? MedianCtr, double? MedianCvr, string Rules, IReadOnlyList<ContentRow> Items,
    IReadOnlyList<PlatformRow> Platforms);

/// <summary>
/// Content click-through against conversion. Rules (also in <see cref="Rules"/>):
/// <list type="bullet">
/// <item>views: as the platform reports them (imported; not bound to the period).</item>
/// <item>clicks: click or page_view events carrying utm_content = the item, in the period, once per visitor per 30 minutes
/// (a touch within 30 minutes of the visitor's previous touch of the same item continues the same visit).</item>
/// <item>orders and GMV: paid orders (the event index's) paid in the period whose visitor's last content touch (a click or page_view
/// carrying any utm_content) within the 7 days before payment was the item. Each order goes to one item at most.</item>
/// <item>CTR = clicks / views; CVR = orders / clicks; cost per order = cost / orders (fen, half up); ROI = GMV / cost.</item>
/// <item>quadrant: CTR and CVR against their medians over the items that have both (<see cref="Quadrant"/>).</item>
/// </list>
/// </summary>
internal static class ContentReport
{
    public const int VisitMinutes = 30;
    public const int LookbackDays = 7;

    /// <summary>The event types that count as a touch of content or of a keyword.</summary>
    public static readonly IReadOnlyList<string> TouchTypes = ["click", "page_view"];

    public const string Rules =
        "clicks: click/page_view events with utm_content = the item in the period, once per visitor per 30 min; " +
        "orders: paid in the period, credited to the visitor's last content touch within 7 days before payment; " +
        "CTR = clicks / views (platform); CVR = orders / clicks; cost per order = cost / orders; ROI = GMV / cost; " +
        "quadrant: CTR and CVR at or above their medians (over items with both) are high";

    /// <param name="items">The ledger.</param>
    /// <param name="touches">Content touches (click, page_view) from <see cref="LookbackDays"/> days before the period to its end, by time.</param>
    /// <param name="index">The event index whose paid orders are credited.</param>
    /// <param name="fromMs">Start of the period (Unix ms, start of the local day From).</param>
    /// <param name="toMs">End of the period, exclusive (start of the local day after To).</param>
    public static ContentReportResult Run(IReadOnlyList<ContentItem> items, IReadOnlyList<TaggedEvent> touches, EventIndex index, DateOnly from, DateOnly to,
        long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(touches);
        ArgumentNullException.ThrowIfNull(index);
        var listed = items.Where(i => i.PublishedAt < toMs).ToList();
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < listed.Count; i++) row[listed[i].ContentId] = i;
        var clicks = new long[listed.Count];
        var orders = new long[listed.Count];
        var gmv = new long[listed.Count];

        foreach (var visitor in touches.Where(t => t.Content is not null).GroupBy(t => t.VisitorKey, StringComparer.Ordinal))
        {
            var path = visitor.OrderBy(t => t.TimeMs).ToList();
            var lastSeen = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var touch in path)
            {
                var content = touch.Content!;
                var newVisit = !lastSeen.TryGetValue(content, out var previous) || touch.TimeMs - previous >= VisitMinutes * 60_000L;
                lastSeen[content] = touch.TimeMs;
                if (newVisit && touch.TimeMs >= fromMs && touch.TimeMs < toMs && row.TryGetValue(content, out var r)) clicks[r]++;
            }
            var v = index.FindVisitor(visitor.Key);
            if (v < 0) continue;
            var times = path.Select(t => EventIndex.ToIndexTime(t.TimeMs)).ToArray();
            int fromIdx = EventIndex.ToIndexTime(fromMs), toIdx = EventIndex.ToIndexTime(toMs);
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
            {
                var paid = index.OrderPaidTime[o];
                if (paid < fromIdx || paid >= toIdx) continue;
                // The last touch at or before the payment (times in the index's seconds), if within the look-back.
                var at = Array.FindLastIndex(times, t => t <= paid);
                if (at < 0 || paid - times[at] > LookbackDays * 86_400) continue;
                if (!row.TryGetValue(path[at].Content!, out var r)) continue;
                orders[r]++;
                gmv[r] = checked(gmv[r] + index.OrderGmv[o]);
            }
        }

        var ctrs = new double?[listed.Count];
        var cvrs = new double?[listed.Count];
        for (var i = 0; i < listed.Count; i++)
        {
            ctrs[i] = Ratio(clicks[i], listed[i].Views);
            cvrs[i] = Ratio(orders[i], clicks[i]);
        }
        var placed = Enumerable.Range(0, listed.Count).Where(i => ctrs[i] is not null && cvrs[i] is not null).ToList();
        var medianCtr = Median(placed.Select(i => ctrs[i]!.Value));
        var medianCvr = Median(placed.Select(i => cvrs[i]!.Value));
        var rows = new List<ContentRow>(listed.Count);
        for (var i = 0; i < listed.Count; i++)
        {
            var c = listed[i];
            rows.Add(new ContentRow(c.ContentId, c.Title, c.Kind, c.Platform, c.Owner, c.CreatorId, c.Stage, c.PublishedAt, c.Cost, c.Views, c.Likes, c.Comments,
                c.Saves, c.Shares, c.LiveWatchers, c.PlatformGmv, clicks[i], ctrs[i], orders[i], gmv[i], cvrs[i], PerUnit(c.Cost, orders[i]), Ratio(gmv[i], c.Cost),
                Quadrant.Of(ctrs[i], cvrs[i], medianCtr, medianCvr)));
        }
        var platforms = rows.GroupBy(r => r.Platform, StringComparer.Ordinal).Select(g =>
        {
            long cost = 0, views = 0, clicked = 0, ordered = 0, sold = 0, platformGmv = 0;
            foreach (var r in g)
            {
                cost = checked(cost + r.Cost);
                views = checked(views + r.Views);
                clicked += r.Clicks;
                ordered += r.Orders;
                sold = checked(sold + r.Gmv);
                platformGmv = checked(platformGmv + r.PlatformGmv);
            }
            return new PlatformRow(g.Key, g.Count(), cost, views, clicked, Ratio(clicked, views), ordered, sold, Ratio(ordered, clicked), PerUnit(cost, ordered),
                Ratio(sold, cost), platformGmv);
        }).OrderByDescending(p => p.Gmv).ThenBy(p => p.Platform, StringComparer.Ordinal).ToList();
        return new ContentReportResult(from, to, medianCtr, medianCvr, Rules, rows, platforms);
    }

    public static double? Ratio(long numerator, long denominator) => denominator == 0 ? null : (double)numerator / denominator;

    /// <summary>An amount per unit in fen, rounded half up; null without units.</summary>
    public static long? PerUnit(long amount, long units) => units == 0 ? null : (long)Math.Round((decimal)amount / units, MidpointRounding.AwayFromZero);

    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return null;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
