using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Coupons;

public class CouponsEndpointsTests
{
    private const string Batch = """
        {"id":"d11","name":"双11 满300减50","kind":"store","store":"s1","amount_off":5000,"threshold":30000,"funding":"merchant",
         "total_quantity":100,"budget":8000,"per_customer_claim_limit":2,"valid_days_after_claim":7}
        """;

    private static async Task<string> ClaimAsync(ServerHost host, string customer = "c1", string key = "claim-1")
    {
        var response = await host.PostJsonAsync("/v1/coupons/batches/d11/claim", $$"""{"customer_id":"{{customer}}","idempotency_key":"{{key}}"}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json.ReadAsync(response)).GetProperty("code").GetString()!;
    }

    private static Task<HttpResponseMessage> RedeemAsync(ServerHost host, string code, string body) =>
        host.PostJsonAsync($"/v1/coupons/{code}/redeem", body);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Lifecycle_CreateClaimRedeemRelease(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var created = await host.PostJsonAsync("/v1/coupons/batches", Batch);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("store", (await Json.ReadAsync(created)).GetProperty("batch").GetProperty("spec").GetProperty("kind").GetString());

        var code = await ClaimAsync(host);
        Assert.Equal(code, await ClaimAsync(host));

        var redeemBody = """{"order_id":"o1","customer_id":"c1","discount":5000,"idempotency_key":"r1"}""";
        var redeemed = await RedeemAsync(host, code, redeemBody);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var first = await redeemed.Content.ReadAsStringAsync();
        var again = await RedeemAsync(host, code, redeemBody);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, await again.Content.ReadAsStringAsync());

        var batch = await Json.ReadAsync(await host.Client.GetAsync(new Uri("/v1/coupons/batches/d11", UriKind.Relative)));
        Assert.Equal((1, 1, 5000, 3000), (batch.GetProperty("issued").GetInt64(), batch.GetProperty("redeemed").GetInt64(),
            batch.GetProperty("spent").GetInt64(), batch.GetProperty("budget_remaining").GetInt64()));

        var mine = await Json.ReadAsync(await host.Client.GetAsync(new Uri("/v1/customers/c1/coupons", UriKind.Relative)));
        Assert.Equal("redeemed", mine.GetProperty("coupons")[0].GetProperty("state").GetString());

        var released = await host.PostJsonAsync($"/v1/coupons/{code}/release", """{"order_id":"o1","reason":"refund","idempotency_key":"rel1"}""");
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        batch = await Json.ReadAsync(await host.Client.GetAsync(new Uri("/v1/coupons/batches/d11", UriKind.Relative)));
        Assert.Equal(0, batch.GetProperty("spent").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadRequests_ProblemWithJsonPath_NothingChanges(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/coupons/batches", Batch)).StatusCode);
        var code = await ClaimAsync(host);
        var before = await host.Client.GetStringAsync(new Uri("/v1/coupons/batches/d11", UriKind.Relative));

        await Expect(HttpStatusCode.BadRequest, "$.idempotency_key", RedeemAsync(host, code, """{"order_id":"o1","customer_id":"c1","discount":100}"""));
        await Expect(HttpStatusCode.BadRequest, "$.discount", RedeemAsync(host, code, """{"order_id":"o1","customer_id":"c1","discount":-5,"idempotency_key":"a"}"""));
        await Expect(HttpStatusCode.BadRequest, "$.discount", RedeemAsync(host, code, """{"order_id":"o1","customer_id":"c1","discount":"lots","idempotency_key":"b"}"""));
        await Expect(HttpStatusCode.NotFound, "$.code", RedeemAsync(host, Flywheel.Promotions.Domain.Coupons.CouponCodes.New(),
            """{"order_id":"o1","customer_id":"c1","discount":100,"idempotency_key":"c"}"""));
        await Expect(HttpStatusCode.Forbidden, "$.customer_id", RedeemAsync(host, code, """{"order_id":"o1","customer_id":"c2","discount":100,"idempotency_key":"d"}"""));
        await Expect(HttpStatusCode.Conflict, "$.discount", RedeemAsync(host, code, """{"order_id":"o1","customer_id":"c1","discount":6000,"idempotency_key":"e"}"""));
        await Expect(HttpStatusCode.BadRequest, "$.kind", host.PostJsonAsync("/v1/coupons/batches", """{"id":"x","name":"x","kind":"bogus","amount_off":1,"total_quantity":1,"valid_days_after_claim":1}"""));
        await Expect(HttpStatusCode.Conflict, "$.id", host.PostJsonAsync("/v1/coupons/batches", Batch));
        await Expect(HttpStatusCode.NotFound, "$.batch_id", host.PostJsonAsync("/v1/coupons/batches/nope/claim", """{"customer_id":"c1","idempotency_key":"z"}"""));
        Assert.Equal(before, await host.Client.GetStringAsync(new Uri("/v1/coupons/batches/d11", UriKind.Relative)));

        // Over the per-customer claim limit (2): 409 naming the limit.
        await ClaimAsync(host, key: "claim-2");
        await Expect(HttpStatusCode.Conflict, "$.per_customer_claim_limit",
            host.PostJsonAsync("/v1/coupons/batches/d11/claim", """{"customer_id":"c1","idempotency_key":"claim-3"}"""));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_KeyReusedForAnotherRequest_422(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/coupons/batches", Batch);
        var code = await ClaimAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(host, code, """{"order_id":"o1","customer_id":"c1","discount":100,"idempotency_key":"k"}""")).StatusCode);
        var reused = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/coupons/{code}/redeem")
        {
            Content = new StringContent("""{"order_id":"o2","customer_id":"c1","discount":100}""", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", "k" } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CreateBatch_WithGenerate_ReturnsTheCodes(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var response = await host.PostJsonAsync("/v1/coupons/batches",
            """{"id":"cards","name":"printed cards","kind":"no_threshold","amount_off":1000,"total_quantity":500,"valid_to":"2026-12-31T00:00:00+08:00","generate":300}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal(300, body.GetProperty("codes").GetArrayLength());
        Assert.Equal(300, body.GetProperty("batch").GetProperty("issued").GetInt64());
    }

    private static async Task Expect(HttpStatusCode status, string path, Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        Assert.Equal(status, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        var problem = await Json.ReadAsync(response);
        Assert.Equal(path, problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }
}
