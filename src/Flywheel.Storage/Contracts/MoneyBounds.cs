using System.Globalization;
using Flywheel.Primitives;

namespace Flywheel.Storage.Contracts;

/// <summary>
/// The largest amounts a store takes, so that every sum a report makes fits a 64-bit amount. Why 10^12 fen (¥10 billion):
/// <c>long.MaxValue</c> is about 9.2×10^18 fen, so with every order (and every single amount: a price, a fee, an event value, a
/// day's ad spend) at most 10^12 fen, a million orders at the bound sum to 10^18 and still fit nine times over; a store would need
/// more than 9.2 million orders each at ¥10 billion to reach the limit, and then the sums are checked and report an error instead
/// of a wrong total. Before these bounds one line could be 1,000,000 × ¥9,999,999,999.99 ≈ 10^18 fen, and ten such orders
/// broke every report. Stated in the README's CSV contract.
/// </summary>
public static class MoneyBounds
{
    /// <summary>Largest single amount (a price, a fee, an event value, a spend row's cost): 10^12 fen, ¥10,000,000,000.00.</summary>
    public const long MaxAmount = 1_000_000_000_000;

    /// <summary>Largest line total, unit_price × quantity: 10^12 fen.</summary>
    public const long MaxLineTotal = MaxAmount;

    /// <summary>Largest order total, the lines' unit_price × quantity plus shipping_fee: 10^12 fen (total paid and refunds are no more).</summary>
    public const long MaxOrderTotal = MaxAmount;

    /// <summary>An amount as yuan text for messages: 10000000000.00.</summary>
    public static string Yuan(long fen) => MoneyText.Format(fen);

    /// <summary>
    /// Why an order is over the bounds (a line's unit_price × quantity, or the order's lines plus shipping), with the field's
    /// path (<c>lines[2].quantity</c>, <c>shipping_fee</c>); null when it is within them.
    /// </summary>
    public static Error? CheckOrder(OrderRow order)
    {
        ArgumentNullException.ThrowIfNull(order);
        Int128 total = order.ShippingFee;
        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            var gross = (Int128)line.UnitPrice * line.Quantity;
            if (gross > MaxLineTotal)
                return Error.Invalid(string.Create(CultureInfo.InvariantCulture, $"lines[{i}].quantity"), LineMessage(gross));
            total += gross;
        }
        return total > MaxOrderTotal ? Error.Invalid(order.Lines.Count > 0 ? "lines" : "shipping_fee", OrderMessage(order.OrderId, total)) : null;
    }

    /// <summary>The message for a line over <see cref="MaxLineTotal"/>.</summary>
    public static string LineMessage(Int128 gross) =>
        string.Create(CultureInfo.InvariantCulture,
            $"the line's unit_price × quantity is {Text(gross)} yuan; a line is at most {Yuan(MaxLineTotal)} yuan (README, the CSV contract)");

    private static string OrderMessage(string orderId, Int128 total) =>
        string.Create(CultureInfo.InvariantCulture,
            $"order '{orderId}' totals {Text(total)} yuan (lines' unit_price × quantity plus shipping_fee); an order is at most {Yuan(MaxOrderTotal)} yuan (README, the CSV contract)");

    private static string Text(Int128 fen) => fen <= long.MaxValue ? Yuan((long)fen) : string.Create(CultureInfo.InvariantCulture, $"{fen / 100}.{fen % 100:00}");
}
