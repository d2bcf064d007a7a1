using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Storage.Queries;
using Flywheel.Tests;

namespace Flywheel.Storage.Tests.Queries;

/// <summary>
/// A hand-made store whose report was worked out on paper (see the comments), so the query is checked against
/// numbers it did not produce. Days are Asia/Shanghai.
/// </summary>
public sealed class StoreOverviewTests
{
    private static long At(int day, int hour, int minute = 0) =>
        new DateTimeOffset(2026, 6, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    // Orders (sku P1, list price 100.00):
    //   O1  A  tmall   paid               6-01 10:00  1 × 100.00                        total 100.00
    //   O2  A  wechat  completed          6-02 12:00  2 × 90.00 − 5.00 line discount    total 175.00
    //   O3  B  tmall   refunded           6-02 23:30  1 × 100.00 + 8.00 shipping        total 108.00 (GMV is gross: counts)
    //   O4  C  tmall   cancelled (never paid)                                           excluded
    //   O5  C  tmall   pending (never paid)                                             excluded
    //   O6  B  jd      paid               6-10 09:00  1 × 100.02                        total 100.02
    // All data: GMV 483.02, 4 orders, buyers A B, both with 2 orders; AOV 120.755 → 120.76 (half up).
    // 6-01..6-02: GMV 383.00, 3 orders (O6 out; O3 at 23:30 local is in though it is 15:30 UTC), A repeats, B does not.
    // Events: A tmall + wechat; B tmall; x1 tmall + douyin; x2 baidu; y1 (anonymous, then identified as C) xiaohongshu;
    //   C xiaohongshu. UV = A B C x1 x2 = 5. Ad spend: tmall 50.00 (6-01) + 30.00 (6-10), baidu 10.00 (6-01).
    private static async Task<FlywheelStore> TinyStoreAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        await using var s = await IngestSession.BeginAsync(store, "test", "hand-made", CancellationToken.None);
        s.UpsertProduct(new ProductRow { Sku = "P1", Name = "P1", Category = "test", ListPrice = 10_000 });
        foreach (var id in new[] { "A", "B", "C" })
            Assert.True(s.UpsertCustomer(new CustomerRow { CustomerId = id }).IsSuccess);

        Order(s, "O1", "A", "tmall", "paid", At(1, 10), 0, new OrderLineRow { Sku = "P1", Quantity = 1, UnitPrice = 10_000 });
        Order(s, "O2", "A", "wechat", "completed", At(2, 12), 0, new OrderLineRow { Sku = "P1", Quantity = 2, UnitPrice = 9_000, LineDiscount = 500 });
        Order(s, "O3", "B", "tmall", "refunded", At(2, 23, 30), 800,
            new OrderLineRow { Sku = "P1", Quantity = 1, UnitPrice = 10_000, RefundedQuantity = 1 });
        Order(s, "O4", "C", "tmall", "cancelled", null, 0, new OrderLineRow { Sku = "P1", Quantity = 1, UnitPrice = 10_000 });
        Order(s, "O5", "C", "tmall", "pending", null, 0, new OrderLineRow { Sku = "P1", Quantity = 1, UnitPrice = 10_000 });
        Order(s, "O6", "B", "jd", "paid", At(10, 9), 0, new OrderLineRow { Sku = "P1", Quantity = 1, UnitPrice = 10_002 });

        var n = 0;
        void Event(string? customer, string? anonymous, string channel, long time) =>
            s.WriteEvent(new EventRow { EventId = "e" + ++n, Type = "page_view", Time = time, CustomerId = customer, AnonymousId = anonymous, Channel = channel });
        Event("A", null, "tmall", At(1, 9));
        Event("A", null, "wechat", At(2, 11));
        Event("B", null, "tmall", At(1, 9));
        Event(null, "x1", "tmall", At(1, 9));
        Event(null, "x1", "douyin", At(2, 9));
        Event(null, "x2", "baidu", At(1, 9));
        Event(null, "y1", "xiaohongshu", At(1, 9));
        Event("C", "y1", "xiaohongshu", At(1, 10));
        Assert.True(s.Identify("y1", "C", At(1, 10), "e8").IsSuccess);

        s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 1), Channel = "tmall", Cost = 5_000 });
        s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 10), Channel = "tmall", Cost = 3_000 });
        s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 1), Channel = "baidu", Cost = 1_000 });
        await s.CommitAsync(0, 0, CancellationToken.None);
        return store;
    }

    private static void Order(IngestSession s, string id, string customer, string channel, string status, long? paidAt, long shipping, OrderLineRow line)
    {
        var order = new OrderRow
        {
            OrderId = id,
            CustomerId = customer,
            Channel = channel,
            Status = status,
            PlacedAt = (paidAt ?? At(1, 8)) - 60_000,
            PaidAt = paidAt,
            ShippingFee = shipping,
            RefundedAt = status == "refunded" ? paidAt + 86_400_000 : null,
        };
        order.Lines.Add(line);
        Assert.True(s.WriteOrder(order, createMissingProducts: false).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Query_AllData_MatchesHandComputedReport(string engine)
    {
        using var store = await TinyStoreAsync(engine);

        var o = await StoreOverview.QueryAsync(store, null, null, CancellationToken.None);

        Assert.Equal(48_302, o.Gmv);
        Assert.Equal(4, o.Orders);
        Assert.Equal(2, o.Buyers);
        Assert.Equal(2, o.RepeatBuyers);
        Assert.Equal(1.0, o.RepurchaseRate);
        Assert.Equal(12_076, o.Aov);
        Assert.Equal(5, o.Visitors);
        Assert.Equal(0.4, o.Cvr!.Value, 12);
        Assert.Equal(9_000, o.AdSpend);
        Assert.Equal(48_302 / 9_000.0, o.Roi!.Value, 12);

        Assert.Equal(["tmall", "wechat", "jd", "baidu", "douyin", "xiaohongshu"], o.Channels.Select(c => c.Channel).ToArray());
        var tmall = o.Channels[0];
        Assert.Equal(new ChannelOverview("tmall", 20_800, 2, 2, 3, 8_000), tmall);
        Assert.Equal(2.6, tmall.Roi!.Value, 12);
        Assert.Equal(new ChannelOverview("wechat", 17_500, 1, 1, 1, 0), o.Channels[1]);
        Assert.Null(o.Channels[1].Roi);
        Assert.Equal(new ChannelOverview("jd", 10_002, 1, 1, 0, 0), o.Channels[2]);
        Assert.Equal(new ChannelOverview("baidu", 0, 0, 0, 1, 1_000), o.Channels[3]);
        Assert.Equal(new ChannelOverview("xiaohongshu", 0, 0, 0, 1, 0), o.Channels[5]);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Query_DateRange_UsesLocalDaysInclusive(string engine)
    {
        using var store = await TinyStoreAsync(engine);

        var o = await StoreOverview.QueryAsync(store, new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 2), CancellationToken.None);

        Assert.Equal(38_300, o.Gmv);
        Assert.Equal(3, o.Orders);
        Assert.Equal(2, o.Buyers);
        Assert.Equal(1, o.RepeatBuyers);
        Assert.Equal(0.5, o.RepurchaseRate);
        Assert.Equal(12_767, o.Aov); // 383.00 / 3 = 127.666… → 127.67
        Assert.Equal(5, o.Visitors);
        Assert.Equal(6_000, o.AdSpend);
        Assert.Equal(new ChannelOverview("tmall", 20_800, 2, 2, 3, 5_000), o.Channels[0]);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Query_EmptyStore_ZerosAndNoRatios(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);

        var o = await StoreOverview.QueryAsync(store, null, null, CancellationToken.None);

        Assert.Equal((0L, 0L, 0L, 0L, 0L), (o.Gmv, o.Orders, o.Buyers, o.Visitors, o.AdSpend));
        Assert.Null(o.Aov);
        Assert.Null(o.Cvr);
        Assert.Null(o.RepurchaseRate);
        Assert.Null(o.Roi);
        Assert.Empty(o.Channels);
    }

    [Theory]
    [InlineData(5, 2, 3)]
    [InlineData(7, 3, 2)]
    [InlineData(5, 3, 2)]
    [InlineData(48_302, 4, 12_076)]
    [InlineData(0, 9, 0)]
    [InlineData(9, 9, 1)]
    public void DivideRoundHalfUp_RoundsHalvesUp(long a, long b, long expected) =>
        Assert.Equal(expected, StoreOverview.DivideRoundHalfUp(a, b));
}
