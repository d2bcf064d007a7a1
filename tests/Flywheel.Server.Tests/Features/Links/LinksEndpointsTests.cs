using System.Net;
using System.Text;
using Flywheel.Campaigns.Runtime;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Features.PackageCards;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using Microsoft.Extensions.DependencyInjection;
using QRCoder;

namespace Flywheel.Server.Tests.Features.Links;

/// <summary>Tracking links over HTTP: the builder and its refusals, the public redirect, QR codes, and the package card end to end.</summary>
public sealed class LinksEndpointsTests
{
    private const string Hosts = """{"hosts":["tmall.com","jd.com","work.weixin.qq.com"]}""";

    private static async Task<ServerHost> StartAsync(string engine)
    {
        var host = await ServerHost.StartAsync(engine, new ServerOptions { CampaignWorkers = false, PublicBaseUrl = "https://fw.example.cn" });
        Assert.Equal(HttpStatusCode.OK, (await host.PutJsonAsync("/v1/links/hosts", Hosts)).StatusCode);
        return host;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Create_Redirect_RecordsTheClickAndItsEvent(string engine)
    {
        await using var host = await StartAsync(engine);
        var created = await host.PostJsonAsync("/v1/links", """
            {"url":"https://detail.tmall.com/item.htm?id=7","channel":"xiaohongshu","source":"kol","medium":"social","campaign":"double11","content":"post-9","creator_id":"kol-3","name":"小红书 种草"}
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var link = await Json.ReadAsync(created);
        var code = link.GetProperty("code").GetString()!;
        Assert.Matches("^[0-9A-Za-z]{8}$", code);
        Assert.Equal("https://fw.example.cn/l/" + code, link.GetProperty("short_url").GetString());
        var target = "https://detail.tmall.com/item.htm?id=7&utm_source=kol&utm_medium=social&utm_campaign=double11&utm_content=post-9&utm_channel=xiaohongshu";
        Assert.Equal(target, link.GetProperty("target").GetString());

        var anonymous = await host.ClientForAsync(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/l/" + code);
        request.Headers.Referrer = new Uri("https://www.xiaohongshu.com/explore/9");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (iPhone) MicroMessenger");
        var redirect = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal(target, redirect.Headers.Location!.ToString());
        var cookie = Assert.Single(redirect.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(LinksEndpoints.AnonymousCookie + "=a", cookie, StringComparison.Ordinal);
        var aid = cookie.Split(';')[0].Split('=')[1];
        await host.App.Services.GetRequiredService<ClickRecorder>().ForwardAsync(default); // the events follow the redirect in bulk

        Assert.Equal(1, await TestStores.CountAsync(host.Store, "grow_link_clicks",
            $"code = '{code}' AND anonymous_id = '{aid}' AND referrer = 'https://www.xiaohongshu.com/explore/9' AND user_agent LIKE 'Mozilla/5.0%' AND at = {host.Clock.GetUtcNow().ToUnixTimeMilliseconds()}"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "events",
            $"type = 'click' AND anonymous_id = '{aid}' AND channel = 'xiaohongshu' AND campaign = 'double11' AND content = 'post-9' AND kol_id = 'kol-3'"));

        // The same browser again: its cookie keeps its id, and no new cookie is set.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/l/" + code);
        again.Headers.Add("Cookie", $"{LinksEndpoints.AnonymousCookie}={aid}");
        var second = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.False(second.Headers.Contains("Set-Cookie"));
        var shown = await Json.ReadAsync(await host.Client.GetAsync("/v1/links/" + code));
        Assert.Equal(2, shown.GetProperty("clicks").GetInt64());
        Assert.Equal(1, shown.GetProperty("scanners").GetInt64());
        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/links?kind=link"));
        Assert.Equal(code, list[0].GetProperty("code").GetString());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadLinksAndUnknownCodes_AreRefused_AndStoreNothing(string engine)
    {
        await using var host = await StartAsync(engine);
        foreach (var (body, path, words) in new[]
        {
            ("""{"url":"https://evil.example.com/x"}""", "$.url", "'evil.example.com' is not on the allow-list"),
            ("""{"url":"https://eviltmall.com/x"}""", "$.url", "'eviltmall.com'"),
            ("""{"url":"javascript:alert(1)"}""", "$.url", "http"),
            ("""{"url":"data:text/html;base64,PHNjcmlwdD4="}""", "$.url", "http"),
            ("""{"url":"//tmall.com/x"}""", "$.url", "http"),
            ("""{}""", "$.url", "destination"),
            ("""{"url":"https://tmall.com/","kind":"poster"}""", "$.kind", "link or package_card"),
            ("""{"url":"https://tmall.com/","code":"a/b"}""", "$.code", "letters"),
            ("""{"url":"https://tmall.com/","code":"funnel"}""", "$.code", "reserved"),
            ("""{"url":"https://tmall.com/","campaign":"%%%"}""".Replace("%%%", new string('x', 201), StringComparison.Ordinal), "$.campaign", "longer"),
            ("""{"url":"https://tmall.com/","channel":7}""", "$.channel", "wrong type"),
            ("""{"url":"https://tmall.com/","colour":"red"}""", "$", "unknown field"),
            ("""[1]""", "$", "JSON object"),
        })
        {
            var refused = await host.PostJsonAsync("/v1/links", body);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body}: {refused.StatusCode} {text}");
            Assert.Contains(path, text, StringComparison.Ordinal);
            Assert.Contains(words, text, StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_links"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await host.Client.PostAsync("/v1/links", new StringContent("url=x", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/links", """{"url":"https://jd.com/","code":"pc-2026"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostJsonAsync("/v1/links", """{"url":"https://tmall.com/","code":"pc-2026"}""")).StatusCode);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "grow_links"));

