using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Content;

namespace Flywheel.Grow.Domain.Keywords;

/// <summary>
/// One keyword: an on-site search term (kind onsite) or a paid search keyword bought as an ad group (kind paid, with its channel).
/// Columns that do not apply to a kind are null.
/// </summary>
internal sealed record KeywordRow(string Kind, string Keyword, string? Channel,
    long? Searches, long? Searchers, long? ClickedSearches, double? ClickThrough, long? ZeroResultSearches, double? ZeroResultRate,
    long? Impressions, long? Clicks, long? Cost, long? Cpc,
    long Orders, long Gmv, double? ConversionRate, double? Roi);

internal sealed record KeywordReportResult(DateOnly From, DateOnly To, string Rules, IReadOnlyList<KeywordRow> Keywords);

/// <summary>
/// The keyword table for SEO/SEM decisions. Rules (also in <see cref="Rules"/>):
/// <list type="bullet">
/// <item>onsite: search events with a term in the period; searchers = distinct visitors; a search is clicked through when the same
/// visitor views a product within 30 minutes after it; zero-result = the search's properties say "results": 0; an order paid in the
/// period is credited to the visitor's last search within the 24 hours before payment; conversion rate = orders / searches.</item>
/// <item>paid: ad spend rows in the period whose ad_group names a keyword, per channel and keyword: cost, clicks and impressions as the
/// platform reported, CPC = cost / clicks (fen, half up); an order paid in the period converts for the keyword when the visitor's last
/// touch (click or page_view) within the 7 days before payment carried that term on that channel with a paid medium (not organic);
/// conversion rate = orders / clicks; ROI = GMV / cost.</item>
/// </list>
/// </summary>
internal static class KeywordReport
{
    public const string Onsite = "onsite";
    public const string Paid = "paid";
    public const int ClickMinutes = 30;
    public const int ConversionHours = 24;

    public const string Rules =
        "onsite: searches with a term in the period; clicked through = a product_view by the same visitor within 30 min; zero-result = properties \"results\": 0; " +
        "orders paid in the period go to the visitor's last search within 24 h before payment; conversion = orders / searches. " +
        "paid: ad_spend rows whose ad_group is the keyword; CPC = cost / clicks; an order converts when the visitor's last click/page_view within 7 days " +
        "before payment carried the term on that channel with a non-organic medium; conversion = orders / clicks; ROI = GMV / cost";

    /// <param name="searches">Search events with a term, from 24 hours before the period to its end.</param>
    /// <param name="termTouches">Click and page_view events with a term, from 7 days before the period to its end.</param>
    /// <param name="spend">Ad-group spend rows of the period.</param>
    public static KeywordReportResult Run(IReadOnlyList<TaggedEvent> searches, IReadOnlyList<TaggedEvent> termTouches, IReadOnlyList<AdGroupSpend> spend,
        EventIndex index, DateOnly from, DateOnly to, long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(searches);
        ArgumentNullException.ThrowIfNull(termTouches);
        ArgumentNullException.ThrowIfNull(spend);
        ArgumentNullException.ThrowIfNull(index);
        int fromIdx = EventIndex.ToIndexTime(fromMs), toIdx = EventIndex.ToIndexTime(toMs);
        var rows = new List<KeywordRow>();
        rows.AddRange(OnsiteRows(searches, index, fromMs, toMs, fromIdx, toIdx));
        rows.AddRange(PaidRows(termTouches, spend, index, fromIdx, toIdx));
        return new KeywordReportResult(from, to, Rules, rows);
    }

    private sealed class Tally
    {
        public long Searches, Clicked, Zero, Orders, Gmv;
        public readonly HashSet<string> Searchers = new(StringComparer.Ordinal);
    }

    private static IEnumerable<KeywordRow> OnsiteRows(IReadOnlyList<TaggedEvent> searches, EventIndex index, long fromMs, long toMs, int fromIdx, int toIdx)
    {
        var tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
        Tally Of(string term) => tallies.TryGetValue(term, out var t) ? t : tallies[term] = new Tally();
        var productView = index.Types.Find("product_view");
        foreach (var visitor in searches.Where(s => s.Term is not null).GroupBy(s => s.VisitorKey, StringComparer.Ordinal))
        {
            var path = visitor.OrderBy(s => s.TimeMs).ToList();
            var v = index.FindVisitor(visitor.Key);
            foreach (var search in path)
            {
                if (search.TimeMs < fromMs || search.TimeMs >= toMs) continue;
                var tally = Of(search.Term!);
                tally.Searches++;
                tally.Searchers.Add(visitor.Key);
                if (ZeroResults(search.Properties)) tally.Zero++;
                if (v >= 0 && productView > 0 && ViewedWithin(index, v, productView, EventIndex.ToIndexTime(search.TimeMs), ClickMinutes * 60)) tally.Clicked++;
            }
            if (v < 0) continue;
            var times = path.Select(s => EventIndex.ToIndexTime(s.TimeMs)).ToArray();
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
            {
                var paid = index.OrderPaidTime[o];
                if (paid < fromIdx || paid >= toIdx) continue;
                var at = Array.FindLastIndex(times, t => t <= paid);
                if (at < 0 || paid - times[at] > ConversionHours * 3600) continue;
                var tally = Of(path[at].Term!);
                tally.Orders++;
                tally.Gmv = checked(tally.Gmv + index.OrderGmv[o]);
            }
        }
        return tallies.Select(p => new KeywordRow(Onsite, p.Key, null, p.Value.Searches, p.Value.Searchers.Count, p.Value.Clicked,
                ContentReport.Ratio(p.Value.Clicked, p.Value.Searches), p.Value.Zero, ContentReport.Ratio(p.Value.Zero, p.Value.Searches), null, null, null, null,
                p.Value.Orders, p.Value.Gmv, ContentReport.Ratio(p.Value.Orders, p.Value.Searches), null))
            .OrderByDescending(r => r.Searches).ThenBy(r => r.Keyword, StringComparer.Ordinal);
    }

