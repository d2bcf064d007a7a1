using Flywheel.Analytics.Index;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>
/// An event index of a few customers: their events copied from an index that already holds all of them, and their paid
/// orders read afresh from the store (the orders index keeps them by customer). The cost follows those customers' rows,
/// not the store's size, so a new order can move a customer in milliseconds while the full index is still taking the
/// ingest in.
/// </summary>
public static class IndexSlices
{
    /// <param name="customers">
    /// Customer ids in ordinal order (the slice lays customers out as a rebuild would), each with its visitor row in
    /// <paramref name="events"/> (-1: no events).
    /// </param>
    /// <param name="events">The index whose events of these customers are complete.</param>
    public static async Task<EventIndex> BuildAsync(FlywheelStore store, EventIndex events, IReadOnlyList<(string Id, int Visitor)> customers,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(customers);
        var b = new EventIndexBuilder.Builder();
        foreach (var (id, _) in customers) b.AddCustomer(id, null);
        foreach (var (id, v) in customers)
        {
            if (v < 0) continue;
            for (var e = events.EventStart[v]; e < events.EventStart[v + 1]; e++)
                b.AddEvent(id, null, events.Types.Decode(events.EventType[e])!, EventIndex.ToUnixMs(events.EventTime[e]) + events.EventMillis[e],
                    events.Channels.Decode(events.EventChannel[e]), events.Sources.Decode(events.EventSource[e]), events.Mediums.Decode(events.EventMedium[e]),
                    events.Campaigns.Decode(events.EventCampaign[e]), events.Skus.Decode(events.EventSku[e]), events.Kols.Decode(events.EventKol[e]),
                    events.EventValue(e));
        }

        var skus = new HashSet<string>(StringComparer.Ordinal);
        var ordinal = store.Dialect.Engine == SqlEngine.Postgres ? " COLLATE \"C\"" : "";
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var chunk in customers.Select(c => (object?)c.Id).Chunk(500))
            await EventIndexBuilder.ReadOrdersAsync(connection, order =>
            {
                b.AddOrder(order);
                if (order.TopSku is { } sku) skus.Add(sku);
            }, $"customer_id IN ({string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i))})", chunk, ordinal, ct);

        // Categories of the orders' products: from the index, or the store for a product it has not seen yet.
        var unknown = new List<string>();
        foreach (var sku in skus)
        {
            var code = events.Skus.Find(sku);
            if (code > 0 && code < events.SkuCategory.Length && events.SkuCategory[code] != 0) b.AddProduct(sku, events.Categories.Decode(events.SkuCategory[code])!);
            else unknown.Add(sku);
        }
        foreach (var chunk in unknown.Chunk(500))
            await foreach (var r in EventIndexBuilder.Rows(connection,
                               $"SELECT sku, category FROM products WHERE sku IN ({string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i))})", ct, chunk))
                b.AddProduct(r.GetString(0), r.GetString(1));
        return b.Build(events.TimeZone);
    }
}
