using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Audiences;

public sealed class AudiencesEndpointsTests
{
    private static string Event(string id, string type, string visitor, string time)
    {
        var who = visitor.StartsWith('~') ? $"\"anonymous_id\":\"{visitor[1..]}\"" : $"\"customer_id\":\"{visitor}\"";
        return $$"""{"event_id":"{{id}}","type":"{{type}}",{{who}},"time":"{{time}}","channel":"douyin"}""";
    }

    /// <summary>
    /// View → cart → pay, 7-day window: u1 carts and never pays, u2 pays, u3 pays ten days later (outside the window),
    /// the anonymous a1 carts and never pays, u4 only views. Dropped after 2: u1 and u3, plus one anonymous visitor.
    /// </summary>
    private static async Task SeedAsync(ServerHost host)
    {
        var events = new[]
        {
            Event("e1", "product_view", "u1", "2026-05-01T09:00:00+08:00"), Event("e2", "add_to_cart", "u1", "2026-05-01T09:05:00+08:00"),
            Event("e3", "product_view", "u2", "2026-05-02T09:00:00+08:00"), Event("e4", "add_to_cart", "u2", "2026-05-02T09:01:00+08:00"),
            Event("e5", "order_paid", "u2", "2026-05-02T09:30:00+08:00"),
            Event("e6", "product_view", "u3", "2026-05-03T09:00:00+08:00"), Event("e7", "add_to_cart", "u3", "2026-05-03T09:01:00+08:00"),
            Event("e8", "order_paid", "u3", "2026-05-13T09:00:00+08:00"),
            Event("e9", "product_view", "~a1", "2026-05-04T09:00:00+08:00"), Event("e10", "add_to_cart", "~a1", "2026-05-04T09:02:00+08:00"),
            Event("e11", "product_view", "u4", "2026-05-05T09:00:00+08:00"),
        };
        Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync("/v1/events", Json.Batch(events))).StatusCode);
    }

    private const string Funnel = """{"steps":["product_view","add_to_cart","order_paid"],"window":"7d","from":"2026-05-01","to":"2026-05-31","by":"channel","save_audience":SAVE}""";

    private static string WithSave(string save) => Funnel.Replace("SAVE", save, StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SaveFromAFunnel_ThenListGetPageExportDelete(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);

        var plain = await Json.ReadAsync(await host.PostJsonAsync("/v1/funnels", WithSave("null")));
        Assert.False(plain.TryGetProperty("audience", out _));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "audiences"));

        var response = await host.PostJsonAsync("/v1/funnels", WithSave("""{"name":"abandoned_cart","dropped_after":2,"title":"加购未付款"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var funnel = await Json.ReadAsync(response);
        Assert.Equal([5L, 4L, 1L], funnel.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("customers").GetInt64()));
        var audience = funnel.GetProperty("audience");
        Assert.Equal(("abandoned_cart", "加购未付款", 2, 2L, 1L), (audience.GetProperty("name").GetString(), audience.GetProperty("title").GetString(),
            audience.GetProperty("dropped_after").GetInt32(), audience.GetProperty("members").GetInt64(), audience.GetProperty("anonymous_dropped").GetInt64()));

        var list = (await Json.ReadAsync(await host.Client.GetAsync("/v1/audiences"))).GetProperty("audiences");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(("abandoned_cart", "funnel_dropoff", 2L, 1L), (listed.GetProperty("name").GetString(), listed.GetProperty("kind").GetString(),
            listed.GetProperty("members").GetInt64(), listed.GetProperty("anonymous").GetInt64()));
        Assert.Equal("2026-11-01T04:00:00Z", listed.GetProperty("refreshed_at").GetString());

        var one = await Json.ReadAsync(await host.Client.GetAsync("/v1/audiences/abandoned_cart"));
        var definition = one.GetProperty("definition");
        Assert.Equal(2, definition.GetProperty("dropped_after").GetInt32());
        Assert.Equal(["product_view", "add_to_cart", "order_paid"], definition.GetProperty("funnel").GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(("2026-05-01", "2026-05-31", 604800), (definition.GetProperty("funnel").GetProperty("from").GetString(),
            definition.GetProperty("funnel").GetProperty("to").GetString(), definition.GetProperty("funnel").GetProperty("window_seconds").GetInt32()));

        var first = await Json.ReadAsync(await host.Client.GetAsync("/v1/audiences/abandoned_cart/members?limit=1"));
        Assert.Equal(["u1"], first.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("customer_id").GetString()));
        Assert.Equal("u1", first.GetProperty("next_after").GetString());
        var second = await Json.ReadAsync(await host.Client.GetAsync("/v1/audiences/abandoned_cart/members?limit=1&after=u1"));
        Assert.Equal(["u3"], second.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("customer_id").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("next_after").ValueKind);

        var csv = await host.Client.GetAsync("/v1/audiences/abandoned_cart/members?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("customer_id\nu1\nu3\n", await csv.Content.ReadAsStringAsync());
        Assert.Equal("customer_id\nu3\n", await host.Client.GetStringAsync("/v1/audiences/abandoned_cart/members?format=csv&after=u1"));

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/v1/audiences/abandoned_cart")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/audiences/abandoned_cart")).StatusCode);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "audience_members"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SaveAgain_ReplacesTheMembers_UnlessCreateOnly(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync("/v1/funnels", WithSave("""{"name":"lost","dropped_after":2}"""))).StatusCode);

        var conflict = await host.PostJsonAsync("/v1/funnels", WithSave("""{"name":"lost","dropped_after":1,"create_only":true}"""));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.True(Json.IsProblem(conflict));
        var problem = await conflict.Content.ReadAsStringAsync();
        Assert.Contains("$.save_audience.name", problem, StringComparison.Ordinal);
        Assert.Contains("already exists", problem, StringComparison.Ordinal);
        Assert.Equal("customer_id\nu1\nu3\n", await host.Client.GetStringAsync("/v1/audiences/lost/members?format=csv"));

        // Without create_only the same name is refreshed: now the visitors who only viewed.
        var replaced = await Json.ReadAsync(await host.PostJsonAsync("/v1/funnels", WithSave("""{"name":"lost","dropped_after":1}""")));
        Assert.Equal(1, replaced.GetProperty("audience").GetProperty("members").GetInt64());
        Assert.Equal("customer_id\nu4\n", await host.Client.GetStringAsync("/v1/audiences/lost/members?format=csv"));
    }

    [Theory]
    [InlineData("""{"name":"abandoned_cart","dropped_after":0}""", "$.save_audience.dropped_after", "0 is not a step")]
    [InlineData("""{"name":"abandoned_cart","dropped_after":3}""", "$.save_audience.dropped_after", "last step")]
    [InlineData("""{"name":"abandoned_cart","dropped_after":4}""", "$.save_audience.dropped_after", "1 to 2")]
    [InlineData("""{"name":"abandoned_cart","dropped_after":"2"}""", "$.save_audience.dropped_after", "step number")]
    [InlineData("""{"name":"abandoned_cart","dropped_after":1.5}""", "$.save_audience.dropped_after", "step number")]
    [InlineData("""{"name":"abandoned_cart"}""", "$.save_audience.dropped_after", "required")]
    [InlineData("""{"name":"Abandoned Cart","dropped_after":2}""", "$.save_audience.name", "a-z")]
    [InlineData("""{"dropped_after":2}""", "$.save_audience.name", "needs a name")]
    [InlineData("""{"name":"abandoned_cart","dropped_after":2,"title":"TITLE"}""", "$.save_audience.title", "at most 200")]
    public async Task Funnel_BadSaveAudience_Is400NamingTheFieldAndSavesNothing(string save, string path, string words)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        await SeedAsync(host);
        var response = await host.PostJsonAsync("/v1/funnels", WithSave(save.Replace("TITLE", new string('x', 201), StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains(path, problem, StringComparison.Ordinal);
        Assert.Contains(words, problem, StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "audiences"));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "audience_members"));
    }

    [Fact]
    public async Task Funnel_UnknownStepWithSaveAudience_Is400AndSavesNothing()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        await SeedAsync(host);
        var response = await host.PostJsonAsync("/v1/funnels",
            """{"steps":["product_view","teleport"],"save_audience":{"name":"abandoned_cart","dropped_after":1}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("teleport", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "audiences"));
    }

    [Theory]
    [InlineData("GET", "/v1/audiences/nobody", HttpStatusCode.NotFound, "$.name")]
    [InlineData("GET", "/v1/audiences/nobody/members", HttpStatusCode.NotFound, "no audience named 'nobody'")]
    [InlineData("DELETE", "/v1/audiences/nobody", HttpStatusCode.NotFound, "$.name")]
    [InlineData("GET", "/v1/audiences/Bad%20Name", HttpStatusCode.BadRequest, "$.name")]
    [InlineData("DELETE", "/v1/audiences/Bad%20Name", HttpStatusCode.BadRequest, "$.name")]
    [InlineData("GET", "/v1/audiences/lost/members?limit=0", HttpStatusCode.BadRequest, "$.limit")]
    [InlineData("GET", "/v1/audiences/lost/members?limit=10001", HttpStatusCode.BadRequest, "$.limit")]
    [InlineData("GET", "/v1/audiences/lost/members?limit=ten", HttpStatusCode.BadRequest, "$.limit")]
    [InlineData("GET", "/v1/audiences/lost/members?format=xml", HttpStatusCode.BadRequest, "$.format")]
    public async Task Audiences_BadOrMissing_IsAProblemNamingTheField(string method, string url, HttpStatusCode status, string words)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        await SeedAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync("/v1/funnels", WithSave("""{"name":"lost","dropped_after":2}"""))).StatusCode);
        var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        Assert.Equal(status, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        Assert.Contains(words, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "audience_members"));
    }

    [Fact]
    public async Task OpenApi_DescribesTheAudienceEndpoints()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var document = await host.Client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/audiences/{name}/members", document, StringComparison.Ordinal);
        Assert.Contains("save_audience", document, StringComparison.Ordinal);
    }
}
