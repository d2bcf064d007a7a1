using Flywheel.Analytics.Index;
using Flywheel.Customers.Clv;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using static Flywheel.Customers.Tests.Clv.ClvTestData;

namespace Flywheel.Customers.Tests.Clv;

public class ClvSummariesTests
{
    [Fact]
    public async Task FromIndex_CountsLocalPurchaseDays_NetOfRefunds_UpToTheCalibrationEnd()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        await WriteAsync(store,
        [
            Order("a1", "u1", At(2026, 10, 1, 10), 10_000),
            Order("a2", "u1", At(2026, 10, 1, 20), 5_000),              // same local day: one purchase of 150.00
            Order("a3", "u1", At(2026, 10, 8, 23, 30), 20_000),          // 15:30 UTC, still 10-08 in Shanghai
            Order("a4", "u1", At(2026, 10, 15, 0, 30), 8_000, "refunded", refundedQuantity: 1), // 10-14 UTC; a purchase, worth 0 net
            Order("a5", "u1", At(2026, 11, 1, 9), 7_000),               // after the calibration end
            Order("b1", "u2", At(2026, 11, 1, 9), 7_000),               // first purchase after the end: not a customer yet
            Order("p1", "u3", At(2026, 10, 2), 9_000, "pending"),        // not paid: no purchase
        ]);
        await using (var session = await Flywheel.Storage.IngestSession.BeginAsync(store, "test", "t", CancellationToken.None))
        {
            session.UpsertCustomer(new CustomerRow { CustomerId = "u4" });
            await session.CommitAsync(1, 0, CancellationToken.None);
        }
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);

        var data = ClvSummaries.FromIndex(index, new DateOnly(2026, 10, 31), ClvUnit.Week);
        Assert.Equal(["u1"], data.CustomerIds);
        // Purchase days 10-01 (first), 10-08 and 10-15: x = 2, t_x = 14 days, T = 30 days; z̄ = (200.00 + 0) / 2.
        Assert.Equal(new CustomerSummary(2, 2, 30 / 7.0, 10_000), data.Customers[0]);

        var days = ClvSummaries.FromIndex(index, new DateOnly(2026, 10, 31), ClvUnit.Day);
        Assert.Equal(new CustomerSummary(2, 14, 30, 10_000), days.Customers[0]);

        Assert.Equal(new CustomerSummary(3, 31 / 7.0, 31 / 7.0, 9_000), ClvSummaries.Of(index, "u1", new DateOnly(2026, 11, 1), ClvUnit.Week));
        Assert.Equal(new CustomerSummary(0, 0, 0), ClvSummaries.Of(index, "u2", new DateOnly(2026, 11, 1), ClvUnit.Week));
        Assert.Null(ClvSummaries.Of(index, "u2", new DateOnly(2026, 10, 31), ClvUnit.Week));
        Assert.Null(ClvSummaries.Of(index, "u3", new DateOnly(2026, 11, 1), ClvUnit.Week));
        Assert.Null(ClvSummaries.Of(index, "nobody", new DateOnly(2026, 11, 1), ClvUnit.Week));
    }

    [Fact]
    public void ByVisitor_IsOfForEveryCustomer_AcrossChunks()
    {
        // More visitors than one chunk of the parallel pass; customers with several orders a day, some with none, and
        // anonymous visitors; orders around local midnight.
        var random = new Random(3);
        var b = new EventIndexBuilder.Builder();
        var ids = Enumerable.Range(0, 40_000).Select(i => "c" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        foreach (var id in ids) b.AddCustomer(id, null);
        for (var i = 0; i < 1_000; i++)
            b.AddEvent(null, "anon" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "page_view", At(2026, 9, 1), null, null, null, null, null, null, 0);
        for (var o = 0; o < 120_000; o++)
            b.AddOrder(ids[random.Next(ids.Length - 100)], At(2026, 1, 1, 0) + random.NextInt64(300L * 86_400_000), null, null, random.NextInt64(100, 10_000),
                random.Next(10) == 0 ? 100 : 0, 1, null);
        var index = b.Build("Asia/Shanghai");

        foreach (var (day, unit) in new[] { (new DateOnly(2026, 6, 30), ClvUnit.Week), (new DateOnly(2026, 11, 1), ClvUnit.Day) })
        {
            var summaries = ClvSummaries.ByVisitor(index, day, unit);
            Assert.Equal(index.VisitorCount, summaries.Length);
            for (var v = 0; v < index.VisitorCount; v++)
                Assert.Equal(index.IsCustomer[v] ? ClvSummaries.Of(index, index.VisitorKeys[v], day, unit) : null, summaries[v]);
            Assert.Contains(summaries, s => s is { X: > 3 });
            Assert.Contains(summaries, s => s is null);
        }
    }

    [Fact]
    public void FromTransactions_GroupsByCustomerInIdOrder_AndIgnoresOrder()
    {
        var day = new DateOnly(2026, 1, 1);
        ClvTransaction[] transactions = [new("b", day.AddDays(10), 300), new("a", day.AddDays(3), 100), new("b", day, 200), new("b", day.AddDays(10), 50)];
        var data = ClvSummaries.FromTransactions(transactions, day.AddDays(14), ClvUnit.Day);
        Assert.Equal(["a", "b"], data.CustomerIds);
        Assert.Equal(new CustomerSummary(0, 0, 11), data.Customers[0]);
        Assert.Equal(new CustomerSummary(1, 10, 14, 350), data.Customers[1]);
    }
}