    private static IEnumerable<KeywordRow> PaidRows(IReadOnlyList<TaggedEvent> termTouches, IReadOnlyList<AdGroupSpend> spend, EventIndex index, int fromIdx, int toIdx)
    {
        var bought = new Dictionary<(string Channel, string Keyword), (long Impressions, long Clicks, long Cost)>();
        foreach (var s in spend)
        {
            var key = (s.Channel, s.AdGroup);
            var sum = bought.GetValueOrDefault(key);
            bought[key] = (checked(sum.Impressions + (s.Impressions ?? 0)), checked(sum.Clicks + (s.Clicks ?? 0)), checked(sum.Cost + s.Cost));
        }
        var conversions = new Dictionary<(string, string), (long Orders, long Gmv)>();
        if (bought.Count > 0)
        {
            ushort click = (ushort)Math.Max(0, index.Types.Find("click")), pageView = (ushort)Math.Max(0, index.Types.Find("page_view"));
            foreach (var visitor in termTouches.GroupBy(t => t.VisitorKey, StringComparer.Ordinal))
            {
                var v = index.FindVisitor(visitor.Key);
                if (v < 0) continue;
                var tagged = visitor.ToList();
                for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                {
                    var paid = index.OrderPaidTime[o];
                    if (paid < fromIdx || paid >= toIdx) continue;
                    // The visitor's last touch of any kind before the payment, from the index.
                    var last = -1;
                    for (var e = index.EventStart[v]; e < index.EventStart[v + 1] && index.EventTime[e] <= paid; e++)
                        if (index.EventType[e] != 0 && (index.EventType[e] == click || index.EventType[e] == pageView)) last = e;
                    if (last < 0 || paid - index.EventTime[last] > ContentReport.LookbackDays * 86_400) continue;
                    var channel = index.Channels.Decode(index.EventChannel[last]);
                    var touch = tagged.LastOrDefault(t => EventIndex.ToIndexTime(t.TimeMs) == index.EventTime[last] && t.Channel == channel && t.Term is not null
                                                          && t.Medium is not "organic");
                    if (touch is null || channel is null) continue;
                    var key = (channel, touch.Term!);
                    if (!bought.ContainsKey(key)) continue;
                    var sum = conversions.GetValueOrDefault(key);
                    conversions[key] = (sum.Orders + 1, checked(sum.Gmv + index.OrderGmv[o]));
                }
            }
        }
        return bought.Select(b =>
            {
                var (orders, gmv) = conversions.GetValueOrDefault(b.Key);
                return new KeywordRow(Paid, b.Key.Keyword, b.Key.Channel, null, null, null, null, null, null, b.Value.Impressions, b.Value.Clicks, b.Value.Cost,
                    ContentReport.PerUnit(b.Value.Cost, b.Value.Clicks), orders, gmv, ContentReport.Ratio(orders, b.Value.Clicks), ContentReport.Ratio(gmv, b.Value.Cost));
            })
            .OrderByDescending(r => r.Cost).ThenBy(r => r.Channel, StringComparer.Ordinal).ThenBy(r => r.Keyword, StringComparer.Ordinal);
    }

    /// <summary>Whether the visitor has an event of type <paramref name="type"/> in (time, time + seconds].</summary>
    private static bool ViewedWithin(EventIndex index, int v, int type, int time, int seconds)
    {
        for (var e = index.EventStart[v]; e < index.EventStart[v + 1]; e++)
        {
            var t = index.EventTime[e];
            if (t > time + seconds) return false;
            if (t > time && index.EventType[e] == type) return true;
        }
        return false;
    }

    /// <summary>Whether a search's properties JSON says it found nothing ("results": 0). Anything unreadable is not a zero.</summary>
    public static bool ZeroResults(string? properties)
    {
        if (properties is null || !properties.Contains("results", StringComparison.Ordinal)) return false;
        try
        {
            using var document = JsonDocument.Parse(properties);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("results", out var results)
                   && results.ValueKind == JsonValueKind.Number && results.TryGetInt64(out var n) && n == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
