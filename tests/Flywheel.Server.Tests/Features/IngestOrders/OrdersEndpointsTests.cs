using System.Net;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.IngestOrders;

public sealed class OrdersEndpointsTests
{
    private const string Order = """
        {"order_id":"o-1","customer_id":"c-new","placed_at":"2026-10-30T10:00:00+08:00","paid_at":"2026-10-30T10:02:00+08:00",
         "channel":"tmall","shipping_fee":"6.00","coupon_codes":"C100",
         "lines":[{"sku":"SKU-1","quantity":2,"unit_price":"99.00","line_discount":"10.00"},{"sku":"SKU-2","quantity":1,"unit_price":49.9}]}
        """;

    private static async Task SeedProductsAsync(FlywheelStore store, params string[] skus)
    {
        await using var session = await IngestSession.BeginAsync(store, "test", "seed", CancellationToken.None);
        foreach (var sku in skus)
            session.UpsertProduct(new ProductRow { Sku = sku, Name = sku, Category = "母婴>奶粉", ListPrice = 12_000 });
        await session.CommitAsync(skus.Length, 0, CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_NewOrder_Is201_AndRepeatIs200Unchanged(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedProductsAsync(host.Store, "SKU-1", "SKU-2");

        var created = await host.PostJsonAsync("/v1/orders", Order);
        var repeated = await host.PostJsonAsync("/v1/orders", Order);
        var updated = await host.PostJsonAsync("/v1/orders", Order.Replace("\"tmall\"", "\"jd\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("inserted", (await Json.ReadAsync(created)).GetProperty("outcome").GetString());
        Assert.Equal("o-1", (await Json.ReadAsync(created)).GetProperty("order_id").GetString());
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal("unchanged", (await Json.ReadAsync(repeated)).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("updated", (await Json.ReadAsync(updated)).GetProperty("outcome").GetString());
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "order_lines", "order_id = 'o-1'"));
        // 2 x 99.00 - 10.00 + 49.90 + 6.00 shipping
        Assert.Equal(24390L, Convert.ToInt64(await TestStores.ScalarAsync(host.Store, "SELECT total_paid FROM orders WHERE order_id = 'o-1'")));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "customers", "customer_id = 'c-new'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_UnknownSku_Is400AndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedProductsAsync(host.Store, "SKU-1");
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/orders", Order);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/unknown-sku", problem.GetProperty("type").GetString());
        Assert.Contains("create_missing=true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var error = problem.GetProperty("errors")[0];
        Assert.Equal("$.lines[1].sku", error.GetProperty("path").GetString());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_UnknownSkuWithCreateMissing_CreatesBareProduct(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PostJsonAsync("/v1/orders?create_missing=true", Order);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "products"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_InvalidLines_ReportsEveryLinePath(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedProductsAsync(host.Store, "SKU-1");
        var before = await TestStores.SnapshotAsync(host.Store);
        var body = """
            {"order_id":"o-2","customer_id":"c1","placed_at":"2026-10-30T10:00:00+08:00",
             "lines":[{"quantity":1,"unit_price":"9.00"},{"sku":"SKU-1","quantity":0,"unit_price":"9.00"}]}
            """;

        var response = await host.PostJsonAsync("/v1/orders", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var paths = (await Json.ReadAsync(response)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Equal(["$.lines[0].sku", "$.lines[1].quantity"], paths);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }
}
