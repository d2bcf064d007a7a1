using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Flywheel.Tests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Server.Tests.Http;

/// <summary>
/// Every endpoint that takes a body reads it the one way (RequestBody: the module's size limit, UTF-8, no lone surrogate, no duplicate
/// key), so hostile bodies are 4xx everywhere, never 500, and change nothing. The endpoints come from the server's own route table, so
/// a new endpoint is covered without being listed here.
/// </summary>
public sealed class HostileBodyTests
{
    /// <summary>POST endpoints that take no body: they are not asked to refuse one.</summary>
    private static readonly HashSet<string> Bodiless = new(StringComparer.Ordinal)
    {
        "POST /v1/lifecycle/refresh", "POST /v1/broadcasts/{id}/plan", "POST /u/{token}",
    };

    private static HttpContent JsonBytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static readonly (string Name, Func<HttpContent> Body)[] Hostile =
    [
        ("invalid UTF-8", () => JsonBytes([.. Encoding.UTF8.GetBytes("{\"id\":\"x\",\"name\":\""), 0xff, 0xfe, .. Encoding.UTF8.GetBytes("\"}")])),
        ("lone surrogate", () => new StringContent("{\"id\":\"x\",\"name\":\"\\ud800\",\"rule\":\"\\udfff\"}", Encoding.UTF8, "application/json")),
        ("duplicate keys", () => new StringContent("{\"id\":\"x\",\"name\":\"a\",\"name\":\"b\"}", Encoding.UTF8, "application/json")),
        ("overlong body", () => new StringContent("{\"id\":\"x\",\"name\":\"" + new string('名', 40_000) + "\"}", Encoding.UTF8, "application/json")),
    ];

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task EveryEndpointWithABody_RefusesHostileBodies_With4xx_AndChangesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine, new ServerOptions { MaxRequestBytes = 64 * 1024 });
        var endpoints = ((IEndpointRouteBuilder)host.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Route: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(e => e.Method is "POST" or "PUT" or "PATCH" && !Bodiless.Contains($"{e.Method} {e.Route}"))
            .Distinct().ToList();
        Assert.True(endpoints.Count >= 25, $"only {endpoints.Count} endpoints take a body; the route table was not read");
        var before = await TestStores.SnapshotAsync(host.Store);

        var failures = new List<string>();
        foreach (var (method, route) in endpoints)
        {
            var url = System.Text.RegularExpressions.Regex.Replace(route, "\\{[^}]+\\}", "x1");
            foreach (var (name, body) in Hostile)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body() };
                var response = await host.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                if (status is < 400 or >= 500 || !Json.IsProblem(response))
                    failures.Add($"{method} {route} with {name}: {status} {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    public static TheoryData<string, string, string, string, string> HostileFields()
    {
        var data = new TheoryData<string, string, string, string, string>();
        var longName = new string('目', 300);
        foreach (var engine in new[] { TestStores.Sqlite, TestStores.Postgres })
        {
            data.Add(engine, "POST", "/v1/promotions", """{"id":"p1","name":"空机制","stage":"store","mechanic":{}}""", "mechanic");
            data.Add(engine, "POST", "/v1/promotions", """{"id":"p1","name":"空机制","stage":"store","mechanic":{"type":""}}""", "mechanic");
            data.Add(engine, "POST", "/v1/promotions", """{"id":"p1","name":"空机制","stage":"store","mechanic":null}""", "mechanic");
            data.Add(engine, "POST", "/v1/promotions", """{"id":"a/b","name":"斜杠","stage":"store","mechanic":{"type":"threshold","threshold":100,"amount_off":10}}""", "id");
            data.Add(engine, "POST", "/v1/promotions", """{"id":"a\u0000b","name":"零","stage":"store","mechanic":{"type":"threshold","threshold":100,"amount_off":10}}""", "id");
            data.Add(engine, "POST", "/v1/promotions", $$$"""{"id":"p2","name":"{{{longName}}}","stage":"store","mechanic":{"type":"threshold","threshold":100,"amount_off":10}}""", "name");
            data.Add(engine, "POST", "/v1/refunds/quote", """{"order":[{"line_id":"a","quantity":1,"paid":9223372036854775807}],"items":[{"line_id":"a","quantity":1}]}""", "order[0].paid");
            data.Add(engine, "POST", "/v1/refunds/quote", """{"order":[{"line_id":"a","quantity":2,"paid":4611686018427387904},{"line_id":"b","quantity":2,"paid":4611686018427387904}],"items":[{"line_id":"a","quantity":2},{"line_id":"b","quantity":2}]}""", "order[0].paid");
            data.Add(engine, "POST", "/v1/segments", """{"name":"forever","rule":"orders(99999999y) >= 1"}""", "rule");
            data.Add(engine, "POST", "/v1/segments/check", """{"rule":"gmv(2147483647m) >= 1"}""", "rule");
            data.Add(engine, "POST", "/v1/segments", $$"""{"name":"t1","title":"{{longName}}","rule":"orders() >= 1"}""", "title");
            data.Add(engine, "POST", "/v1/segments", """{"name":"t1","title":"a\u0007b","rule":"orders() >= 1"}""", "title");
            data.Add(engine, "POST", "/v1/goals", $$"""{"name":"{{longName}}","metric":"gmv","target":"+20%","baseline":"2026-04-01..2026-06-30","start":"2026-07-01","deadline":"2026-09-30"}""", "name");
            data.Add(engine, "POST", "/v1/goals", """{"name":"a\u0000b","metric":"gmv","target":"+20%","baseline":"2026-04-01..2026-06-30","start":"2026-07-01","deadline":"2026-09-30"}""", "name");
            data.Add(engine, "POST", "/v1/goals", """{"name":123,"metric":"gmv","target":"+20%","baseline":"2026-04-01..2026-06-30","start":"2026-07-01","deadline":"2026-09-30"}""", "name");
            data.Add(engine, "POST", "/v1/funnels", """{"steps":["product_view","order_paid"],"window":"99999999d"}""", "window");
            data.Add(engine, "POST", "/v1/funnels", """{"steps":"product_view"}""", "steps");
            data.Add(engine, "POST", "/v1/funnels", """{"steps":["product_view","order_paid"],"save_audience":{"name":"a1","dropped_after":1,"title":"a\u0001"}}""", "title");
            data.Add(engine, "POST", "/v1/cohorts", """{"from":"2026-01-01","to":"2026-06-30","periods":2147483647}""", "periods");
            data.Add(engine, "POST", "/v1/attribution", """{"from":"2026-01-01","to":"2026-06-30","lookback_days":2147483647,"half_life_days":1e308}""", "lookback");
            data.Add(engine, "POST", "/v1/broadcasts", """{"id":"../etc","name":"x","segment":"all","channel":"sms","template":{"text":"hi"},"send_at":"2026-11-11T10:00:00+08:00"}""", "id");
            data.Add(engine, "POST", "/v1/broadcasts", """{"id":"d\u0000","name":"x","segment":"all","channel":"sms","template":{"text":"hi"},"send_at":"2026-11-11T10:00:00+08:00"}""", "id");
            data.Add(engine, "POST", "/v1/broadcasts", $$"""{"id":"d1","name":"{{longName}}","segment":"all","channel":"sms","template":{"text":"hi"},"send_at":"2026-11-11T10:00:00+08:00"}""", "name");
            data.Add(engine, "POST", "/v1/journeys", $$"""{"id":"j1","name":"{{longName}}","trigger":{"type":"event","event":"page_view"},"reentry":{"mode":"always"},"start":"x","steps":[{"id":"x","type":"exit"}]}""", "name");
            data.Add(engine, "POST", "/v1/journeys", """{"id":"j/1","name":"j","trigger":{"type":"event","event":"page_view"},"reentry":{"mode":"always"},"start":"x","steps":[{"id":"x","type":"exit"}]}""", "id");
            data.Add(engine, "POST", "/v1/coupons/batches", """{"id":"d11/../x","name":"券","kind":"platform","amount_off":500,"total_quantity":10}""", "id");
            data.Add(engine, "POST", "/v1/coupons/batches", """{"name":"券\u0000","kind":"platform","amount_off":500,"total_quantity":10}""", "name");
            data.Add(engine, "POST", "/v1/coupons/batches", """{"name":"券","kind":"platform","amount_off":-500,"total_quantity":10}""", "amount_off");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileFields))]
    public async Task HostileField_Is4xxNamingIt_AndChangesNothing(string engine, string method, string url, string body, string field)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var before = await TestStores.SnapshotAsync(host.Store);

        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var response = await host.Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{url}: {response.StatusCode} {Shorten(text)}");
        Assert.True(Json.IsProblem(response), text);
        var errors = (await Json.ReadAsync(response)).GetProperty("errors");
        Assert.True(errors[0].GetProperty("path").GetString()!.Contains(field, StringComparison.Ordinal), $"{url}: the error does not name {field}: {Shorten(text)}");
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
