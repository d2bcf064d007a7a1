using Flywheel.Primitives;

namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>
/// A line of a paid order as refunds see it: what was paid for the line, the discount on it by funding party, and how many units
/// were already refunded.
/// </summary>
internal sealed record PaidLine(string LineId, int Quantity, long Paid, long PlatformFunded = 0, long MerchantFunded = 0, int RefundedQuantity = 0);

/// <summary>Units of a line to refund.</summary>
internal sealed record RefundItem(string LineId, int Quantity);

/// <summary>
/// The money for one refunded line: <see cref="Amount"/> back to the shopper, and the discount reversed per funding party (what the
/// platform and the merchant no longer owe for the units returned).
/// </summary>
internal sealed record RefundLineQuote(string LineId, int Quantity, long Amount, long PlatformFundedReversed, long MerchantFundedReversed);

internal sealed record RefundQuote(IReadOnlyList<RefundLineQuote> Lines, long Total);

/// <summary>
/// Refund quotes. A line's paid amount already carries its share of every order-level discount (满减, 跨店满减, coupons), so a
/// refund returns the units' share of what was paid for them — no clawback of thresholds the rest of the order no longer reaches,
/// as on Tmall and JD. Units [r, r+k) of a line of Q units paid P are worth floor(P(r+k)/Q) - floor(Pr/Q): any sequence of partial
/// refunds adds up to exactly P.
/// </summary>
internal static class Refunds
{
    /// <summary>The paid lines of a priced cart, for quoting refunds against it.</summary>
    public static IReadOnlyList<PaidLine> FromPriced(PricedCart priced) =>
        [.. priced.Lines.Select(l => new PaidLine(l.LineId, l.Quantity, l.Paid, l.Steps.Sum(s => s.PlatformFunded), l.Steps.Sum(s => s.MerchantFunded)))];

    public static Result<RefundQuote> Quote(IReadOnlyList<PaidLine> order, IReadOnlyList<RefundItem> items)
    {
        if (order is null || order.Count == 0) return Error.Invalid("order", "the order has at least one line");
        if (items is null || items.Count == 0) return Error.Invalid("items", "name at least one line to refund");
        // With at most 500 lines of at most 10^15 fen each, every total fits a long (500 × 10^15 < 9.2 × 10^18).
        if (order.Count > Pricer.MaxLines) return Error.Invalid("order", $"an order has at most {Pricer.MaxLines} lines");
        if (items.Count > Pricer.MaxLines * 10) return Error.Invalid("items", $"at most {Pricer.MaxLines * 10} refund items");
        var byId = new Dictionary<string, PaidLine>(StringComparer.Ordinal);
        for (var i = 0; i < order.Count; i++)
        {
            var l = order[i];
            if (l is null || string.IsNullOrWhiteSpace(l.LineId)) return Error.Invalid($"order[{i}].line_id", "line_id is required");
            if (l.Quantity <= 0) return Error.Invalid($"order[{i}].quantity", "quantity is positive");
            if (l.Paid is < 0 or > MoneyText.MaxMinor) return Error.Invalid($"order[{i}].paid", $"paid is fen between 0 and {MoneyText.MaxMinor}");
            if (l.PlatformFunded is < 0 or > MoneyText.MaxMinor) return Error.Invalid($"order[{i}].platform_funded", $"platform_funded is fen between 0 and {MoneyText.MaxMinor}");
            if (l.MerchantFunded is < 0 or > MoneyText.MaxMinor) return Error.Invalid($"order[{i}].merchant_funded", $"merchant_funded is fen between 0 and {MoneyText.MaxMinor}");
            if (l.RefundedQuantity < 0 || l.RefundedQuantity > l.Quantity) return Error.Invalid($"order[{i}].refunded_quantity", "refunded_quantity is between 0 and the quantity");
            if (!byId.TryAdd(l.LineId, l)) return Error.Invalid($"order[{i}].line_id", $"line_id '{l.LineId}' appears twice");
        }
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        var quotes = new List<RefundLineQuote>();
        long total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null || !byId.TryGetValue(item.LineId ?? "", out var line)) return Error.NotFound($"items[{i}].line_id", $"the order has no line '{item?.LineId}'");
            var already = line.RefundedQuantity + pending.GetValueOrDefault(line.LineId);
            if (item.Quantity <= 0 || already + item.Quantity > line.Quantity)
                return Error.Invalid($"items[{i}].quantity", $"line '{line.LineId}' has {line.Quantity - already} unit(s) left to refund");
            pending[line.LineId] = pending.GetValueOrDefault(line.LineId) + item.Quantity;
            var upTo = already + item.Quantity;
            var amount = Slice(line.Paid, already, upTo, line.Quantity);
            quotes.Add(new RefundLineQuote(line.LineId, item.Quantity, amount,
                Slice(line.PlatformFunded, already, upTo, line.Quantity), Slice(line.MerchantFunded, already, upTo, line.Quantity)));
            total = checked(total + amount);
        }
        return new RefundQuote(quotes, total);
    }

    private static long Slice(long amount, int from, int to, int quantity) =>
        Allocation.Cumulative(amount, to, quantity) - Allocation.Cumulative(amount, from, quantity);
}
