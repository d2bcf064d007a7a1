using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Experiments.Tests.Metrics;

/// <summary>Writing a test store's customers, orders, consents, links and an experiment's exposures.</summary>
internal static class MetricStore
{
    public static long At(int month, int day, int hour, int minute = 0) =>
        new DateTimeOffset(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    /// <summary>One single-line order: <paramref name="items"/> at <paramref name="price"/> less <paramref name="discount"/>; refunded units refund pro rata.</summary>
    public static void Order(IngestSession s, string id, string customer, long paidAt, long price, int items = 1, long discount = 0, string status = "paid",
        long? refundedAt = null, int refundedItems = 0, bool noPaidAt = false)
    {
        var order = new OrderRow
        {
            OrderId = id, CustomerId = customer, Status = status, PlacedAt = paidAt - 60_000, PaidAt = noPaidAt ? null : paidAt, RefundedAt = refundedAt,
        };
        order.Lines.Add(new OrderLineRow { Sku = "P1", Quantity = items, UnitPrice = price, LineDiscount = discount, RefundedQuantity = refundedItems });
        Assert.True(s.WriteOrder(order, createMissingProducts: true).IsSuccess);
    }

    public static async Task ExperimentAsync(FlywheelStore store, string key, IEnumerable<(string Unit, string Variant, long At)> exposures)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO experiments (experiment_key, name, salt, definition, status, started_at, created_at, updated_at) " +
                                  "VALUES (@k, @k, 'salt', '{}', 'running', 0, 0, 0)";
            command.AddParameter("@k", key);
            await command.ExecuteNonQueryAsync();
        }
        foreach (var (unit, variant, at) in exposures)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO experiment_exposures (experiment_key, unit_id, variant, exposed_at, source) VALUES (@k, @u, @v, @t, 'test')";
            command.AddParameter("@k", key);
            command.AddParameter("@u", unit);
            command.AddParameter("@v", variant);
            command.AddParameter("@t", at);
            await command.ExecuteNonQueryAsync();
        }
    }
}
