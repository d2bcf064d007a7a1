using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Flywheel.Tests;
using Microsoft.AspNetCore.TestHost;

namespace Flywheel.Server.Tests.Access;

/// <summary>
/// Issue 13: the console signs in with a key and keeps an HttpOnly, SameSite=Strict session cookie; every state-changing request of
/// a session needs its antiforgery token, so a plain HTML form on another site (which the browser would send with the cookie) can
/// change nothing, body-less POSTs included. TestServer keeps no cookie jar, so the tests send the Cookie header as a browser would.
/// </summary>
public sealed class SessionTests
{
    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(string Cookie, string Csrf, JsonElement Body, HttpResponseMessage Response)> SignInAsync(HttpClient client, string key)
    {
        var response = await client.PostAsync("/v1/session", JsonBody(JsonSerializer.Serialize(new { key })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var cookie = setCookie.Split(';')[0];
        Assert.StartsWith(ConsoleSessions.CookieName + "=fws_", cookie, StringComparison.Ordinal);
        return (cookie, body.GetProperty("csrf_token").GetString()!, body, response);
    }

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie, HttpContent? content = null, string? csrf = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null) request.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        return request;
    }

    private static async Task<int> GoalCountAsync(ServerHost host) =>
        (await Json.ReadAsync(await host.Client.GetAsync("/v1/goals"))).GetProperty("goals").GetArrayLength();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ASession_ActsAsItsKey_AndItsWritesNeedTheAntiforgeryToken(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        // A paid order, so that a lifecycle refresh would record a transition.
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", """
            {"order_id":"o1","customer_id":"u1","placed_at":"2026-10-05T10:00:00+08:00","paid_at":"2026-10-05T10:00:00+08:00","status":"paid",
             "channel":"douyin","lines":[{"sku":"k1","quantity":1,"unit_price":"100.00"}]}
            """)).StatusCode);
        var made = (await new ApiKeys(host.Store).CreateAsync(Roles.Marketer, "运营-小王", CancellationToken.None)).Value;
        using var browser = host.App.GetTestClient(); // no key header: only the cookie
        var (cookie, csrf, body, response) = await SignInAsync(browser, made.Secret);

        var setCookie = response.Headers.GetValues("Set-Cookie").Single().ToLowerInvariant();
        Assert.Contains("httponly", setCookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/", setCookie, StringComparison.Ordinal);
        Assert.Equal("marketer", body.GetProperty("role").GetString());
        Assert.Equal(made.Key.Id, body.GetProperty("key_id").GetString());
        Assert.Equal(64, csrf.Length);
        // The store keeps a hash of the session token, never the token (nor the key).
        var snapshot = await TestStores.SnapshotAsync(host.Store);
        Assert.DoesNotContain(cookie.Split('=')[1], snapshot, StringComparison.Ordinal);

        // Reads need only the cookie; who-am-I gives the page its antiforgery token again (after a reload).
        using (var read = await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/goals", cookie))) Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var me = await Json.ReadAsync(await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/session", cookie)));
        Assert.True(me.GetProperty("session").GetBoolean());
        Assert.Equal(csrf, me.GetProperty("csrf_token").GetString());
        Assert.Contains("marketing:write", me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));

        // A write without the token, with a wrong one, or posted as a plain form is refused, and changes nothing.
        var before = await GoalCountAsync(host);
        const string goal = """{"name":"Oct orders","metric":"orders","target":"100","baseline":"2026-09-01..2026-09-30","start":"2026-10-01","deadline":"2026-10-31"}""";
        foreach (var token in new string?[] { null, "", new string('0', 64), csrf[..63], new string('f', 64) })
        {
            using var refused = await browser.SendAsync(WithCookie(HttpMethod.Post, "/v1/goals", cookie, JsonBody(goal), token));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("csrf", (await Json.ReadAsync(refused)).GetProperty("type").GetString(), StringComparison.Ordinal);
        }
        using (var form = await browser.SendAsync(WithCookie(HttpMethod.Post, "/v1/lifecycle/refresh", cookie,
                   new FormUrlEncodedContent([new("submit", "go")]))))
            Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        using (var deleted = await browser.SendAsync(WithCookie(HttpMethod.Delete, "/v1/segments/anything", cookie)))
            Assert.Equal(HttpStatusCode.Forbidden, deleted.StatusCode);
        Assert.Equal(before, await GoalCountAsync(host));
        Assert.Equal(0, (await Json.ReadAsync(await host.Client.GetAsync("/v1/lifecycle/transitions"))).GetProperty("transitions").GetArrayLength());
        var refusals = (await new AuditLog(host.Store).ListAsync(50, CancellationToken.None)).Where(e => e.Status == 403).ToList();
        Assert.Contains(refusals, e => e.Route == "/v1/lifecycle/refresh" && e.KeyId == made.Key.Id);

        // With the token the session writes as its key, and the audit log names the key.
        using (var created = await browser.SendAsync(WithCookie(HttpMethod.Post, "/v1/goals", cookie, JsonBody(goal), csrf)))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(before + 1, await GoalCountAsync(host));
        using (var refreshed = await browser.SendAsync(WithCookie(HttpMethod.Post, "/v1/lifecycle/refresh", cookie, csrf: csrf)))
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(1, (await Json.ReadAsync(await host.Client.GetAsync("/v1/lifecycle/transitions"))).GetProperty("transitions").GetArrayLength());
        Assert.Contains(await new AuditLog(host.Store).ListAsync(50, CancellationToken.None),
            e => e.Method == "POST" && e.Route == "/v1/goals" && e.Status == 201 && e.KeyName == "运营-小王");
        // A key header wins over the cookie: a session does not lend its role to another key's requests.
        using var viewer = await host.ClientForAsync(Roles.Viewer);
        using (var asViewer = await viewer.SendAsync(WithCookie(HttpMethod.Post, "/v1/goals", cookie, JsonBody(goal), csrf)))
            Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ASession_Ends_WhenSignedOut_WhenItsKeyIsRevoked_AndAfterItsHours(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var keys = new ApiKeys(host.Store);
        var made = (await keys.CreateAsync(Roles.Analyst, "分析-小李", CancellationToken.None)).Value;
        using var browser = host.App.GetTestClient();

        var first = await SignInAsync(browser, made.Secret);
        using (var signOut = await browser.SendAsync(WithCookie(HttpMethod.Delete, "/v1/session", first.Cookie, csrf: first.Csrf)))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
            Assert.Contains("expires=thu, 01 jan 1970", signOut.Headers.GetValues("Set-Cookie").Single().ToLowerInvariant(), StringComparison.Ordinal);
        }
        using (var after = await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/goals", first.Cookie))) Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);

        var second = await SignInAsync(browser, made.Secret);
        host.Clock.Advance(TimeSpan.FromHours(11));
        using (var still = await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/goals", second.Cookie))) Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        host.Clock.Advance(TimeSpan.FromHours(1));
        using (var expired = await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/goals", second.Cookie))) Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);

        var third = await SignInAsync(browser, made.Secret);
        await keys.RevokeAsync(made.Key.Id, CancellationToken.None);
        using (var revoked = await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/goals", third.Cookie))) Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        using (var again = await browser.PostAsync("/v1/session", JsonBody(JsonSerializer.Serialize(new { key = made.Secret }))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
            Assert.False(again.Headers.Contains("Set-Cookie"));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SigningIn_RefusesBadInput_WithoutACookie(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        using var browser = host.App.GetTestClient();
        var cases = new (HttpContent Content, HttpStatusCode Status)[]
        {
            (JsonBody("""{"key":"fw_0123456789abcdef_nottherightsecret"}"""), HttpStatusCode.Unauthorized),
            (JsonBody("""{"key":"not a key"}"""), HttpStatusCode.Unauthorized),
            (JsonBody("""{"key":123}"""), HttpStatusCode.BadRequest),
            (JsonBody("""{}"""), HttpStatusCode.BadRequest),
            (JsonBody("""{"key":"a","key":"b"}"""), HttpStatusCode.BadRequest),
            (JsonBody("[1,"), HttpStatusCode.BadRequest),
            (new FormUrlEncodedContent([new("key", "fw_0123456789abcdef_x")]), HttpStatusCode.UnsupportedMediaType),
        };
        var before = await TestStores.SnapshotAsync(host.Store);
        foreach (var (content, status) in cases)
        {
            using var response = await browser.PostAsync("/v1/session", content);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
        // A cookie that is not a session is a 401 naming the session, not a server error.
        using var forged = await browser.SendAsync(WithCookie(HttpMethod.Get, "/v1/goals", ConsoleSessions.CookieName + "=fws_forgedforgedforgedforged"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("session", (await Json.ReadAsync(forged)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
