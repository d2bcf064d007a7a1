using Flywheel.Storage;

namespace Flywheel.Ingestion.Contracts;

/// <summary>Facts about stored orders that other modules ask for in bulk (journeys: "N days after the first order").</summary>
public static class OrderFacts
{
    /// <summary>Each customer's first paid order's time.</summary>
    public static async Task<Dictionary<string, DateTimeOffset>> FirstPaidAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT customer_id, MIN(paid_at) FROM orders WHERE paid_at IS NOT NULL AND customer_id IS NOT NULL GROUP BY customer_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        return result;
    }

    /// <summary>Who placed each of the given orders (guest orders have no one and are left out), and whether it was updated after it was first written (its owner may have changed).</summary>
    public static async Task<IReadOnlyList<(string OrderId, string CustomerId, bool Updated)>> OwnersAsync(FlywheelStore store, IReadOnlyCollection<string> orderIds,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(orderIds);
        var result = new List<(string, string, bool)>();
        if (orderIds.Count == 0) return result;
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var chunk in orderIds.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
            command.CommandText = "SELECT order_id, customer_id, created_at, updated_at FROM orders WHERE customer_id IS NOT NULL AND order_id IN (" +
                string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i)) + ")";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) result.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(3) != reader.GetInt64(2)));
        }
        return result;
    }
}
