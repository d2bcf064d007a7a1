using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Features.Creators;
using Flywheel.Ingestion.Contracts;

namespace Flywheel.Grow.Storage;

/// <summary>
/// The tracking links' answer to <see cref="ICollaborationLinkOrders"/>: the clicks on links made for a live collaboration
/// (grow_links.collab_id, or the code stored as the collaboration's link_code), their customers (the click's own, else its anonymous
/// id's link in Analytics' identity_links), those customers' paid orders in [from, to), and <see cref="LinkOrderRule"/>.
/// </summary>
internal sealed class LinkOrders(LinkStore links) : ICollaborationLinkOrders
{
    public async Task<IReadOnlyDictionary<string, string>> OrdersAsync(IReadOnlyList<Collaboration> collaborations, DateTimeOffset from, DateTimeOffset to,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(collaborations);
        var live = collaborations.Where(c => c.Status != CollaborationStatus.Cancelled).ToList();
        if (live.Count == 0) return new Dictionary<string, string>();
        var ids = live.Select(c => c.CollabId).ToHashSet(StringComparer.Ordinal);
        var byCode = live.Where(c => c.LinkCode is not null).GroupBy(c => c.LinkCode!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().CollabId, StringComparer.Ordinal);
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var clicks = await links.CollabClicksAsync(fromMs - (long)LinkOrderRule.Window.TotalMilliseconds, toMs, ct);
        var relevant = new List<(string CollabId, string AnonymousId, string? CustomerId, long At)>();
        foreach (var c in clicks)
        {
            var collab = c.CollabId is { } id && ids.Contains(id) ? id : byCode.GetValueOrDefault(c.Code);
            if (collab is not null) relevant.Add((collab, c.AnonymousId, c.CustomerId, c.At));
        }
        if (relevant.Count == 0) return new Dictionary<string, string>();
        var anonymous = relevant.Where(c => c.CustomerId is null).Select(c => c.AnonymousId).Distinct(StringComparer.Ordinal).ToList();
        var linked = await IdentityLookups.LinkedAsync(links.Store, anonymous, ct);
        var known = new List<CollabClick>();
        foreach (var c in relevant)
            if ((c.CustomerId ?? linked.GetValueOrDefault(c.AnonymousId)?.CustomerId) is { } customer) known.Add(new CollabClick(customer, c.CollabId, c.At));
        if (known.Count == 0) return new Dictionary<string, string>();
        var customers = known.Select(k => k.CustomerId).ToHashSet(StringComparer.Ordinal);
        var orders = await PaidOrders.OfCustomersAsync(links.Store, customers, fromMs, ct);
        return LinkOrderRule.Attribute(known, orders.Where(o => o.PaidAt < toMs).Select(o => (o.OrderId, o.CustomerId, o.PaidAt)));
    }
}
