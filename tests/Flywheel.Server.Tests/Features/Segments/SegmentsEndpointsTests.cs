using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Segments;

public sealed class SegmentsEndpointsTests
{
    private static string Order(string id, string customer, string paidAt, string price = "100.00", string status = "paid", int refunded = 0) => $$"""
        {"order_id":"{{id}}","customer_id":"{{customer}}","placed_at":"{{paidAt}}","paid_at":"{{paidAt}}","status":"{{status}}","channel":"douyin",
         "lines":[{"sku":"k1","quantity":1,"unit_price":"{{price}}","refunded_quantity":{{refunded}}}]}
        """;

    private static string Segment(string name, string rule, string? title = null) =>
        JsonSerializer.Serialize(new Dictionary<string, string?> { ["name"] = name, ["title"] = title, ["rule"] = rule });

    private static async Task SeedAsync(ServerHost host)
    {
        Assert.Equal(HttpStatusCode.Created, (await host.PutJsonAsync("/v1/customers/u1",
            """{"city_tier":"一线","consents":[{"channel":"sms","purpose":"marketing","status":"granted"}]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o1", "u1", "2026-10-20T10:00:00+08:00"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o2", "u2", "2026-10-21T10:00:00+08:00"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o3", "u2", "2026-10-22T10:00:00+08:00"))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Crud_Members_Export_Changes_AndIncrementalMembership(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);

        var created = await host.PostJsonAsync("/v1/segments", Segment("repeat", "orders(90d) >= 2", "复购用户"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/v1/segments/repeat", created.Headers.Location?.ToString());
        var segment = await Json.ReadAsync(created);
        Assert.Equal("复购用户", segment.GetProperty("title").GetString());
        Assert.Equal(1, segment.GetProperty("member_count").GetInt64());
        Assert.Equal(["u2"], segment.GetProperty("sample").EnumerateArray().Select(e => e.GetString()));

        // A new order moves u1 in; the read waits for the membership to catch up with the ingest.
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o4", "u1", "2026-10-30T10:00:00+08:00"))).StatusCode);
        var members = await Json.ReadAsync(await host.Client.GetAsync("/v1/segments/repeat/members?limit=1"));
        Assert.Equal(["u1"], members.GetProperty("members").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("u1", members.GetProperty("next_after").GetString());
        Assert.Equal(2, members.GetProperty("member_count").GetInt64());
        members = await Json.ReadAsync(await host.Client.GetAsync("/v1/segments/repeat/members?limit=1&after=u1"));
        Assert.Equal(["u2"], members.GetProperty("members").EnumerateArray().Select(e => e.GetString()));

        var changes = await Json.ReadAsync(await host.Client.GetAsync("/v1/segments/repeat/changes"));
        var change = Assert.Single(changes.GetProperty("changes").EnumerateArray());
        Assert.Equal(("u1", "entered"), (change.GetProperty("customer_id").GetString(), change.GetProperty("change").GetString()));

        var export = await host.Client.GetAsync("/v1/segments/repeat/export");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var csv = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("customer_id,entered_at", csv[0]);
        Assert.Equal(["u1", "u2"], csv.Skip(1).Select(line => line.Split(',')[0]));
        Assert.Equal("2026-11-01T04:00:00.000Z", csv[1].Split(',')[1]);

        // Replace: u2 has no sms consent, so u2 exits.
        var replaced = await host.PutJsonAsync("/v1/segments/repeat", """{"title":"复购且可短信","rule":"orders(90d) >= 2 and consent(\"sms\") and city_tier <= 2"}""");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(1, (await Json.ReadAsync(replaced)).GetProperty("member_count").GetInt64());
        changes = await Json.ReadAsync(await host.Client.GetAsync($"/v1/segments/repeat/changes?after_id={change.GetProperty("id").GetInt64()}"));
        Assert.Equal("u2", Assert.Single(changes.GetProperty("changes").EnumerateArray()).GetProperty("customer_id").GetString());

        // A full refund moves u1 out.
        Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync("/v1/orders?create_missing=true",
            Order("o4", "u1", "2026-10-30T10:00:00+08:00", status: "refunded", refunded: 1))).StatusCode);
        Assert.Equal(0, (await Json.ReadAsync(await host.Client.GetAsync("/v1/segments/repeat"))).GetProperty("member_count").GetInt64());

        Assert.Equal(HttpStatusCode.Created, (await host.PutJsonAsync("/v1/segments/douyin-buyers", """{"rule":"first_order_channel = \"douyin\""}""")).StatusCode);
        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/segments"));
        Assert.Equal(["douyin-buyers", "repeat"], list.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(2, list.GetProperty("segments")[0].GetProperty("member_count").GetInt64());

        var check = await Json.ReadAsync(await host.PostJsonAsync("/v1/segments/check", """{"rule":"orders() >= 1 and not consent(\"sms\")","sample":1}"""));
        Assert.Equal(1, check.GetProperty("member_count").GetInt64());
        Assert.Equal(["u2"], check.GetProperty("sample").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "segments"));

        var fields = await Json.ReadAsync(await host.Client.GetAsync("/v1/segments/fields"));
        var orders = fields.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "orders");
        Assert.Equal(("number", "orders([window])"), (orders.GetProperty("type").GetString(), orders.GetProperty("signature").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/v1/segments/repeat")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync("/v1/segments/repeat")).StatusCode);
        var missing = await host.Client.GetAsync("/v1/segments/repeat/members");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(Json.IsProblem(missing));
    }

    public static TheoryData<string, string, string, int?, int?, string> BadRules => new()
    {
        // engine, body, JSON path, line, column, text in the message
        { TestStores.Sqlite, Segment("x", "orders(90d) >= and consent(\"sms\")"), "$.rule", 1, 16, "unexpected 'and', expected a value" },
        { TestStores.Postgres, Segment("x", "orders(90d) >= and consent(\"sms\")"), "$.rule", 1, 16, "unexpected 'and', expected a value" },
        { TestStores.Sqlite, Segment("x", "ordrs(90d) >= 2"), "$.rule", 1, 1, "unknown field 'ordrs': did you mean 'orders'?" },
        { TestStores.Postgres, Segment("x", "ordrs(90d) >= 2"), "$.rule", 1, 1, "unknown field 'ordrs': did you mean 'orders'?" },
        { TestStores.Sqlite, Segment("x", "orders(90d) >= 1\nand last_order_date >= \"2026-01-01\""), "$.rule", 2, 24, "cannot compare last_order_date (a date) with a string" },
        { TestStores.Postgres, Segment("x", "orders(90d) >= 1\nand last_order_date >= \"2026-01-01\""), "$.rule", 2, 24, "cannot compare last_order_date (a date) with a string" },
        { TestStores.Sqlite, Segment("x", "orders(0d) >= 1"), "$.rule", 1, 8, "a window of 0d is empty" },
        { TestStores.Postgres, Segment("x", "orders(0d) >= 1"), "$.rule", 1, 8, "a window of 0d is empty" },
        { TestStores.Sqlite, Segment("x", string.Concat(Enumerable.Repeat("orders(90d) >= 1 or ", 5200)) + "orders(90d) >= 1"), "$.rule", 1, 10_001, "at most 10,000 are accepted" },
        { TestStores.Postgres, Segment("x", string.Concat(Enumerable.Repeat("orders(90d) >= 1 or ", 5200)) + "orders(90d) >= 1"), "$.rule", 1, 10_001, "at most 10,000 are accepted" },
        { TestStores.Sqlite, Segment("x", new string('(', 1000) + "orders >= 1" + new string(')', 1000)), "$.rule", 1, 65, "more than 64 levels deep" },
        { TestStores.Postgres, Segment("x", new string('(', 1000) + "orders >= 1" + new string(')', 1000)), "$.rule", 1, 65, "more than 64 levels deep" },
        { TestStores.Sqlite, """{"name":"x"}""", "$.rule", null, null, "a rule is required" },
        { TestStores.Sqlite, """{"name":"x","rule":5}""", "$.rule", null, null, "rule is a string, got number" },
        { TestStores.Sqlite, Segment("Bad Name", "orders >= 1"), "$.name", null, null, "is not a slug" },
        { TestStores.Sqlite, Segment("fields", "orders >= 1"), "$.name", null, null, "is reserved" },
        { TestStores.Sqlite, Segment("x", "orders >= 1", new string('t', 201)), "$.title", null, null, "at most 200" },
        { TestStores.Sqlite, """["orders >= 1"]""", "$", null, null, "expected a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task Post_BadInput_Is400NamingThePath_AndStoresNothing(string engine, string body, string path, int? line, int? column, string message)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        var response = await host.PostJsonAsync("/v1/segments", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        var problem = await Json.ReadAsync(response);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(path, error.GetProperty("path").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        if (line is not null)
        {
            Assert.Equal(line, problem.GetProperty("line").GetInt32());
            Assert.Equal(column, problem.GetProperty("column").GetInt32());
            Assert.StartsWith($"line {line}, column {column}: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Contains("^", problem.GetProperty("excerpt").GetString(), StringComparison.Ordinal);
        }
        foreach (var table in new[] { "segments", "segment_members", "segment_membership_changes" })
            Assert.Equal(0, await TestStores.CountAsync(host.Store, table));

        // The same rule through check is refused the same way.
        if (path == "$.rule" && line is not null)
            Assert.Equal(HttpStatusCode.BadRequest, (await host.PostJsonAsync("/v1/segments/check", body)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CategoryThatMatchesNoProduct_Is400NamingTheRule_AndStoresNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host); // k1 has no category
        var body = Segment("beauty", "categories(90d) contains \"美妆\"");
        foreach (var response in new[]
        {
            await host.PostJsonAsync("/v1/segments", body),
            await host.PutJsonAsync("/v1/segments/beauty", body),
            await host.PostJsonAsync("/v1/segments/check", body),
        })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = Assert.Single((await Json.ReadAsync(response)).GetProperty("errors").EnumerateArray());
            Assert.Equal("$.rule", error.GetProperty("path").GetString());
            Assert.Equal("line 1, column 26: no category '美妆' among the products, at any level of their category paths", error.GetProperty("message").GetString());
        }
        foreach (var table in new[] { "segments", "segment_members", "segment_membership_changes" })
            Assert.Equal(0, await TestStores.CountAsync(host.Store, table));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Conflicts_AndBadQueries_AreProblems_AndChangeNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/segments", Segment("vip", "orders() >= 2"))).StatusCode);

        var again = await host.PostJsonAsync("/v1/segments", Segment("vip", "orders() >= 1"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("$.name", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var mismatch = await host.PutJsonAsync("/v1/segments/vip", Segment("other", "orders() >= 1"));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        var badRule = await host.PutJsonAsync("/v1/segments/vip", """{"rule":"orders() >= "}""");
        Assert.Equal(HttpStatusCode.BadRequest, badRule.StatusCode);
        var stored = await Json.ReadAsync(await host.Client.GetAsync("/v1/segments/vip"));
        Assert.Equal(("orders() >= 2", 1L), (stored.GetProperty("rule").GetString(), stored.GetProperty("member_count").GetInt64()));

        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/segments/vip/members?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostJsonAsync("/v1/segments/check", """{"rule":"orders() >= 1","sample":1000}""")).StatusCode);
        var wrongType = await host.Client.PostAsync("/v1/segments", new StringContent("name=vip", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "segments"));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "segment_membership_changes"));
    }
}
