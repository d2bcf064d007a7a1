using System.Net;
using System.Text;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Creators;

/// <summary><c>/v1/creators</c> and <c>/v1/collaborations</c> over HTTP: the happy path, and bad input answered 4xx naming the place with nothing stored.</summary>
public sealed class CreatorsEndpointsTests
{
    private const string Csv = "creator_id,name,platform,followers,tier,category\nkol_a,小美,xiaohongshu,1200000,head,美妆\nkol_b,阿花,douyin,35000,koc,母婴\n";

    private static Task<HttpResponseMessage> PostCsvAsync(ServerHost host, string csv, string type = "text/csv") =>
        host.Client.PostAsync(new Uri("/v1/creators/import", UriKind.Relative), new StringContent(csv, Encoding.UTF8, type));

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CreatorsAndCollaborations_Lifecycle(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var imported = await PostCsvAsync(host, Csv);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(2, (await Json.ReadAsync(imported)).GetProperty("added").GetInt32());
        var one = await host.PostJsonAsync("/v1/creators", """{"creator_id":"kol_c","name":"路人甲","platform":"weibo","followers":800,"tier":"amateur"}""");
        Assert.Equal(HttpStatusCode.Created, one.StatusCode);
        var list = await Json.ReadAsync(await host.Client.GetAsync(new Uri("/v1/creators", UriKind.Relative)));
        Assert.Equal(3, list.GetArrayLength());

        var batch = await host.PostJsonAsync("/v1/coupons/batches", """
            {"id":"kol_codes","name":"达人券","kind":"no_threshold","amount_off":1000,"threshold":0,"funding":"merchant","total_quantity":100,
             "per_customer_claim_limit":1,"valid_days_after_claim":60}
            """);
        Assert.Equal(HttpStatusCode.Created, batch.StatusCode);
        var collab = await host.PostJsonAsync("/v1/collaborations", """
            {"collab_id":"co_1","creator_id":"kol_a","title":"双11 笔记","fee":500000,"commission_bp":1000,"posting_at":"2026-11-01T20:00:00+08:00",
             "coupon_batch_id":"kol_codes"}
            """);
        Assert.Equal(HttpStatusCode.Created, collab.StatusCode);
        var code = (await Json.ReadAsync(collab)).GetProperty("coupon_code").GetString();
        Assert.Equal(12, code!.Length);
        var patched = await host.Client.PatchAsync(new Uri("/v1/collaborations/co_1", UriKind.Relative),
            new StringContent("""{"status":"posted"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var collabs = await Json.ReadAsync(await host.Client.GetAsync(new Uri("/v1/collaborations?creator_id=kol_a", UriKind.Relative)));
        Assert.Equal("posted", collabs[0].GetProperty("status").GetString());

        var report = await host.Client.GetAsync(new Uri("/v1/creators/report", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(5, (await Json.ReadAsync(report)).GetProperty("tiers").GetArrayLength());
        var payouts = await host.Client.GetAsync(new Uri("/v1/creators/payouts?month=2026-11&format=csv", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, payouts.StatusCode);
        Assert.StartsWith("month,collab_id", await payouts.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kol_x,X,myspace,10,koc,", "row 3.platform")]
    [InlineData("kol_x,X,douyin,-1,koc,", "row 3.followers")]
    [InlineData("kol_x,X,douyin,10,boss,", "row 3.tier")]
    [InlineData("kol_a,X,douyin,10,koc,", "row 3.creator_id")]
    public async Task Import_BadRow_Is400NamingRowAndColumn_NothingStored(string line, string path)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await PostCsvAsync(host, Csv + line);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(path, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_creators"));
    }

    [Theory]
    [InlineData("/v1/creators", "", 400)]
    [InlineData("/v1/creators", "[]", 400)]
    [InlineData("/v1/creators", """{"creator_id":"k","name":"n","platform":"douyin","followers":99999999999999999999999,"tier":"koc"}""", 400)]
    [InlineData("/v1/creators", """{"creator_id":"k","name":"n","platform":"douyin","followers":-3,"tier":"koc"}""", 400)]
    [InlineData("/v1/creators", """{"creator_id":"k","name":"n","platform":"douyin","followers":"many","tier":"koc"}""", 400)]
    [InlineData("/v1/creators", """{"creator_id":"k","name":"n","platform":"douyin","followers":3,"tier":"koc","extra":1}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"nobody","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00"}""", 404)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":-1,"posting_at":"2026-11-01T20:00:00+08:00"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":9223372036854775807,"posting_at":"2026-11-01T20:00:00+08:00"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"commission_bp":20000,"posting_at":"2026-11-01T20:00:00+08:00"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"posting_at":"yesterday"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00","coupon_batch_id":"nope"}""", 404)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00","status":"done"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00","link_url":"https://evil.example.com/x"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00","link_url":"not a url"}""", 400)]
    [InlineData("/v1/collaborations", """{"collab_id":"c","creator_id":"kol_a","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00","link_url":"https://tmall.com/x","link_code":"abc"}""", 400)]
    public async Task BadBody_Is4xx_NothingStored(string url, string body, int status)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        Assert.Equal(HttpStatusCode.OK, (await PostCsvAsync(host, Csv)).StatusCode);
        var response = await host.PostJsonAsync(url, body);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "grow_creators"));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_collaborations"));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "coupons"));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_links"));
    }

    [Theory]
    [InlineData("/v1/creators/report?from=2026-02-30", 400)]
    [InlineData("/v1/creators/report?to=99999-01-01", 400)]
    [InlineData("/v1/creators/report?model=best", 400)]
    [InlineData("/v1/creators/report?from=2026-11-30&to=2026-11-01", 400)]
    [InlineData("/v1/creators/payouts?month=2026-13", 400)]
    [InlineData("/v1/creators/payouts?month=1", 400)]
    [InlineData("/v1/creators/payouts?format=xls", 400)]
    [InlineData("/v1/collaborations?status=unknown", 400)]
    public async Task BadQuery_Is400(string url, int status)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.Client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task Import_NotCsv_Is415_PatchBackwards_Is409_UnknownCollab_Is404()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostCsvAsync(host, Csv, "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostCsvAsync(host, Csv)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/collaborations",
            """{"collab_id":"c1","creator_id":"kol_a","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00","status":"posted"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostJsonAsync("/v1/collaborations",
            """{"collab_id":"c1","creator_id":"kol_b","title":"t","fee":1,"posting_at":"2026-11-01T20:00:00+08:00"}""")).StatusCode);
        var back = await host.Client.PatchAsync(new Uri("/v1/collaborations/c1", UriKind.Relative),
            new StringContent("""{"status":"planned"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, back.StatusCode);
        var missing = await host.Client.PatchAsync(new Uri("/v1/collaborations/zz", UriKind.Relative),
            new StringContent("""{"status":"posted"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
