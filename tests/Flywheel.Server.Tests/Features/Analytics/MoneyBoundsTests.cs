using System.Globalization;
using System.Net;
using Flywheel.Storage.Queries;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Flywheel.Server.Tests.Features.Analytics;

/// <summary>
/// Orders at the money bound (a line and an order at most 10^12 fen) leave every report exact; an order over it is refused at ingest
/// naming the field. Before the bound, ten orders of 1,000,000 × ¥9,999,999,999.99 made every report answer 500 for good.
/// </summary>
public sealed class MoneyBoundsTests
{
    private const long Bound = 1_000_000_000_000; // fen

    /// <summary>Ten paid orders of exactly the bound: 10 × ¥1,000,000,000.00, five customers with two orders each.</summary>
    private static async Task SeedAtTheBoundAsync(ServerHost host)
    {
        for (var i = 1; i <= 10; i++)
        {
            var day = i.ToString("00", CultureInfo.InvariantCulture);
            var response = await host.PostJsonAsync("/v1/orders?create_missing=true", $$"""
                {"order_id":"o{{i}}","customer_id":"c{{(i + 1) / 2}}","channel":"tmall","placed_at":"2026-05-{{day}}T10:00:00+08:00",
                 "paid_at":"2026-05-{{day}}T10:01:00+08:00","lines":[{"sku":"GOLD","quantity":10,"unit_price":"1000000000.00"}]}
                """);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task OrdersAtTheBound_EveryReportAnswersWithTheExactSum(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAtTheBoundAsync(host);
        const decimal total = 10 * Bound / 100m; // yuan

        var kpi = await OkJsonAsync(host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-31&by=channel"));
        Assert.Equal(total, kpi.GetProperty("rows")[0].GetProperty("gmv").GetDecimal());
        Assert.Equal(Bound / 100m, kpi.GetProperty("rows")[0].GetProperty("aov").GetDecimal());
        var attribution = await OkJsonAsync(host.PostJsonAsync("/v1/attribution", """{"from":"2026-05-01","to":"2026-05-31"}"""));
        Assert.Equal(total, attribution.GetProperty("total_gmv").GetDecimal());
        var cohorts = await OkJsonAsync(host.PostJsonAsync("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","period":"month"}"""));
        Assert.Contains("revenue", cohorts.GetRawText(), StringComparison.Ordinal);
        var rfm = await OkJsonAsync(host.Client.GetAsync("/v1/rfm?as_of=2026-05-31"));
        Assert.Equal(total, rfm.GetProperty("segments").EnumerateArray().Sum(s => s.GetProperty("gmv").GetDecimal()));
        await OkJsonAsync(host.Client.GetAsync("/v1/personas/all?as_of=2026-05-31"));
        var profile = await OkJsonAsync(host.Client.GetAsync("/v1/customers/c1/profile"));
        Assert.Contains("2000000000", profile.GetRawText(), StringComparison.Ordinal);
        await OkJsonAsync(host.PostJsonAsync("/v1/segments/check", """{"rule":"gmv(365d) >= 20000000000"}"""));
        await OkJsonAsync(host.Client.GetAsync("/v1/goals"));

        var overview = await StoreOverview.QueryAsync(host.Store, null, null, CancellationToken.None);
        Assert.Equal(10 * Bound, overview.Gmv);
        Assert.Equal(10 * Bound, Convert.ToInt64(await TestStores.ScalarAsync(host.Store, "SELECT SUM(total_paid) FROM orders"), CultureInfo.InvariantCulture));
    }

    public static TheoryData<string, string, string> OverTheBound()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var engine in new[] { TestStores.Sqlite, TestStores.Postgres })
        {
            // one unit over on the line: 11 × ¥1,000,000,000.00
            data.Add(engine, """[{"sku":"GOLD","quantity":11,"unit_price":"1000000000.00"}]""", "$.lines[0].quantity");
            // the old worst case: 1,000,000 × ¥9,999,999,999.99
            data.Add(engine, """[{"sku":"GOLD","quantity":1000000,"unit_price":"9999999999.99"}]""", "$.lines[0].quantity");
            // a single price over the bound
            data.Add(engine, """[{"sku":"GOLD","quantity":1,"unit_price":"10000000000.01"}]""", "$.lines[0].unit_price");
            // each line at the bound, the order twice it
            data.Add(engine, """[{"sku":"GOLD","quantity":10,"unit_price":"1000000000.00"},{"sku":"GOLD","quantity":1,"unit_price":"0.01"}]""", "$.lines");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OverTheBound))]
    public async Task OrderOverTheBound_Is400NamingTheField_AndChangesNothing(string engine, string lines, string path)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAtTheBoundAsync(host);
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/orders?create_missing=true", $$"""
            {"order_id":"big","customer_id":"c9","placed_at":"2026-05-20T10:00:00+08:00","paid_at":"2026-05-20T10:01:00+08:00","lines":{{lines}}}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await Json.ReadAsync(response)).GetProperty("errors")[0];
        Assert.Equal(path, error.GetProperty("path").GetString());
        Assert.Contains("10000000000.00", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "orders", "order_id = 'big'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ShippingFeeOrEventValueOverTheBound_Is400(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var shipping = await host.PostJsonAsync("/v1/orders?create_missing=true", """
            {"order_id":"o1","customer_id":"c1","placed_at":"2026-05-20T10:00:00+08:00","shipping_fee":"10000000000.01","lines":[{"sku":"A","quantity":1,"unit_price":"1.00"}]}
            """);
        var value = await host.PostJsonAsync("/v1/events", Json.Batch([Json.Event("e1", "order_paid", extra: "\"value\":\"99999999999.00\"")]));

        Assert.Equal(HttpStatusCode.BadRequest, shipping.StatusCode);
        Assert.Equal("$.shipping_fee", (await Json.ReadAsync(shipping)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, value.StatusCode);
        Assert.Equal("$.events[0].value", (await Json.ReadAsync(value)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "orders"));
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "events"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SumsBeyondALong_AreAClear422_NotAWrongTotalOrA500(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAtTheBoundAsync(host);
        // Past the ingest bounds (a store written before them, or by hand): two orders of 5×10^18 fen sum beyond long.MaxValue.
        await TestStores.ScalarAsync(host.Store, "UPDATE orders SET total_paid = 5000000000000000000 WHERE order_id IN ('o1', 'o2')");

        await Assert.ThrowsAsync<OverflowException>(() => StoreOverview.QueryAsync(host.Store, null, null, CancellationToken.None));
        // A server started on that store builds its event index from it.
        await using var app = FlywheelServer.Build(host.Store, host.Clock, "http://127.0.0.1:0", new ServerOptions(), web => web.UseTestServer());
        await app.StartAsync();
        using var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = host.Client.DefaultRequestHeaders.Authorization; // the same store, the same admin key
        var kpi = await client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-31");
        var rfm = await client.GetAsync("/v1/rfm?as_of=2026-05-31");

        foreach (var response in new[] { kpi, rfm })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await Json.ReadAsync(response);
            Assert.Equal("https://flywheel.dev/problems/unprocessable", problem.GetProperty("type").GetString());
            Assert.Contains("64-bit", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        await app.StopAsync();
    }

    private static async Task<System.Text.Json.JsonElement> OkJsonAsync(Task<HttpResponseMessage> request)
    {
        var response = await request;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await Json.ReadAsync(response);
    }
}
