using System.Globalization;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Customers.Tests.Clv;

/// <summary>Stores with paid orders for CLV tests.</summary>
internal static class ClvTestData
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <summary>Unix ms of a local (UTC+8) time.</summary>
    public static long At(int year, int month, int day, int hour = 12, int minute = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, Shanghai).ToUnixTimeMilliseconds();

    public static OrderRow Order(string id, string customer, long paidAt, long fen, string status = "paid", int refundedQuantity = 0)
    {
        var order = new OrderRow { OrderId = id, CustomerId = customer, Status = status, PlacedAt = paidAt - 60_000, PaidAt = paidAt };
        order.Lines.Add(new OrderLineRow { Sku = "k1", Quantity = 1, UnitPrice = fen, RefundedQuantity = refundedQuantity });
        return order;
    }

    public static async Task WriteAsync(FlywheelStore store, IEnumerable<OrderRow> orders)
    {
        await using var session = await IngestSession.BeginAsync(store, "test", "clv", CancellationToken.None);
        var n = 0;
        foreach (var order in orders)
        {
            var written = session.WriteOrder(order, createMissingProducts: true);
            if (!written.IsSuccess) throw new InvalidOperationException(written.Error!.ToString());
            n++;
        }
        await session.CommitAsync(n, 0, CancellationToken.None);
    }

    /// <summary>
    /// <paramref name="customers"/> customers c0001… whose first purchase falls in 2026-01-01..2026-09-30 and who buy again
    /// every 1–60 days with a one-in-three chance of stopping after each, 50–300 yuan an order, until 2026-10-31.
    /// </summary>
    public static IEnumerable<OrderRow> Orders(int customers, int seed)
    {
        var random = new Random(seed);
        var start = At(2026, 1, 1);
        var end = At(2026, 10, 31, 23);
        for (var c = 1; c <= customers; c++)
        {
            var id = "c" + c.ToString("D4", CultureInfo.InvariantCulture);
            var t = start + random.NextInt64(0, 273L * 86_400_000);
            for (var n = 0; t < end; n++)
            {
                yield return Order($"{id}-{n}", id, t, random.Next(5_000, 30_000));
                if (random.Next(3) == 0) break;
                t += random.NextInt64(1, 61) * 86_400_000 + random.Next(3_600_000);
            }
        }
    }
}
