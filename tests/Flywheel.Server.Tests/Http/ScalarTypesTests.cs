using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Http;

/// <summary>Text fields take JSON strings only: a number or boolean where text belongs is refused, never turned into "true" or "123".</summary>
public sealed class ScalarTypesTests
{
    public static TheoryData<string, string, string, string> NotText()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var engine in new[] { TestStores.Sqlite, TestStores.Postgres })
        {
            data.Add(engine, "/v1/events", Json.Batch([Json.Event("e1").Replace("\"event_id\":\"e1\"", "\"event_id\":true", StringComparison.Ordinal)]), "$.events[0].event_id");
            data.Add(engine, "/v1/events", Json.Batch([Json.Event("e1").Replace("\"customer_id\":\"c1\"", "\"customer_id\":123", StringComparison.Ordinal)]), "$.events[0].customer_id");
            data.Add(engine, "/v1/events", Json.Batch([Json.Event("e1", extra: "\"channel\":false")]), "$.events[0].channel");
            data.Add(engine, "/v1/events", Json.Batch([Json.Event("e1").Replace("\"time\":\"2026-10-30T10:00:00+08:00\"", "\"time\":1793000000000", StringComparison.Ordinal)]), "$.events[0].time");
            data.Add(engine, "/v1/orders", """
                {"order_id":7,"customer_id":"c1","placed_at":"2026-10-30T10:00:00+08:00","lines":[{"sku":"SKU-1","quantity":1,"unit_price":"1.00"}]}
                """, "$.order_id");
            data.Add(engine, "/v1/orders", """
                {"order_id":"o1","customer_id":"c1","placed_at":"2026-10-30T10:00:00+08:00","currency":true,"lines":[{"sku":"SKU-1","quantity":1,"unit_price":"1.00"}]}
                """, "$.currency");
            data.Add(engine, "/v1/orders", """
                {"order_id":"o1","customer_id":"c1","placed_at":"2026-10-30T10:00:00+08:00","lines":[{"sku":12345,"quantity":1,"unit_price":"1.00"}]}
                """, "$.lines[0].sku");
            data.Add(engine, "/v1/identify", """{"anonymous_id":true,"customer_id":"c1"}""", "$.anonymous_id");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NotText))]
    public async Task NumberOrBooleanInATextField_Is400NamingIt_AndWritesNothing(string engine, string url, string body, string path)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync(url + (url == "/v1/orders" ? "?create_missing=true" : ""), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal(path, problem.GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Contains("JSON string", problem.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Customer_TextFieldAsNumber_Is400_ConsentAsBoolean_IsFine(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var number = await host.PutJsonAsync("/v1/customers/c-1", """{"name":12345}""");
        var tier = await host.PutJsonAsync("/v1/customers/c-1", """{"city_tier":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, number.StatusCode);
        Assert.Equal("$.name", (await Json.ReadAsync(number)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, tier.StatusCode);
        Assert.Equal("$.city_tier", (await Json.ReadAsync(tier)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "customers"));

        var consent = await host.PutJsonAsync("/v1/customers/c-1", """{"name":"王芳","sms_consent":true,"consent_at":"2026-10-01T09:00:00+08:00"}""");
        Assert.Equal(HttpStatusCode.Created, consent.StatusCode);
        Assert.Equal("granted", await TestStores.ScalarAsync(host.Store, "SELECT status FROM customer_consents WHERE customer_id = 'c-1' AND channel = 'sms'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task NumbersInNumericFields_AreStillAccepted(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PostJsonAsync("/v1/orders?create_missing=true", """
            {"order_id":"o1","customer_id":"c1","placed_at":"2026-10-30T10:00:00+08:00","paid_at":"2026-10-30T10:01:00+08:00","shipping_fee":6,
             "lines":[{"sku":"SKU-1","quantity":2,"unit_price":12.5,"line_discount":0}]}
            """);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3100L, Convert.ToInt64(await TestStores.ScalarAsync(host.Store, "SELECT total_paid FROM orders WHERE order_id = 'o1'")));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task HeldCouponWithANegativeAmount_IsRefused_NotIgnored(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        const string cart = """
            {"at":"2026-11-11T10:00:00+08:00","lines":[{"line_id":"a","sku":"k1","store":"A","category":"beauty","quantity":1,"unit_list_price":20000}],
             "held_coupons":[{"code":"NEG","batch_id":"b1","spec":{"kind":"platform","amount_off":AMOUNT,"threshold":0,"funding":"platform"},
                              "valid_from":"2026-11-01T00:00:00+08:00","valid_to":"2026-12-01T00:00:00+08:00"}]}
            """;

        var negative = await host.PostJsonAsync("/v1/carts/price", cart.Replace("AMOUNT", "-5000", StringComparison.Ordinal));
        var fine = await host.PostJsonAsync("/v1/carts/price", cart.Replace("AMOUNT", "5000", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("held_coupons[0].spec.amount_off", (await Json.ReadAsync(negative)).GetProperty("errors")[0].GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Equal(15000, (await Json.ReadAsync(fine)).GetProperty("total").GetInt64());
    }
}
