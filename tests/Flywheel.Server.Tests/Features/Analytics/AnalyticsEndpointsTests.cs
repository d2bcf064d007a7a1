using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Analytics;

public sealed class AnalyticsEndpointsTests
{
    private static string Event(string id, string type, string customer, string time, string channel = "douyin") =>
        $$"""{"event_id":"{{id}}","type":"{{type}}","customer_id":"{{customer}}","time":"{{time}}","channel":"{{channel}}"}""";

    private static string Order(string id, string customer, string paidAt, string price, string channel = "douyin") => $$"""
        {"order_id":"{{id}}","customer_id":"{{customer}}","placed_at":"{{paidAt}}","paid_at":"{{paidAt}}","status":"paid","channel":"{{channel}}",
         "lines":[{"sku":"k1","quantity":1,"unit_price":"{{price}}"}]}
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Metrics_AfterIngest_SeeTheNewData(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var empty = await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-31"));
        Assert.Equal(0, empty.GetProperty("rows")[0].GetProperty("orders").GetInt64());

        // Ingest after the first query: the index held by the server must be rebuilt for the next one.
        Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync("/v1/events", $$"""{"events":[{{Event("e1", "page_view", "u1", "2026-05-01T09:00:00+08:00")}},{{Event("e2", "page_view", "u2", "2026-05-02T09:00:00+08:00")}}]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o1", "u1", "2026-05-01T10:00:00+08:00", "100.00"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o2", "u1", "2026-05-20T10:00:00+08:00", "50.50"))).StatusCode);

        var row = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-31"))).GetProperty("rows")[0];
        Assert.Equal("total", row.GetProperty("key").GetString());
        Assert.Equal(150.50m, row.GetProperty("gmv").GetDecimal());
        Assert.Equal(2, row.GetProperty("orders").GetInt64());
        Assert.Equal(1, row.GetProperty("buyers").GetInt64());
        Assert.Equal(2, row.GetProperty("uv").GetInt64());
        Assert.Equal(0.5, row.GetProperty("cvr").GetDouble());
        Assert.Equal(1.0, row.GetProperty("repurchase_rate").GetDouble());
        Assert.Equal(JsonValueKindNull, row.GetProperty("roi").ValueKind);

        var byDay = await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-03&by=day"));
        Assert.Equal(3, byDay.GetProperty("rows").GetArrayLength());
        Assert.Equal("2026-05-01", byDay.GetProperty("from").GetString());
        Assert.Equal("2026-05-03", byDay.GetProperty("to").GetString());

        // Weeks the range or the data (05-01 .. 05-20) cuts are partial; a week wholly inside both is not.
        var byWeek = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-31&by=week"))).GetProperty("rows");
        Assert.Equal(["2026-04-27", "2026-05-04", "2026-05-11", "2026-05-18", "2026-05-25"], byWeek.EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToArray());
        Assert.Equal([true, false, false, true, true], byWeek.EnumerateArray().Select(r => r.GetProperty("partial").GetBoolean()).ToArray());
        Assert.Equal([3, 7, 7, 3, 0], byWeek.EnumerateArray().Select(r => r.GetProperty("days_covered").GetInt32()).ToArray());
        Assert.All(byWeek.EnumerateArray(), r => Assert.Equal(7, r.GetProperty("days_in_period").GetInt32()));

        // Without a range: the 30 days ending on the last day with data (2026-05-20), and the answer says so.
        var defaulted = await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics"));
        Assert.Equal("2026-04-21", defaulted.GetProperty("from").GetString());
        Assert.Equal("2026-05-20", defaulted.GetProperty("to").GetString());
        Assert.Equal("Asia/Shanghai", defaulted.GetProperty("time_zone").GetString());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task EventCatalog_ListsTheIndexsTypesWithCounts_AndTheFilterValues(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var empty = await Json.ReadAsync(await host.Client.GetAsync("/v1/events/catalog"));
        Assert.Equal(0, empty.GetProperty("types").GetArrayLength());
        Assert.Equal(0, empty.GetProperty("fields").GetProperty("channel").GetProperty("count").GetInt32());

        await host.PostJsonAsync("/v1/events", $$"""
            {"events":[{{Event("v1", "product_view", "u1", "2026-05-01T09:00:00+08:00", "tmall")}},{{Event("v2", "product_view", "u2", "2026-05-01T09:01:00+08:00", "抖音")}},
                       {{Event("c1", "add_to_cart", "u1", "2026-05-01T09:05:00+08:00", "tmall")}}]}
            """);
        var catalog = await Json.ReadAsync(await host.Client.GetAsync("/v1/events/catalog"));
        var types = catalog.GetProperty("types").EnumerateArray().Select(t => (t.GetProperty("type").GetString(), t.GetProperty("events").GetInt64())).ToList();
        Assert.Equal([("product_view", 2L), ("add_to_cart", 1L)], types);
        var channel = catalog.GetProperty("fields").GetProperty("channel");
        Assert.Equal(2, channel.GetProperty("count").GetInt32());
        Assert.Equal(["tmall", "抖音"], channel.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).ToArray());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Funnel_OverHttp_GivesTheSameShapeAsTheCli(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", $$"""
            {"events":[{{Event("v1", "product_view", "u1", "2026-05-01T09:00:00+08:00")}},{{Event("c1", "add_to_cart", "u1", "2026-05-01T09:05:00+08:00")}},
                       {{Event("v2", "product_view", "u2", "2026-05-02T09:00:00+08:00")}},{{Event("c2", "add_to_cart", "u2", "2026-05-12T09:00:00+08:00")}}]}
            """);
        var response = await host.PostJsonAsync("/v1/funnels", """{"steps":["product_view","add_to_cart"],"window":"7d"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var steps = (await Json.ReadAsync(response)).GetProperty("steps");
        Assert.Equal("product_view", steps[0].GetProperty("step").GetString());
        Assert.Equal(2, steps[0].GetProperty("customers").GetInt64());
        Assert.Equal(1, steps[1].GetProperty("customers").GetInt64()); // u2's cart is ten days later
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Metrics_FilterGroupAndCompare(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", $$"""
            {"events":[{{Event("e1", "page_view", "u1", "2026-05-01T09:00:00+08:00")}},{{Event("e2", "page_view", "u2", "2026-05-02T09:00:00+08:00", "jd")}},
                       {{Event("e3", "page_view", "u1", "2026-04-25T09:00:00+08:00")}}]}
            """);
        await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o1", "u1", "2026-05-01T10:00:00+08:00", "100.00"));
        await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o2", "u1", "2026-04-25T10:00:00+08:00", "50.00"));
        await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o3", "u2", "2026-05-02T10:00:00+08:00", "30.00", "jd"));

        var plain = await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&channel=douyin"));
        var row = plain.GetProperty("rows")[0];
        Assert.Equal(100.00m, row.GetProperty("gmv").GetDecimal());
        Assert.Equal(1, row.GetProperty("uv").GetInt64());
        Assert.False(row.TryGetProperty("previous", out _)); // comparisons are added only when asked for
        Assert.False(plain.TryGetProperty("compare", out _));

        var response = await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&channel=douyin&compare=previous");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var compared = await Json.ReadAsync(response);
        row = compared.GetProperty("rows")[0];
        Assert.Equal(100.00m, row.GetProperty("gmv").GetDecimal());
        Assert.Equal(50.00m, row.GetProperty("previous").GetProperty("gmv").GetDecimal());
        var gmv = row.GetProperty("change").GetProperty("previous").GetProperty("gmv");
        Assert.Equal("50.00", gmv.GetProperty("absolute").GetRawText());
        Assert.Equal(1.0, gmv.GetProperty("relative").GetDouble());
        Assert.Equal("2026-04-24", compared.GetProperty("compare").GetProperty("previous").GetProperty("from").GetString());

        var days = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&by=day&compare=previous,yoy"))).GetProperty("rows");
        Assert.Equal(7, days.GetArrayLength());
        Assert.Equal("2026-04-25", days[1].GetProperty("previous").GetProperty("key").GetString());
        Assert.Equal(50.00m, days[1].GetProperty("previous").GetProperty("gmv").GetDecimal());
        Assert.Equal("2025-05-02", days[1].GetProperty("yoy").GetProperty("key").GetString());

        var both = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&compare=previous&compare=yoy"))).GetProperty("rows")[0];
        Assert.True(both.TryGetProperty("previous", out _) && both.TryGetProperty("yoy", out _));

        var campaigns = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&by=campaign"))).GetProperty("rows");
        Assert.Equal("(none)", Assert.Single(campaigns.EnumerateArray()).GetProperty("key").GetString());
        var stores = (await Json.ReadAsync(await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&by=store"))).GetProperty("rows");
        Assert.Equal(JsonValueKindNull, stores[0].GetProperty("uv").ValueKind); // events have no store
        Assert.Equal(JsonValueKindNull, stores[0].GetProperty("spend").ValueKind);
        var regions = await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&by=region");
        Assert.Equal(HttpStatusCode.OK, regions.StatusCode);
        var categories = await host.Client.GetAsync("/v1/metrics?from=2026-05-01&to=2026-05-07&by=category");
        Assert.Equal(HttpStatusCode.OK, categories.StatusCode);
    }

    [Theory]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&compare=mom", "$.compare")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&compare=previous,", "$.compare")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&channel=", "$.channel")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&campaign=", "$.campaign")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&store=", "$.store")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&category=", "$.category")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&region=", "$.region")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&channel=nowhere", "$.channel")]
    [InlineData("/v1/metrics?from=2026-05-01&to=2026-05-07&region=Atlantis", "$.region")]
    [InlineData("/v1/metrics?by=4", "$.by")]
    [InlineData("/v1/metrics?by=segment", "$.by")]
    [InlineData("/v1/metrics?from=1970-01-02&to=1970-01-09&compare=yoy", "$.compare")]
    public async Task Metrics_BadFilterOrComparison_Is400NamingTheField(string url, string path)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        Assert.Contains(path, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/metrics?from=2026-05-31&to=2026-05-01", "$.to")]
    [InlineData("/v1/metrics?from=May", "$.from")]
    [InlineData("/v1/metrics?by=hour", "$.by")]
    public async Task Metrics_BadQuery_Is400NamingTheField(string url, string path)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(path, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"steps":[],"window":"7d"}""", "$.steps")]
    [InlineData("""{"steps":["product_view","teleport"],"window":"7d"}""", "teleport")]
    [InlineData("""{"steps":["product_view"],"window":"0"}""", "window")]
    [InlineData("""{"steps":["product_view"],"window":"7d","mode":"sideways"}""", "$.mode")]
    public async Task Funnel_BadRequest_Is400NamingTheField(string body, string words)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.PostJsonAsync("/v1/funnels", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(words, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Funnel_ThirtyThreeSteps_Is400()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var steps = string.Join(",", Enumerable.Repeat("\"page_view\"", 33));
        var response = await host.PostJsonAsync("/v1/funnels", $$"""{"steps":[{{steps}}],"window":"7d"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("32", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CohortsAndAttribution_OverHttp_AnswerFromTheIngestedData(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", $$"""
            {"events":[{{Event("t1", "click", "u1", "2026-05-01T09:00:00+08:00", "douyin")}},{{Event("t2", "click", "u1", "2026-05-01T09:30:00+08:00", "xiaohongshu")}}]}
            """);
        await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o1", "u1", "2026-05-01T10:00:00+08:00", "100.00"));
        await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o2", "u1", "2026-06-02T10:00:00+08:00", "60.00"));
        await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o3", "u2", "2026-05-09T10:00:00+08:00", "10.00"));

        var cohorts = await host.PostJsonAsync("/v1/cohorts", """{"from":"2026-05-01","to":"2026-06-30","period":"month","periods":2}""");
        Assert.Equal(HttpStatusCode.OK, cohorts.StatusCode);
        var may = (await Json.ReadAsync(cohorts)).GetProperty("cohorts")[0];
        Assert.Equal("2026-05", may.GetProperty("cohort").GetString());
        Assert.Equal(2, may.GetProperty("size").GetInt64());
        Assert.Equal(1, may.GetProperty("periods")[1].GetProperty("active").GetInt64()); // u1 came back in June

        var douyin = await host.PostJsonAsync("/v1/cohorts", """{"from":"2026-05-01","to":"2026-06-30","period":"month","periods":2,"channel":"douyin"}""");
        Assert.Equal(HttpStatusCode.OK, douyin.StatusCode);
        Assert.Equal(2, (await Json.ReadAsync(douyin)).GetProperty("cohorts")[0].GetProperty("size").GetInt64()); // every order here is douyin
        var unknownStore = await host.PostJsonAsync("/v1/cohorts", """{"from":"2026-05-01","to":"2026-06-30","store":"flagship"}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknownStore.StatusCode); // no order names a store

        var attribution = await host.PostJsonAsync("/v1/attribution", """{"from":"2026-05-01","to":"2026-05-31","lookback_days":30}""");
        Assert.Equal(HttpStatusCode.OK, attribution.StatusCode);
        var models = (await Json.ReadAsync(attribution)).GetProperty("models");
        var lastClick = models.EnumerateArray().Single(m => m.GetProperty("model").GetString() == "last_click").GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("gmv").GetDecimal());
        Assert.Equal(100.00m, lastClick["xiaohongshu"]); // o1's last touch
        Assert.Equal(10.00m, lastClick["(direct)"]); // o3 had no touch
        Assert.Equal(6, models.GetArrayLength());
    }

    [Theory]
    [InlineData("/v1/cohorts", """{"to":"2026-05-31"}""", "$.from")]
    [InlineData("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","period":"year"}""", "$.period")]
    [InlineData("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","periods":99}""", "$.periods")]
    [InlineData("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","channel":""}""", "$.channel")]
    [InlineData("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","region":""}""", "$.region")]
    [InlineData("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","campaign":"nowhere"}""", "$.campaign")]
    [InlineData("/v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","entry":"signup","store":"flagship"}""", "$.store")]
    [InlineData("/v1/attribution", """{"from":"2026-05-31","to":"2026-05-01"}""", "$.to")]
    [InlineData("/v1/attribution", """{"from":"2026-05-01","to":"2026-05-31","lookback_days":0}""", "$.lookback_days")]
    [InlineData("/v1/attribution", """{"from":"2026-05-01","to":"2026-05-31","by":"weather"}""", "$.by")]
    public async Task CohortsAndAttribution_BadRequest_Is400NamingTheField(string url, string body, string path)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.PostJsonAsync(url, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(path, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
