namespace Flywheel.Grow.Domain.Links;

/// <summary>A click on a collaboration's link by a known customer (directly, or by an anonymous id later linked to them); Unix ms.</summary>
internal sealed record CollabClick(string CustomerId, string CollabId, long At);

/// <summary>
/// Orders to collaborations by their tracking links. Pure. An order is a collaboration's when its customer clicked a link of that
/// collaboration in the <see cref="Window"/> before the payment (click time in [paid − 7 days, paid]); of several such clicks the
/// last wins (same millisecond: the greater collab id, so the answer never depends on row order).
/// </summary>
internal static class LinkOrderRule
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    public static Dictionary<string, string> Attribute(IEnumerable<CollabClick> clicks, IEnumerable<(string OrderId, string CustomerId, long PaidAt)> orders)
    {
        var byCustomer = clicks.GroupBy(c => c.CustomerId, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.OrderBy(c => c.At).ThenBy(c => c.CollabId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var window = (long)Window.TotalMilliseconds;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (orderId, customerId, paidAt) in orders)
        {
            if (!byCustomer.TryGetValue(customerId, out var list)) continue;
            CollabClick? last = null;
            foreach (var c in list)
            {
                if (c.At > paidAt) break;
                if (c.At >= paidAt - window) last = c;
            }
            if (last is not null) result[orderId] = last.CollabId;
        }
        return result;
    }
}
