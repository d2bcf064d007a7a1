using Flywheel.Storage;
using Flywheel.Storage.Queries;

namespace Flywheel.Ingestion.Contracts;

/// <summary>
/// A paid order that carries one of the asked coupon codes: when it was paid (paid_at, else placed_at, as the event index
/// counts it), what was paid and refunded (fen), and its codes in the order they were recorded.
/// </summary>
public sealed record CouponOrder(string OrderId, string? CustomerId, DateTimeOffset PaidAt, long TotalPaid, long RefundAmount, IReadOnlyList<string> Codes);

/// <summary>Paid orders by the coupon codes they carry (Grow: orders attributed to a creator by their exclusive code).</summary>
public static class OrdersByCoupon
{
    /// <summary>
    /// The paid orders (paid status or later) paid in [<paramref name="from"/>, <paramref name="to"/>) whose coupon_codes hold at
    /// least one of <paramref name="codes"/> (compared whole and case-insensitively; an order's codes are separated by '|'), in
    /// paid-time then id order.
    /// </summary>
    public static async Task<IReadOnlyList<CouponOrder>> PaidAsync(FlywheelStore store, IReadOnlyCollection<string> codes, DateTimeOffset from,
        DateTimeOffset to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(codes);
        var wanted = new HashSet<string>(codes.Where(c => c.Length > 0), StringComparer.OrdinalIgnoreCase);
        var result = new List<CouponOrder>();
        if (wanted.Count == 0) return result;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        // A LIKE per code narrows the rows in the store; the split below decides (a code inside a longer one is no match).
        foreach (var chunk in wanted.Chunk(100))
        {
            await using var command = connection.CreateCommand();
            command.AddParameter("@from", from.ToUnixTimeMilliseconds());
            command.AddParameter("@to", to.ToUnixTimeMilliseconds());
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@c" + i, "%" + Escape(chunk[i].ToUpperInvariant()) + "%");
            command.CommandText = "SELECT order_id, customer_id, COALESCE(paid_at, placed_at), total_paid, refund_amount, coupon_codes FROM orders " +
                $"WHERE status IN ({StoreOverview.PaidStatuses}) AND COALESCE(paid_at, placed_at) >= @from AND COALESCE(paid_at, placed_at) < @to " +
                "AND coupon_codes IS NOT NULL AND (" + string.Join(" OR ", Enumerable.Range(0, chunk.Length).Select(i => $"UPPER(coupon_codes) LIKE @c{i} ESCAPE '\\'")) + ")";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                var all = reader.GetString(5).Split(['|', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (!all.Any(wanted.Contains) || !seen.Add(id)) continue;
                result.Add(new CouponOrder(id, reader.IsDBNull(1) ? null : reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.GetInt64(3), reader.GetInt64(4), all));
            }
        }
        result.Sort((a, b) => a.PaidAt != b.PaidAt ? a.PaidAt.CompareTo(b.PaidAt) : string.CompareOrdinal(a.OrderId, b.OrderId));
        return result;
    }

    private static string Escape(string code) => code.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
        .Replace("_", "\\_", StringComparison.Ordinal);
}
