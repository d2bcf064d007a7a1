using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Flywheel.Ingestion.Contracts;
using Flywheel.Storage;

namespace Flywheel.Ingestion.Storage;

/// <summary>Reads orders with their lines in one ordered pass (one query, streamed), grouping rows into orders as they come.</summary>
internal sealed class OrderHistory(FlywheelStore store) : IOrderHistory
{
    public async IAsyncEnumerable<HistoricOrder> ReadPlacedAsync(DateTimeOffset start, DateTimeOffset end, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT o.order_id, o.placed_at, o.store, o.shipping_fee, c.member_tier, o.customer_id,
                   l.line_no, l.sku, l.quantity, l.unit_list_price, p.category, p.brand, p.store
            FROM orders o
            JOIN order_lines l ON l.order_id = o.order_id
            LEFT JOIN products p ON p.sku = l.sku
            LEFT JOIN customers c ON c.customer_id = o.customer_id
            WHERE o.placed_at >= @from AND o.placed_at < @to
            ORDER BY o.placed_at, o.order_id, l.line_no
            """;
        command.AddParameter("@from", start.ToUnixTimeMilliseconds());
        command.AddParameter("@to", end.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(ct);
        HistoricOrder? current = null;
        var lines = new List<HistoricLine>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (current is null || id != current.OrderId)
            {
                if (current is not null) yield return current with { Lines = lines };
                lines = [];
                current = new HistoricOrder(id, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), Text(reader, 2), reader.GetInt64(3),
                    Text(reader, 5), Text(reader, 4), []);
            }
            lines.Add(new HistoricLine(Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture), reader.GetString(7),
                Convert.ToInt32(reader.GetValue(8), CultureInfo.InvariantCulture), reader.GetInt64(9), Text(reader, 10), Text(reader, 11), Text(reader, 12)));
        }
        if (current is not null) yield return current with { Lines = lines };
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
