namespace Flywheel.Ingestion.Contracts;

/// <summary>A line of a stored order with what the product table says of its SKU (null when the SKU is not in it).</summary>
public sealed record HistoricLine(long LineNo, string Sku, int Quantity, long UnitListPrice, string? Category, string? Brand, string? ProductStore);

/// <summary>A stored order as placed: when, in which store, its shipping fee (fen), the customer (null for a guest) and their member tier now.</summary>
public sealed record HistoricOrder(string OrderId, DateTimeOffset PlacedAt, string? Store, long ShippingFee, string? CustomerId, string? MemberTier,
    IReadOnlyList<HistoricLine> Lines);

/// <summary>
/// The order history of the record, for modules that replay it (the promotion simulator). Ingestion owns the orders, lines,
/// products and customers tables; other modules read them through this, never by SQL of their own.
/// </summary>
public interface IOrderHistory
{
    /// <summary>The orders placed in [<paramref name="start"/>, <paramref name="end"/>) that have lines, in placement order, one at a time.</summary>
    IAsyncEnumerable<HistoricOrder> ReadPlacedAsync(DateTimeOffset start, DateTimeOffset end, CancellationToken ct);
}
