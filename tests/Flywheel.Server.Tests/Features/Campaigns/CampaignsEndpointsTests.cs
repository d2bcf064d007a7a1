using System.Net;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Server.Tests.Features.Campaigns;

public sealed class CampaignsEndpointsTests
{
    private static async Task AddCustomerAsync(ServerHost host, string id)
    {
        var response = await host.PutJsonAsync("/v1/customers/" + id, $$"""
            {"name":"王芳","email":"{{id}}@example.com",
             "consents":[{"channel":"email","purpose":"marketing","status":"granted","at":"2026-10-01T09:00:00+08:00","source":"tmall"}]}
            """);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Journeys_CreateFromTemplate_List_Stats_AndBadOnesAreProblemsWithPaths(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var templates = await Json.ReadAsync(await host.Client.GetAsync("/v1/journeys/templates"));
        Assert.Equal(8, templates.GetArrayLength());

        var created = await host.PostJsonAsync("/v1/journeys?activate=true", """{"template":"abandoned_cart"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/journeys?status=active"));
        Assert.Equal("abandoned_cart", list[0].GetProperty("journey_id").GetString());

        var cycle = await host.PostJsonAsync("/v1/journeys", """
            {"id":"loop","name":"循环","trigger":{"type":"event","event":"page_view"},"reentry":{"mode":"always"},"start":"a","steps":[
             {"id":"a","type":"wait","duration":"1h","next":"b"},{"id":"b","type":"wait","duration":"1h","next":"a"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, cycle.StatusCode);
        var problem = await Json.ReadAsync(cycle);
        Assert.Contains("a -> b -> a", problem.GetRawText(), StringComparison.Ordinal);

        var negative = await host.PostJsonAsync("/v1/journeys", """
            {"id":"neg","name":"负等待","trigger":{"type":"event","event":"page_view"},"reentry":{"mode":"always"},"start":"a","steps":[
             {"id":"a","type":"wait","duration":"-1h","next":"b"},{"id":"b","type":"exit"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("$.steps[0].duration", (await negative.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var unknownEvent = await host.PostJsonAsync("/v1/journeys", """
            {"id":"unk","name":"未知事件","trigger":{"type":"event","event":"teleported"},"reentry":{"mode":"always"},"start":"b","steps":[{"id":"b","type":"exit"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, unknownEvent.StatusCode);
        Assert.Single(await host.Store.OpenConnectionAsync(default) is var c && c is not null ? await ListAsync(host) : []);

        var stats = await Json.ReadAsync(await host.Client.GetAsync("/v1/journeys/abandoned_cart/stats?window=7d"));
        Assert.Equal("journey", stats.GetProperty("source_kind").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/journeys/abandoned_cart/stats?window=-1h")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/journeys/nope/stats")).StatusCode);

        var paused = await host.PostJsonAsync("/v1/journeys/abandoned_cart/status", """{"status":"paused"}""");
        Assert.Equal("paused", (await Json.ReadAsync(paused)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostJsonAsync("/v1/journeys/abandoned_cart/status", """{"status":"sleeping"}""")).StatusCode);
    }

    private static async Task<IReadOnlyList<StoredJourney>> ListAsync(ServerHost host) =>
        (await host.App.Services.GetRequiredService<CampaignRuntime>().Campaigns.ListJourneysAsync(null, default)).Value;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Consent_WithdrawTakesEffect_AndUnsubscribeAndClickLinksWork(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AddCustomerAsync(host, "c-1");
        var runtime = host.App.Services.GetRequiredService<CampaignRuntime>();
        var granted = await Json.ReadAsync(await host.Client.GetAsync("/v1/consent?customer_id=c-1"));
        Assert.Contains("granted", granted.GetRawText(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostJsonAsync("/v1/consent", """{"customer_id":"c-1","channel":"fax","purpose":"marketing","status":"withdrawn"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostJsonAsync("/v1/consent", """{"customer_id":"nobody","channel":"sms","purpose":"marketing","status":"withdrawn"}""")).StatusCode);
        var sms = await host.PostJsonAsync("/v1/consent", """{"customer_id":"c-1","channel":"sms","purpose":"marketing","status":"withdrawn","source":"客服"}""");
        Assert.Equal(HttpStatusCode.OK, sms.StatusCode);
        Assert.Equal("withdrawn", await TestStores.ScalarAsync(host.Store, "SELECT status FROM customer_consents WHERE customer_id = 'c-1' AND channel = 'sms' AND purpose = 'marketing'"));

        // a message with signed links, as the engine renders them
        var key = "j:welcome:s1:c-1:1";
        await runtime.Campaigns.EnqueueAsync([new NewMessage(key, "journey", "welcome", "s1", null, "c-1", "email", "marketing", "c-1@example.com", "欢迎", "hi", null,
            runtime.Links.Unsubscribe(key), host.Clock.GetUtcNow())], default);
        var click = runtime.Links.Click(key, "https://shop.example.cn/new?x=1", "welcome");
        var redirect = await host.Client.GetAsync(new Uri(click).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("https://shop.example.cn/new?x=1&utm_source=flywheel&utm_medium=journey&utm_campaign=welcome", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.NotNull((await runtime.Campaigns.GetMessageByKeyAsync(key, default))!.ClickedAt);
        Assert.Equal(1L, await TestStores.CountAsync(host.Store, "events", "type = 'click' AND customer_id = 'c-1' AND campaign = 'welcome'"));
        // a forged or altered token is refused, and redirects nowhere
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync(new Uri(click).PathAndQuery.Replace("/r/", "/r/x", StringComparison.Ordinal))).StatusCode);

        var pixel = await host.Client.GetAsync(new Uri(runtime.Links.Open(key)).PathAndQuery);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType!.MediaType);
        Assert.NotNull((await runtime.Campaigns.GetMessageByKeyAsync(key, default))!.OpenedAt);
        Assert.Contains("/o/", runtime.Links.WithOpenPixel("<html><body><p>hi</p></body></html>", key), StringComparison.Ordinal);

        var unsubscribe = await host.Client.PostAsync(new Uri(runtime.Links.Unsubscribe(key)).PathAndQuery, null);
        Assert.Equal(HttpStatusCode.OK, unsubscribe.StatusCode);
        Assert.Contains("已退订", await unsubscribe.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("withdrawn", await TestStores.ScalarAsync(host.Store, "SELECT status FROM customer_consents WHERE customer_id = 'c-1' AND channel = 'email' AND purpose = 'marketing'"));

        var messages = await Json.ReadAsync(await host.Client.GetAsync("/v1/messages?customer_id=c-1"));
        Assert.Equal(key, messages.GetProperty("messages")[0].GetProperty("idempotency_key").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/messages?limit=0")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Broadcasts_BadDefinitionIsAProblem_GoodOnePlans(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AddCustomerAsync(host, "c-1");
        await AddCustomerAsync(host, "c-2");
        var bad = await host.PostJsonAsync("/v1/broadcasts", """
            {"id":"d11","name":"双11预热","segment":"all","channel":"email","template":{"subject":"hi","text":"{{customer.shoe_size}}"},"holdout_percent":80}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "broadcasts"));
        var good = await host.PostJsonAsync("/v1/broadcasts", """
            {"id":"d11","name":"双11预热","segment":"all","channel":"email","template":{"subject":"{{customer.name}}，双11预热开始","text":"退订 {{unsubscribe_url}}"},"send_at":"2026-11-01T10:00:00+08:00"}
            """);
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var planned = await Json.ReadAsync(await host.PostJsonAsync("/v1/broadcasts/d11/plan", "{}"));
        Assert.Equal(2, planned.GetProperty("planned").GetInt64());
        Assert.Equal(2L, await TestStores.CountAsync(host.Store, "messages", "source_kind = 'broadcast' AND status = 'queued'"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostJsonAsync("/v1/broadcasts/none/plan", "{}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Broadcasts_List_ByStatus_AndABadStatusIsAProblemWithItsPath(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AddCustomerAsync(host, "c-1");
        Assert.Equal(0, (await Json.ReadAsync(await host.Client.GetAsync("/v1/broadcasts"))).GetArrayLength());
        foreach (var (id, name) in new[] { ("d11", "双11预热"), ("d12", "双12预热") })
        {
            var created = await host.PostJsonAsync("/v1/broadcasts", $$$"""
                {"id":"{{{id}}}","name":"{{{name}}}","segment":"all","channel":"email","template":{"subject":"{{customer.name}}，预热开始","text":"退订 {{unsubscribe_url}}"},"send_at":"2026-11-01T10:00:00+08:00"}
                """);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        await host.PostJsonAsync("/v1/broadcasts/d11/plan", "{}");

        var all = await Json.ReadAsync(await host.Client.GetAsync("/v1/broadcasts"));
        Assert.Equal(["d11", "d12"], all.EnumerateArray().Select(b => b.GetProperty("broadcast_id").GetString()).Order(StringComparer.Ordinal));
        var planned = await Json.ReadAsync(await host.Client.GetAsync("/v1/broadcasts?status=planned"));
        Assert.Equal("d12", Assert.Single(planned.EnumerateArray()).GetProperty("broadcast_id").GetString());
        Assert.Equal("双12预热", planned[0].GetProperty("name").GetString());
        var one = await Json.ReadAsync(await host.Client.GetAsync("/v1/broadcasts/d11"));
        var listed = all.EnumerateArray().Single(b => b.GetProperty("broadcast_id").GetString() == "d11");
        Assert.Equal(one.GetProperty("status").GetString(), listed.GetProperty("status").GetString());
        Assert.Equal(one.GetProperty("planned").GetInt64(), listed.GetProperty("planned").GetInt64());

        var bad = await host.Client.GetAsync("/v1/broadcasts?status=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("$.status", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Click_RepeatedOrOnAnotherLinkOfTheMessage_IsRecordedOnce(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AddCustomerAsync(host, "c-1");
        var runtime = host.App.Services.GetRequiredService<CampaignRuntime>();
        const string key = "b:d11:c-1";
        await runtime.Campaigns.EnqueueAsync([new NewMessage(key, "broadcast", "d11", null, null, "c-1", "email", "marketing", "c-1@example.com", "双11", "hi", null,
            runtime.Links.Unsubscribe(key), host.Clock.GetUtcNow())], default);
        var first = new Uri(runtime.Links.Click(key, "https://shop.example.cn/d11", "d11")).PathAndQuery;
        var second = new Uri(runtime.Links.Click(key, "https://shop.example.cn/coupons", "d11")).PathAndQuery;

        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { first, first, second, first })
            statuses.Add((await host.Client.GetAsync(path)).StatusCode);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Redirect, status));
        Assert.Equal(1L, await TestStores.CountAsync(host.Store, "events", "type = 'click' AND customer_id = 'c-1'"));
        var message = (await runtime.Campaigns.GetMessageByKeyAsync(key, default))!;
        Assert.Equal(1L, await TestStores.CountAsync(host.Store, "events", $"event_id = 'clk-{message.MessageId}'"));
        Assert.NotNull(message.ClickedAt);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task TrackedLinks_OtherThanHttp_AreRefusedWhenSaved_AndNeverRedirected(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AddCustomerAsync(host, "c-1");
        var runtime = host.App.Services.GetRequiredService<CampaignRuntime>();
        string[] hostile = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
            "//evil.example/phish", "ftp://files.example/x", "/relative/path", "https://", "http://shop.example/a b"];
        var before = await TestStores.SnapshotAsync(host.Store);

        foreach (var url in hostile)
        {
            var journey = await host.PostJsonAsync("/v1/journeys", $$$"""
                {"id":"j1","name":"链接","trigger":{"type":"event","event":"add_to_cart"},"reentry":{"mode":"once_ever"},"start":"s",
                 "steps":[{"id":"s","type":"send","channel":"email","purpose":"marketing","template":{"subject":"hi","text":"看看 {{track \"{{{url}}}\"}}"},"next":"x"},
                          {"id":"x","type":"exit"}]}
                """);
            Assert.True(journey.StatusCode == HttpStatusCode.BadRequest, $"{url}: {journey.StatusCode} {await journey.Content.ReadAsStringAsync()}");
            Assert.Contains("$.steps[0].template.text", await journey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains("tracked link", await journey.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var broadcast = await host.PostJsonAsync("/v1/broadcasts", $$$"""
                {"id":"d11","name":"双11","segment":"all","channel":"email","template":{"subject":"hi","text":"{{track '{{{url}}}'}} 退订 {{unsubscribe_url}}"},"send_at":"2026-11-01T10:00:00+08:00"}
                """);
            Assert.True(broadcast.StatusCode == HttpStatusCode.BadRequest, $"{url}: {broadcast.StatusCode} {await broadcast.Content.ReadAsStringAsync()}");
            var refused = (await Json.ReadAsync(broadcast)).GetProperty("errors")[0];
            Assert.Equal("$.template.text", refused.GetProperty("path").GetString());
            Assert.Contains("tracked link", refused.GetProperty("message").GetString(), StringComparison.Ordinal);

            // Never signed now; a link signed before (or by hand) is not followed either.
            Assert.Throws<ArgumentException>(() => runtime.Links.Click("b:d11:c-1", url, null));
            var click = await host.Client.GetAsync("/r/" + runtime.Links.Sign("click", "b:d11:c-1", url, null));
            Assert.Equal(HttpStatusCode.NotFound, click.StatusCode);
            Assert.Null(click.Headers.Location);
        }
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "journeys"));
        Assert.Equal(0L, await TestStores.CountAsync(host.Store, "broadcasts"));
    }
}
