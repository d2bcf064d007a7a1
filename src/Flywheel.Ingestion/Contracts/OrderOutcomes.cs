using System.Data.Common;
using Flywheel.Storage;
using Flywheel.Storage.Queries;

namespace Flywheel.Ingestion.Contracts;

/// <summary>
/// What one paid order did, for a module that measures customers' outcomes (Experiments: per-unit metrics). <see cref="PaidAt"/> is
/// the paid time (placed time when the export had none), Unix ms, as the KPI report counts it; money is fen: <see cref="TotalPaid"/>
/// is GMV (goods − discounts + shipping), <see cref="Discount"/> what promotions and coupons took off (the lines' discounts),
/// <see cref="RefundAmount"/> what was refunded. <see cref="Items"/> is the units bought (Σ line quantity, returns not subtracted).
/// <see cref="Refunded"/>: a refund was recorded (an amount refunded, or the status refunded / partially_refunded);
/// <see cref="RefundedAt"/> is when, if the record knows.
/// </summary>
public sealed record OrderOutcome(string OrderId, string CustomerId, long PaidAt, long TotalPaid, long Discount, long Items, bool Refunded, long? RefundedAt,
    long RefundAmount);

/// <summary>Paid orders of given customers with their outcomes (Experiments), and the time of the latest paid order.</summary>
public static class OrderOutcomes
{
    /// <summary>Above this many customers, the orders in the time range are read in one scan and filtered here: one scan beats hundreds of IN lists.</summary>
    private const int ScanAbove = 2_000;

    /// <summary>
    /// The paid orders (status paid, shipped, completed, refunded or partially_refunded; guest orders never) of
    /// <paramref name="customerIds"/> whose paid time is in [<paramref name="from"/>, <paramref name="to"/>] (Unix ms, both ends
    /// inclusive), in no particular order. A few customers are asked by id (500 a query); many are read in one scan of the range.
    /// </summary>
    public static async Task<IReadOnlyList<OrderOutcome>> OfCustomersAsync(FlywheelStore store, IReadOnlyCollection<string> customerIds, long from, long to,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customerIds);
        var result = new List<OrderOutcome>();
        if (customerIds.Count == 0 || from > to) return result;
        const string columns = "SELECT o.order_id, o.customer_id, COALESCE(o.paid_at, o.placed_at), o.total_paid, o.discount_amount, " +
                               "(SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.order_id), o.refund_amount, o.status, o.refunded_at " +
                               $"FROM orders o WHERE o.status IN ({StoreOverview.PaidStatuses}) AND o.customer_id IS NOT NULL " +
                               "AND COALESCE(o.paid_at, o.placed_at) >= @from AND COALESCE(o.paid_at, o.placed_at) <= @to";
        await using var connection = await store.OpenConnectionAsync(ct);
        var wanted = customerIds as IReadOnlySet<string> ?? customerIds.ToHashSet(StringComparer.Ordinal);
        if (wanted.Count > ScanAbove)
        {
            await using var command = connection.CreateCommand();
            command.AddParameter("@from", from);
            command.AddParameter("@to", to);
            command.CommandText = columns;
            await ReadAsync(command, wanted, result, ct);
            return result;
        }
        foreach (var chunk in wanted.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
            command.AddParameter("@from", from);
            command.AddParameter("@to", to);
            command.CommandText = columns + " AND o.customer_id IN (" + string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i)) + ")";
            await ReadAsync(command, null, result, ct);
        }
        return result;
    }

    /// <summary>The paid time of the latest paid order (Unix ms), or null when there is none.</summary>
    public static async Task<long?> LastPaidAtAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT MAX(COALESCE(paid_at, placed_at)) FROM orders WHERE status IN ({StoreOverview.PaidStatuses})";
        return await command.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static async Task ReadAsync(DbCommand command, IReadOnlySet<string>? wanted, List<OrderOutcome> result, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var customer = reader.GetString(1);
            if (wanted is not null && !wanted.Contains(customer)) continue;
            var refundAmount = reader.GetInt64(6);
            var status = reader.GetString(7);
            result.Add(new OrderOutcome(reader.GetString(0), customer, reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                Convert.ToInt64(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
                refundAmount > 0 || status is "refunded" or "partially_refunded", reader.IsDBNull(8) ? null : reader.GetInt64(8), refundAmount));
        }
    }
}
