using System.Globalization;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>A stored event of a known customer, as journeys see it.</summary>
public sealed record StoredEvent(string EventId, string Type, string CustomerId, DateTimeOffset Time, string? Sku, long? Value, string? Properties);

/// <summary>A product a customer added to their cart, with the catalogue's name and list price (fen) when the catalogue has it.</summary>
public sealed record CartAddition(string Sku, string? Name, long? ListPrice);

/// <summary>
/// Lookups over stored events that other modules need one customer or one ingest at a time (journeys: "did they pay since",
/// their cart, the feed of new events). Analytics owns the events; these are the queries it exposes over them
/// (docs/adr/0009-modules.md). They read the store, not the in-memory index, so they see an ingest as soon as it commits.
/// </summary>
public static class EventLookups
{
    /// <summary>Whether the customer has an event of <paramref name="type"/> at or after <paramref name="since"/>.</summary>
    public static async Task<bool> ExistsSinceAsync(FlywheelStore store, string customerId, string type, DateTimeOffset since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM events WHERE customer_id = @c AND time >= @t AND type = @type LIMIT 1";
        command.AddParameter("@c", customerId);
        command.AddParameter("@t", since.ToUnixTimeMilliseconds());
        command.AddParameter("@type", type);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>The customer's add_to_cart events with a SKU in [<paramref name="from"/>, <paramref name="to"/>], newest first, at most <paramref name="limit"/>.</summary>
    public static async Task<IReadOnlyList<CartAddition>> AddedToCartAsync(FlywheelStore store, string customerId, DateTimeOffset from, DateTimeOffset to,
        int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<CartAddition>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT e.sku, p.name, p.list_price FROM events e LEFT JOIN products p ON p.sku = e.sku " +
            "WHERE e.customer_id = @c AND e.type = 'add_to_cart' AND e.time >= @from AND e.time <= @to AND e.sku IS NOT NULL ORDER BY e.time DESC LIMIT " +
            limit.ToString(CultureInfo.InvariantCulture);
        command.AddParameter("@c", customerId);
        command.AddParameter("@from", from.ToUnixTimeMilliseconds());
        command.AddParameter("@to", to.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new CartAddition(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        return result;
    }

    /// <summary>The newest ingest that has finished (0 when none): where a feed that must not replay history starts.</summary>
    public static async Task<long> LastFinishedIngestAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM ingests WHERE finished_at IS NOT NULL";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>The first ingest id that is not final: the oldest still open, else one past the newest. Everything below it is final.</summary>
    public static async Task<long> FirstOpenIngestAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE((SELECT MIN(id) FROM ingests WHERE finished_at IS NULL), (SELECT COALESCE(MAX(id), 0) + 1 FROM ingests))";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>The events of known customers written by ingests after <paramref name="afterIngest"/> and before <paramref name="beforeIngest"/>, in ingest, time and id order.</summary>
    public static async Task<IReadOnlyList<StoredEvent>> ByIngestAsync(FlywheelStore store, long afterIngest, long beforeIngest, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<StoredEvent>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, type, customer_id, time, sku, value, properties, ingest_id FROM events " +
            "WHERE ingest_id > @from AND ingest_id < @to AND customer_id IS NOT NULL ORDER BY ingest_id, time, event_id";
        command.AddParameter("@from", afterIngest);
        command.AddParameter("@to", beforeIngest);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new StoredEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return result;
    }

    /// <summary>The customers of the given events: their own customer id, or the one their anonymous id was linked to.</summary>
    public static async Task<IReadOnlySet<string>> CustomersOfAsync(FlywheelStore store, IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(eventIds);
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (eventIds.Count == 0) return result;
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var chunk in eventIds.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
            command.CommandText = "SELECT COALESCE(e.customer_id, l.customer_id) FROM events e LEFT JOIN identity_links l ON l.anonymous_id = e.anonymous_id " +
                "WHERE e.event_id IN (" + string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i)) + ")";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                if (!reader.IsDBNull(0)) result.Add(reader.GetString(0));
        }
        return result;
    }
}
