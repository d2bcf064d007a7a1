using System.Net;
using System.Text;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Grow;

/// <summary>The content ledger, content report, keywords and trial endpoints over HTTP: good requests answer, bad ones are 4xx naming the place and store nothing.</summary>
public sealed class ContentEndpointsTests
{
    private const string Csv = "content_id,title,kind,platform,published_at,owner,stage,cost,views\nn1,笔记,note,xiaohongshu,2026-10-01,kol,interest,1280.50,10000\n";

    private static Task<HttpResponseMessage> PostCsvAsync(ServerHost host, string csv, string type = "text/csv") =>
        host.Client.PostAsync("/v1/content/import", new StringContent(csv, Encoding.UTF8, type));

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_List_Report_Keywords(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var imported = await PostCsvAsync(host, Csv);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(1, (await Json.ReadAsync(imported)).GetProperty("added").GetInt32());
        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/content"));
        Assert.Equal(128_050, list[0].GetProperty("cost").GetInt64());
        var report = await host.Client.GetAsync("/v1/content/report?from=2026-10-01&to=2026-10-31");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var body = await Json.ReadAsync(report);
        Assert.Equal("no_data", body.GetProperty("items")[0].GetProperty("quadrant").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/v1/keywords")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadRequests_Are4xx_NamingThePlace_AndStoreNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        foreach (var (csv, status, words) in new[]
                 {
                     (Csv.Replace("xiaohongshu", "tiktok", StringComparison.Ordinal), HttpStatusCode.BadRequest, "row 1 (line 2).platform"),
                     (Csv.Replace("1280.50", "-3", StringComparison.Ordinal), HttpStatusCode.BadRequest, "row 1 (line 2).cost"),
                     (Csv + "n1,again,note,xiaohongshu,2026-10-01,kol,interest,1,1\n", HttpStatusCode.BadRequest, "row 2 (line 3).content_id"),
                     (Csv.Replace("2026-10-01", "01/10/2026", StringComparison.Ordinal), HttpStatusCode.BadRequest, "published_at"),
                     (Csv.Replace("10000", "99999999999999999999999", StringComparison.Ordinal), HttpStatusCode.BadRequest, "views"),
                     ("", HttpStatusCode.BadRequest, "empty"),
                 })
        {
            var response = await PostCsvAsync(host, csv);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(words, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostCsvAsync(host, Csv, "application/json")).StatusCode);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_content"));

        foreach (var url in new[] { "/v1/content/report?from=2026-13-01", "/v1/content/report?from=2026-10-31&to=2026-10-01", "/v1/keywords?to=tomorrow",
                     "/v1/keywords?from=0001-01-01" })
            Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync(url)).StatusCode);

        foreach (var (json, words) in new[]
                 {
                     ("""{"trial_id":"t1","name":"x","sku":"P1","seats":1e40,"unit_cost":100,"starts_on":"2026-10-01","ends_on":"2026-10-31"}""", "seats"),
                     ("""{"trial_id":"t1","name":"x","sku":"P1","seats":3,"unit_cost":-1,"starts_on":"2026-10-01","ends_on":"2026-10-31"}""", "unit_cost"),
                     ("""{"trial_id":"t1","name":"x","sku":"P1","seats":3,"unit_cost":100,"starts_on":"2026-10-01","ends_on":"2026-09-30"}""", "ends_on"),
                     ("""{"trial_id":"t1","colour":"red"}""", "colour"),
                     ("""[1,2]""", "JSON object"),
                 })
        {
            var response = await host.PostJsonAsync("/v1/trials", json);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(words, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_trials"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostJsonAsync("/v1/trials/nope/applicants", """{"applicant_id":"a1"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/trials/nope")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/trials",
            """{"trial_id":"t1","name":"体验官","sku":"P1","seats":1,"unit_cost":5900,"starts_on":"2026-10-01","ends_on":"2026-10-31"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/trials/t1/applicants", """{"applicant_id":"a1","kind":"koc"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostJsonAsync("/v1/trials/t1/applicants/a1", """{"status":"posted","content_id":"n1"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostCsvAsync(host, Csv)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostJsonAsync("/v1/trials/t1/applicants/a1", """{"status":"posted","content_id":"n1"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostJsonAsync("/v1/trials/t1/applicants/a1", """{"status":"won"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync("/v1/trials/t1/applicants/a1", """{"status":"selected"}""")).StatusCode);
        Assert.Equal("selected", await TestStores.ScalarAsync(host.Store, "SELECT status FROM grow_trial_applicants WHERE applicant_id = 'a1'"));
        var report = await Json.ReadAsync(await host.Client.GetAsync("/v1/trials/report"));
        Assert.Equal(1, report[0].GetProperty("selected").GetInt32());
    }
}
