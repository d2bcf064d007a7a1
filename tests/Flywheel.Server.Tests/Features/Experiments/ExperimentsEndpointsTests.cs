using System.Net;
using System.Text;
using Flywheel.Hosting.Access;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Experiments;

/// <summary>/v1/experiments over HTTP: define, list, show, change, start, stop, assign; every refusal a 4xx that names the field and stores nothing.</summary>
public sealed class ExperimentsEndpointsTests
{
    private const string Definition = """
        {"key": "subject_test", "name": "双11预热短信标题", "hypothesis": "倒计时标题提高转化", "unit": "customer",
         "variants": [{"key": "control", "name": "原标题", "weight": 50, "holdout": false}, {"key": "b", "weight": 50}],
         "traffic": 1.0, "segment": null, "window_days": 14, "confidence": 0.95,
         "metrics": {"primary": "conversion", "secondary": ["revenue"], "guardrails": ["refund_rate", "unsubscribe_rate"]}}
        """;

    private static async Task<ServerHost> StartAsync(string engine) =>
        await ServerHost.StartAsync(engine, new ServerOptions { CampaignWorkers = false });

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Create_Start_Assign_List_Stop(string engine)
    {
        await using var host = await StartAsync(engine);
        var created = await host.PostJsonAsync("/v1/experiments", Definition);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await Json.ReadAsync(created);
        Assert.Equal("draft", view.GetProperty("status").GetString());
        Assert.Equal("双11预热短信标题", view.GetProperty("name").GetString());
        Assert.True(view.GetProperty("variants")[0].GetProperty("control").GetBoolean());
        Assert.Equal("b", view.GetProperty("variants")[1].GetProperty("name").GetString());
        Assert.False(view.TryGetProperty("salt", out _));

        var draft = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/subject_test/assign?unit=c1"));
        Assert.False(draft.GetProperty("in_experiment").GetBoolean());
        Assert.Equal("not_running", draft.GetProperty("reason").GetString());

        var started = await host.Client.PostAsync("/v1/experiments/subject_test/start", null);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal("running", (await Json.ReadAsync(started)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await host.Client.PostAsync("/v1/experiments/subject_test/start", null)).StatusCode);

        var shop = await host.ClientForAsync(Roles.Ingest); // a storefront's key: Checkout only
        var assigned = await shop.GetAsync("/v1/experiments/subject_test/assign?unit=c1");
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var a = await Json.ReadAsync(assigned);
        Assert.Equal("subject_test", a.GetProperty("experiment").GetString());
        Assert.True(a.GetProperty("in_experiment").GetBoolean());
        Assert.False(a.GetProperty("holdout").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, a.GetProperty("reason").ValueKind);
        var variant = a.GetProperty("variant").GetString();
        Assert.Contains(variant, new[] { "control", "b" });
        for (var i = 0; i < 3; i++)
            Assert.Equal(variant, (await Json.ReadAsync(await shop.GetAsync("/v1/experiments/subject_test/assign?unit=c1"))).GetProperty("variant").GetString());
        for (var i = 2; i <= 40; i++) Assert.Equal(HttpStatusCode.OK, (await shop.GetAsync($"/v1/experiments/subject_test/assign?unit=c{i}")).StatusCode);
        Assert.Equal(40, await TestStores.CountAsync(host.Store, "experiment_exposures", "source = 'api'"));

        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments"));
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal("running", list[0].GetProperty("status").GetString());
        Assert.Equal(40, list[0].GetProperty("exposures").GetInt64());
        Assert.Equal(40, list[0].GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("exposures").GetInt64()));
        Assert.Equal(await TestStores.CountAsync(host.Store, "experiment_exposures", $"variant = '{variant}'"),
            list[0].GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("key").GetString() == variant).GetProperty("exposures").GetInt64());

        // Running: renaming and more traffic are fine; the split is frozen.
        var renamed = await host.PutJsonAsync("/v1/experiments/subject_test", Definition.Replace("双11预热短信标题", "双11 标题", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var reweighted = await host.PutJsonAsync("/v1/experiments/subject_test", Definition.Replace("\"weight\": 50}]", "\"weight\": 70}]", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, reweighted.StatusCode);
        Assert.Contains("$.variants", await reweighted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var shown = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/subject_test"));
        Assert.Equal("双11 标题", shown.GetProperty("name").GetString());
        Assert.Equal(50, shown.GetProperty("variants")[1].GetProperty("weight").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/experiments/subject_test/stop", null)).StatusCode);
        var after = await Json.ReadAsync(await shop.GetAsync("/v1/experiments/subject_test/assign?unit=c99"));
        Assert.Equal("not_running", after.GetProperty("reason").GetString());
        Assert.Equal(40, await TestStores.CountAsync(host.Store, "experiment_exposures"));
        var stopped = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/subject_test"));
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, stopped.GetProperty("stopped_at").ValueKind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task HostileDefinitions_Are4xx_NamingTheField_AndStoreNothing(string engine)
    {
        await using var host = await StartAsync(engine);
        const string two = """[{"key":"a","weight":1},{"key":"b","weight":1}]""";
        foreach (var (body, status, path, words) in new[]
        {
            ("", HttpStatusCode.BadRequest, "$", "JSON"),
            ("null", HttpStatusCode.BadRequest, "$", "JSON object"),
            ("[]", HttpStatusCode.BadRequest, "$", "JSON object"),
            ("""{"key":"k","key":"k2","name":"x","variants":""" + two + "}", HttpStatusCode.BadRequest, "$", "key"),
            ("""{"key":"k","name":"x","colour":"red","variants":""" + two + "}", HttpStatusCode.BadRequest, "$.colour", "unknown field"),
            ("""{"key":"k","name":"x","variants":[{"key":"a","weight":1e400},{"key":"b","weight":1}]}""", HttpStatusCode.BadRequest, "$.variants[0].weight", "1 to 10000"),
            ("""{"key":"k","name":"x","variants":[{"key":"a","weight":123456789012345678901234567890},{"key":"b","weight":1}]}""", HttpStatusCode.BadRequest, "$.variants[0].weight", "1 to 10000"),
            ("""{"key":"k","name":"x","variants":[{"key":"a","weight":-5},{"key":"b","weight":1}]}""", HttpStatusCode.BadRequest, "$.variants[0].weight", "1 to 10000"),
            ("""{"key":"k","name":"x","traffic":-0.1,"variants":""" + two + "}", HttpStatusCode.BadRequest, "$.traffic", "above 0"),
            ("""{"key":"k","name":"x","window_days":1e10,"variants":""" + two + "}", HttpStatusCode.BadRequest, "$.window_days", "1 to 90"),
            ("""{"key":"k","name":"x","confidence":1,"variants":""" + two + "}", HttpStatusCode.BadRequest, "$.confidence", "0.999"),
            ("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"a","weight":1}]}""", HttpStatusCode.BadRequest, "$.variants[1].key", "unique"),
            ("""{"key":"k","name":"x","variants":[{"key":"a","weight":1,"holdout":true},{"key":"b","weight":1,"holdout":true}]}""", HttpStatusCode.BadRequest, "$.variants[1].holdout", "at most one"),
            ("""{"key":"k","name":"x","unit":"anonymous","segment":"vip","variants":""" + two + "}", HttpStatusCode.BadRequest, "$.segment", "customer"),
            ("""{"key":"k","name":"x","variants":""" + two + ""","metrics":{"primary":"ctr"}}""", HttpStatusCode.BadRequest, "$.metrics.primary", "'ctr'"),
            ("""{"key":"../etc","name":"x","variants":""" + two + "}", HttpStatusCode.BadRequest, "$.key", "a-z"),
            ("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}],"hypothesis":"%%%"}""".Replace("%%%", new string('h', 5000), StringComparison.Ordinal),
                HttpStatusCode.BadRequest, "$.hypothesis", "at most 4000"),
        })
        {
            var refused = await host.PostJsonAsync("/v1/experiments", body);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == status, $"{body}: {refused.StatusCode} {text}");
            Assert.True(Json.IsProblem(refused), text);
            Assert.Contains(path, text, StringComparison.Ordinal);
            Assert.Contains(words, text, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await host.Client.PostAsync("/v1/experiments", new StringContent(Definition, Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "experiments"));

        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/experiments", Definition)).StatusCode);
        var again = await host.PostJsonAsync("/v1/experiments", Definition.Replace("双11预热短信标题", "另一个", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "experiments"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "experiments", "name = '双11预热短信标题'"));

        var other = await host.PutJsonAsync("/v1/experiments/subject_test", Definition.Replace("\"subject_test\"", "\"other\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Contains("$.key", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PutJsonAsync("/v1/experiments/subject_test", "{}")).StatusCode);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "experiments", "name = '双11预热短信标题'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task UnknownKeys_Are404_BadUnits_400_Permissions_Hold(string engine)
    {
        await using var host = await StartAsync(engine);
        foreach (var (method, url) in new[]
        {
            ("GET", "/v1/experiments/nope"), ("POST", "/v1/experiments/nope/start"), ("POST", "/v1/experiments/nope/stop"),
            ("GET", "/v1/experiments/nope/assign?unit=c1"), ("GET", "/v1/experiments/" + new string('z', 3000)),
        })
        {
            var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {url}: {response.StatusCode}");
            Assert.True(Json.IsProblem(response));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await host.PutJsonAsync("/v1/experiments/nope", Definition.Replace("subject_test", "nope", StringComparison.Ordinal))).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/experiments", Definition)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/experiments/subject_test/start", null)).StatusCode);
        foreach (var unit in new[] { "", "%20", new string('u', 201), "c%0A1", "c%001", "c%1B1" })
        {
            var bad = await host.Client.GetAsync("/v1/experiments/subject_test/assign?unit=" + unit);
            var text = await bad.Content.ReadAsStringAsync();
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"unit '{unit}': {bad.StatusCode} {text}");
            Assert.Contains("$.unit", text, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/v1/experiments/subject_test/assign")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/v1/experiments/subject_test/assign?unit=" + Uri.EscapeDataString("顾客 42"))).StatusCode);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "experiment_exposures"));

        var viewer = await host.ClientForAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/v1/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/v1/experiments/subject_test/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/v1/experiments/subject_test/assign?unit=c1")).StatusCode);
        var shop = await host.ClientForAsync(Roles.Ingest);
        Assert.Equal(HttpStatusCode.Forbidden, (await shop.GetAsync("/v1/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await shop.PostAsync("/v1/experiments", new StringContent(Definition, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await host.ClientForAsync(null)).GetAsync("/v1/experiments/subject_test/assign?unit=c1")).StatusCode);
        Assert.Equal("running", (await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/subject_test"))).GetProperty("status").GetString());
    }
}
