using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Customers;

public class InsightEndpointsTests
{
    private static async Task SeedAsync(ServerHost host)
    {
        var order = """{"order_id":"o1","customer_id":"u1","status":"paid","placed_at":"2026-06-29T10:00:00+08:00","paid_at":"2026-06-29T10:00:00+08:00","lines":[{"sku":"k1","quantity":1,"unit_price":"99.00"}]}""";
        var response = await host.PostJsonAsync("/v1/orders?create_missing=true", order);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        response = await host.PutJsonAsync("/v1/customers/u1", """{"gender":"female","province":"浙江"}""");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Rfm_AndPersona_AnswerAsJson(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        var rfm = await Json.ReadAsync(await host.Client.GetAsync("/v1/rfm?as_of=2026-06-30&customers=5"));
        Assert.Equal(1, rfm.GetProperty("customers_scored").GetInt32());
        Assert.Equal("u1", rfm.GetProperty("customers")[0].GetProperty("customer_id").GetString());

        var persona = await host.Client.GetAsync("/v1/personas/all?as_of=2026-06-30");
        Assert.Equal(HttpStatusCode.OK, persona.StatusCode);
        var body = await Json.ReadAsync(persona);
        Assert.Equal(1, body.GetProperty("customers").GetInt32());
        Assert.Equal("浙江", body.GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("code").GetString() == "province")
            .GetProperty("values")[0].GetProperty("value").GetString());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Rfm_GridCountsEachScoredCustomerInItsCell_AndTheListNarrowsToASegmentOrACell(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        var rfm = await Json.ReadAsync(await host.Client.GetAsync("/v1/rfm?as_of=2026-06-30"));
        var grid = rfm.GetProperty("grid").EnumerateArray().ToList();
        Assert.Equal(25, grid.Count);
        Assert.Equal((5, 1, "new"), (grid[0].GetProperty("r").GetInt32(), grid[0].GetProperty("fm").GetInt32(), grid[0].GetProperty("segment").GetString()));
        Assert.Equal((1, 5, "cant_lose"), (grid[24].GetProperty("r").GetInt32(), grid[24].GetProperty("fm").GetInt32(), grid[24].GetProperty("segment").GetString()));
        Assert.Equal(1, grid.Sum(c => c.GetProperty("customers").GetInt32()));
        var lost = grid.Single(c => c.GetProperty("customers").GetInt32() == 1); // the only buyer scores 1s
        Assert.Equal((1, 1, "lost"), (lost.GetProperty("r").GetInt32(), lost.GetProperty("fm").GetInt32(), lost.GetProperty("segment").GetString()));
        Assert.False(rfm.TryGetProperty("customers", out _));

        var cell = await Json.ReadAsync(await host.Client.GetAsync("/v1/rfm?as_of=2026-06-30&customers=10&r=1&fm=1"));
        Assert.Equal(1, cell.GetProperty("customers_matching").GetInt32());
        Assert.Equal("u1", cell.GetProperty("customers")[0].GetProperty("customer_id").GetString());
        var segment = await Json.ReadAsync(await host.Client.GetAsync("/v1/rfm?as_of=2026-06-30&customers=10&segment=lost"));
        Assert.Equal(["u1"], segment.GetProperty("customers").EnumerateArray().Select(c => c.GetProperty("customer_id").GetString()));
        var none = await Json.ReadAsync(await host.Client.GetAsync("/v1/rfm?as_of=2026-06-30&customers=10&segment=champions"));
        Assert.Equal(0, none.GetProperty("customers_matching").GetInt32());
        Assert.Empty(none.GetProperty("customers").EnumerateArray());

        foreach (var (query, path) in new[] { ("segment=vip", "$.segment"), ("r=1", "$.fm"), ("fm=2", "$.r"), ("r=6&fm=1", "$.r"), ("r=1&fm=0", "$.fm") })
        {
            var refused = await host.Client.GetAsync("/v1/rfm?customers=10&" + query);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(path, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Metrics_AndCohorts_TakeASegment(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        var row = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-06-01&to=2026-06-30&segment=all"))).GetProperty("rows")[0];
        Assert.Equal(1, row.GetProperty("buyers").GetInt32());
        var missing = await host.Client.GetAsync("/v1/metrics?from=2026-06-01&to=2026-06-30&segment=vip");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("$.segment", await missing.Content.ReadAsStringAsync());
        var cohorts = await host.PostJsonAsync("/v1/cohorts", """{"from":"2026-06-01","to":"2026-06-30","segment":"champions"}""");
        Assert.Equal(HttpStatusCode.OK, cohorts.StatusCode);
        Assert.Empty((await Json.ReadAsync(cohorts)).GetProperty("cohorts").EnumerateArray()); // the only buyer scores 1 everywhere (no one below them), so Lost, not a champion
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Profile_CarriesRfmLifecycleAndSegments(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine, new ServerOptions { LifecycleRefreshInterval = TimeSpan.Zero });
        await SeedAsync(host);
        var created = await host.PostJsonAsync("/v1/segments", """{"name":"zhejiang","rule":"province = \"浙江\""}""");
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var profile = await Json.ReadAsync(await host.Client.GetAsync("/v1/customers/u1/profile"));
        Assert.Equal("female", profile.GetProperty("attributes").GetProperty("gender").GetString());
        Assert.Equal(1, profile.GetProperty("orders").GetProperty("count").GetInt32());
        Assert.Equal("99.00", profile.GetProperty("orders").GetProperty("gmv").GetRawText());
        Assert.Equal("lost", profile.GetProperty("rfm").GetProperty("segment").GetProperty("code").GetString()); // the only buyer scores 1s
        // Measured from the end of the data (the order's day, 2026-06-29), not the test clock's 2026-11-01 (where u1 would be lapsed).
        Assert.Equal("2026-06-29", profile.GetProperty("as_of").GetString());
        Assert.Equal("new", profile.GetProperty("lifecycle").GetProperty("stage").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, profile.GetProperty("clv").ValueKind); // no fit yet
        Assert.Equal(["zhejiang"], profile.GetProperty("segments").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/customers/nobody/profile")).StatusCode);
    }

    [Theory]
    [InlineData("/v1/rfm?as_of=2026-02-30", "$.as_of")]
    [InlineData("/v1/metrics?from=2095-01-01&to=2095-01-02", "$.from")]
    [InlineData("/v1/metrics?to=1999-12-31", "$.to")]
    [InlineData("/v1/rfm?window=0", "$.window")]
    [InlineData("/v1/rfm?thresholds=r%3D1", "$.thresholds")]
    [InlineData("/v1/rfm?as_of=2026-06-30&compare=2026-01-01", "$.compare")]
    public async Task Rfm_BadQuery_Is400NamingTheParameter(string url, string path)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(path, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Persona_UnknownSegment_Is404()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        await SeedAsync(host);
        var response = await host.Client.GetAsync("/v1/personas/vip");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(Json.IsProblem(response));
    }
}
