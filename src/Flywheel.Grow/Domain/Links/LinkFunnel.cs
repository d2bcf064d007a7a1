namespace Flywheel.Grow.Domain.Links;

/// <summary>One browser's clicks on one link: how many, the first (Unix ms), and the customer it is known as (null: still anonymous).</summary>
internal sealed record Scan(string Code, string AnonymousId, long Clicks, long FirstAt, string? CustomerId);

/// <summary>A paid order of a customer: when (Unix ms) and its GMV in fen.</summary>
internal sealed record Purchase(string CustomerId, long PaidAt, long TotalPaid);

/// <summary>
/// A link's funnel, scan → click → identify → first repurchase: <see cref="Clicks"/> visits of /l/{code} (a scan of a package card's
/// QR code is one), <see cref="Scanners"/> distinct browsers, <see cref="Identified"/> of them known as a customer (the click carried
/// one, or the browser's anonymous id was linked to one later), <see cref="Customers"/> distinct such customers,
/// <see cref="Repurchasers"/> customers who paid an order within the window after their first scan, with those
/// <see cref="Orders"/> and their <see cref="Gmv"/> (fen).
/// </summary>
internal sealed record FunnelCounts(long Clicks, long Scanners, long Identified, long Customers, long Repurchasers, long Orders, long Gmv)
{
    public static FunnelCounts Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Identified / scanners (null without scanners).</summary>
    public double? IdentifyRate => Scanners == 0 ? null : (double)Identified / Scanners;

    /// <summary>Repurchasers / customers (null without customers).</summary>
    public double? RepurchaseRate => Customers == 0 ? null : (double)Repurchasers / Customers;

    public FunnelCounts Plus(FunnelCounts o) => new(checked(Clicks + o.Clicks), checked(Scanners + o.Scanners), checked(Identified + o.Identified),
        checked(Customers + o.Customers), checked(Repurchasers + o.Repurchasers), checked(Orders + o.Orders), checked(Gmv + o.Gmv));
}

/// <summary>Counts the funnel of each link from its scans and the scanners' paid orders. Pure: no store, no clock.</summary>
internal static class LinkFunnel
{
    /// <summary>
    /// The funnel per code. A customer's repurchases on a link are their paid orders at or after their first scan of it and
    /// before that scan plus <paramref name="window"/>; an order counts once per link even if the customer scanned with two browsers.
    /// </summary>
    public static IReadOnlyDictionary<string, FunnelCounts> Count(IEnumerable<Scan> scans, IEnumerable<Purchase> purchases, TimeSpan window)
    {
        var byCustomer = purchases.GroupBy(p => p.CustomerId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.PaidAt).ToArray(), StringComparer.Ordinal);
        var windowMs = (long)window.TotalMilliseconds;
        var result = new Dictionary<string, FunnelCounts>(StringComparer.Ordinal);
        foreach (var link in scans.GroupBy(s => s.Code, StringComparer.Ordinal))
        {
            long clicks = 0, scanners = 0, identified = 0;
            var firstScan = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var s in link)
            {
                clicks = checked(clicks + s.Clicks);
                scanners++;
                if (s.CustomerId is null) continue;
                identified++;
                firstScan[s.CustomerId] = firstScan.TryGetValue(s.CustomerId, out var t) ? Math.Min(t, s.FirstAt) : s.FirstAt;
            }
            long repurchasers = 0, orders = 0, gmv = 0;
            foreach (var (customer, from) in firstScan)
            {
                if (!byCustomer.TryGetValue(customer, out var bought)) continue;
                var to = from > long.MaxValue - windowMs ? long.MaxValue : from + windowMs;
                var any = false;
                foreach (var p in bought)
                {
                    if (p.PaidAt < from || p.PaidAt >= to) continue;
                    any = true;
                    orders++;
                    gmv = checked(gmv + p.TotalPaid);
                }
                if (any) repurchasers++;
            }
            result[link.Key] = new FunnelCounts(clicks, scanners, identified, firstScan.Count, repurchasers, orders, gmv);
        }
        return result;
    }
}