        var anonymous = await host.ClientForAsync(null);
        foreach (var code in new[] { "nope1234", "PC-2026", new string('z', 5000), "%3Cscript%3E", "..%2F..%2Fetc", "a" })
        {
            var missing = await anonymous.GetAsync("/l/" + code);
            Assert.True(missing.StatusCode == HttpStatusCode.NotFound, $"{code}: {missing.StatusCode}");
            Assert.Null(missing.Headers.Location);
            Assert.Equal("text/html", missing.Content.Headers.ContentType!.MediaType);
            Assert.Contains("链接不存在", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_link_clicks"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/links/nope1234")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/links/nope1234/qr.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/links/nope1234/funnel")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/links?limit=99999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/links?limit=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/links/funnel?window_days=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/links/pc-2026/qr.png?size=4000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PutJsonAsync("/v1/links/hosts", """{"hosts":["https://tmall.com/x"]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PutJsonAsync("/v1/links/hosts", """{"hosts":["com"]}""")).StatusCode);
        var viewer = await host.ClientForAsync(Flywheel.Hosting.Access.Roles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsync("/v1/links/hosts", new StringContent(Hosts, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/links")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PackageCard_Scan_Identify_WelcomeJourney_Repurchase_EndToEnd(string engine)
    {
        await using var host = await StartAsync(engine);
        var runtime = host.App.Services.GetRequiredService<CampaignRuntime>();
        await runtime.Feed.InitialiseAsync(default);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/journeys?activate=true", """{"template":"package_card_welcome"}""")).StatusCode);

        // The brand makes a package card leading to its 企业微信 "contact me" page and prints its QR code.
        var created = await host.PostJsonAsync("/v1/links", """{"kind":"package_card","url":"https://work.weixin.qq.com/ca/cawcde5b2e","campaign":"parcel-2026w45","name":"11月包裹卡"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var card = await Json.ReadAsync(created);
        var code = card.GetProperty("code").GetString()!;
        var shortUrl = card.GetProperty("short_url").GetString()!;
        Assert.Equal("https://fw.example.cn/l/" + code, shortUrl);

        var png = await host.Client.GetAsync($"/v1/links/{code}/qr.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        var pngBytes = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, pngBytes[..8]);
        // It encodes the short URL: the same bytes as QRCoder makes of that URL (there is no decoder to read it back here).
        using (var generator = new QRCodeGenerator())
        using (var data = generator.CreateQrCode(shortUrl, QRCodeGenerator.ECCLevel.M))
        {
            Assert.Equal(new PngByteQRCode(data).GetGraphic(10), pngBytes);
            var svg = await host.Client.GetStringAsync($"/v1/links/{code}/qr.svg");
            Assert.StartsWith("<svg", svg.TrimStart().Split("?>").Last().TrimStart(), StringComparison.Ordinal);
            Assert.Contains("<path", svg, StringComparison.Ordinal);
            Assert.Equal(new SvgQRCode(data).GetGraphic(10), svg);
        }

        // A customer scans it: 302 to the allow-listed WeCom page with the UTM and the browser's anonymous id as WeCom's state.
        var phone = await host.ClientForAsync(null);
        var scan = await phone.GetAsync(new Uri(shortUrl).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, scan.StatusCode);
        var location = scan.Headers.Location!.ToString();
        Assert.StartsWith("https://work.weixin.qq.com/ca/cawcde5b2e?utm_source=package_insert&utm_medium=package_card&utm_campaign=parcel-2026w45&utm_channel=wecom&state=a",
            location, StringComparison.Ordinal);
        var anonymousId = location.Split("state=")[1];
        await host.App.Services.GetRequiredService<ClickRecorder>().ForwardAsync(default);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "grow_link_clicks", $"code = '{code}' AND anonymous_id = '{anonymousId}'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "events", $"type = 'click' AND anonymous_id = '{anonymousId}' AND medium = 'package_card'"));

        // The WeCom add-contact callback identifies the scanner by that state.
        var identified = await host.PostJsonAsync("/v1/identify", $$"""{"anonymous_id":"{{anonymousId}}","customer_id":"c-parcel"}""");
        Assert.Equal(HttpStatusCode.OK, identified.StatusCode);
        Assert.Equal(1, (await Json.ReadAsync(identified)).GetProperty("stitched_events").GetInt32());
        var scans = host.App.Services.GetRequiredService<IdentifiedScans>();
        await scans.ProcessAsync([anonymousId], default); // what the background service does on the identification (idempotent)
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "events", $"type = '{IdentifiedScans.EventType}' AND customer_id = 'c-parcel'"));

        // The welcome journey enrols the customer.
        await runtime.Feed.PollAsync(default);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "journey_entries", "journey_id = 'package_card_welcome' AND customer_id = 'c-parcel'"));

        // A repurchase the next day shows in the funnel.
        await using (var session = await IngestSession.BeginAsync(host.Store, "test", "seed", default))
        {
            session.UpsertProduct(new ProductRow { Sku = "SKU-1", Name = "SKU-1", Category = "母婴>奶粉", ListPrice = 12_000 });
            await session.CommitAsync(1, 0, default);
        }
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders", """
            {"order_id":"o-re-1","customer_id":"c-parcel","placed_at":"2026-11-02T10:00:00+08:00","paid_at":"2026-11-02T10:01:00+08:00",
             "lines":[{"sku":"SKU-1","quantity":1,"unit_price":"120.00"}]}
            """)).StatusCode);
        var funnel = await Json.ReadAsync(await host.Client.GetAsync($"/v1/links/{code}/funnel"));
        var row = funnel.GetProperty("links")[0];
        Assert.Equal((1, 1, 1, 1, 1, 12_000), (row.GetProperty("clicks").GetInt64(), row.GetProperty("scanners").GetInt64(), row.GetProperty("identified").GetInt64(),
            row.GetProperty("repurchasers").GetInt64(), row.GetProperty("orders").GetInt64(), row.GetProperty("gmv").GetInt64()));
        var all = await Json.ReadAsync(await host.Client.GetAsync("/v1/links/funnel?kind=package_card"));
        Assert.Equal(12_000, all.GetProperty("total").GetProperty("gmv").GetInt64());
    }
}
