using Flywheel.Storage;

namespace Flywheel.Ingestion.Contracts;

/// <summary>A paid order: whose, when it was paid (Unix milliseconds) and its GMV (total_paid in fen: goods − discounts + shipping).</summary>
public sealed record PaidOrder(string OrderId, string CustomerId, long PaidAt, long TotalPaid);

/// <summary>Paid orders of given customers, for modules that follow customers after a touch (Grow: the first repurchase after a package-card scan).</summary>
public static class PaidOrders
{
    /// <summary>The paid orders of <paramref name="customerIds"/> paid at or after <paramref name="since"/> (Unix ms), by customer and time (one query per 500 customers).</summary>
    public static async Task<IReadOnlyList<PaidOrder>> OfCustomersAsync(FlywheelStore store, IReadOnlyCollection<string> customerIds, long since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customerIds);
        var result = new List<PaidOrder>();
        if (customerIds.Count == 0) return result;
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var chunk in customerIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
            command.AddParameter("@since", since);
            command.CommandText = "SELECT order_id, customer_id, paid_at, total_paid FROM orders WHERE paid_at IS NOT NULL AND paid_at >= @since AND customer_id IN (" +
                string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i)) + ") ORDER BY customer_id, paid_at, order_id";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                result.Add(new PaidOrder(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return result;
    }
}
