using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Promotions;

public sealed class PromotionsEndpointsTests
{
    private const string CrossStore = """
        {"id":"cross","name":"跨店每满300减50","stage":"platform","mechanic":{"type":"repeating_threshold","step":30000,"amount_off":5000},
         "funding":{"platform_percent":60}}
        """;

    private const string Cart = """
        {"at":"2026-11-11T10:00:00+08:00","customer_tier":"gold",
         "lines":[{"line_id":"a","sku":"k1","store":"A","category":"beauty","quantity":1,"unit_list_price":20000},
                  {"line_id":"b","sku":"k2","store":"B","category":"beauty","quantity":1,"unit_list_price":15000}],
         "held_coupons":[{"code":"P10","batch_id":"b1","spec":{"kind":"platform","amount_off":1000,"threshold":0,"funding":"platform"},
                          "valid_from":"2026-11-01T00:00:00+08:00","valid_to":"2026-12-01T00:00:00+08:00"}]}
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SavePromotion_ThenPriceCart_ExplainsEveryLine(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/promotions", CrossStore)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PutJsonAsync("/v1/promotions/cross", CrossStore)).StatusCode);

        var response = await host.PostJsonAsync("/v1/carts/price", Cart);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var priced = await Json.ReadAsync(response);
        Assert.Equal(35000 - 5000 - 1000, priced.GetProperty("total").GetInt64());
        Assert.Equal("P10", priced.GetProperty("used_coupons")[0].GetString());
        var steps = priced.GetProperty("lines")[0].GetProperty("steps");
        Assert.Equal("cross", steps[0].GetProperty("id").GetString());
        Assert.Equal("platform", steps[0].GetProperty("stage").GetString());

        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/promotions?status=active"));
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/v1/promotions/cross")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/promotions/cross")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SavePromotion_InvalidOrConflicting_IsAProblemWithAJsonPath(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var invalid = await host.PostJsonAsync("/v1/promotions", CrossStore.Replace("\"amount_off\":5000", "\"amount_off\":50000"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await Json.ReadAsync(invalid);
        Assert.Equal("$.mechanic.amount_off", problem.GetProperty("errors")[0].GetProperty("path").GetString());

        var a = CrossStore.Replace("\"stage\"", "\"exclusivity_group\":\"x\",\"stage\"");
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/promotions", a)).StatusCode);
        var conflict = await host.PostJsonAsync("/v1/promotions", a.Replace("\"id\":\"cross\"", "\"id\":\"cross2\""));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        var validate = await Json.ReadAsync(await host.PostJsonAsync("/v1/promotions/validate", "[" + a.Replace("\"id\":\"cross\"", "\"id\":\"cross3\"") + "]"));
        Assert.False(validate.GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PriceCart_BadLine_And_QuoteRefund(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var bad = await host.PostJsonAsync("/v1/carts/price", Cart.Replace("\"quantity\":1,\"unit_list_price\":15000", "\"quantity\":0,\"unit_list_price\":15000"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("$.lines[1].quantity", (await Json.ReadAsync(bad)).GetProperty("errors")[0].GetProperty("path").GetString());

        var quote = await host.PostJsonAsync("/v1/refunds/quote", """
            {"order":[{"line_id":"a","quantity":3,"paid":10000}],"items":[{"line_id":"a","quantity":1}]}
            """);
        Assert.Equal(HttpStatusCode.OK, quote.StatusCode);
        Assert.Equal(3333, (await Json.ReadAsync(quote)).GetProperty("total").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Pipeline_GetPut_ChangesTheStackingOrder_BadOnesAreProblems(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var initial = await Json.ReadAsync(await host.Client.GetAsync("/v1/promotions/pipeline"));
        Assert.Equal("item", initial.GetProperty("steps")[0].GetString());
        Assert.Equal(6, initial.GetProperty("steps").GetArrayLength());

        var bad = await host.PutJsonAsync("/v1/promotions/pipeline", """{"steps":["item","store_coupons","store_coupons","shipping"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("$.steps[2]", (await Json.ReadAsync(bad)).GetProperty("errors")[0].GetProperty("path").GetString());

        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/promotions", CrossStore)).StatusCode);
        var dropping = await host.PutJsonAsync("/v1/promotions/pipeline", """{"steps":["item","store_promotions","shipping"]}""");
        Assert.Equal(HttpStatusCode.Conflict, dropping.StatusCode);

        // platform coupons before 跨店满减: the ¥10 coupon lowers the ¥350 to ¥340, so 跨店每满300减50 still gives one ¥50 step
        var reordered = await host.PutJsonAsync("/v1/promotions/pipeline",
            """{"steps":["item","store_promotions","store_coupons","platform_coupons","platform_promotions","shipping"]}""");
        Assert.Equal(HttpStatusCode.OK, reordered.StatusCode);
        var after = await Json.ReadAsync(await host.Client.GetAsync("/v1/promotions/pipeline"));
        Assert.Equal("platform_coupons", after.GetProperty("steps")[3].GetString());
        var priced = await Json.ReadAsync(await host.PostJsonAsync("/v1/carts/price", Cart));
        Assert.Equal(35000 - 1000 - 5000, priced.GetProperty("total").GetInt64());
        var steps = priced.GetProperty("lines")[0].GetProperty("steps");
        Assert.Equal("P10", steps[0].GetProperty("id").GetString());
        Assert.Equal("cross", steps[1].GetProperty("id").GetString());
    }
}
