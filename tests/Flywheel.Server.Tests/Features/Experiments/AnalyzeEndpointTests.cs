using System.Net;
using System.Text;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Experiments;

/// <summary><c>POST /v1/experiments/analyze</c> (the CLI contract over HTTP) and <c>GET /v1/experiments/sample-size</c>.</summary>
public sealed class AnalyzeEndpointTests
{
    private const string Binomial = """{"metric": "binomial", "confidence": 0.95, "variants": [{"name": "control", "n": 1000, "conversions": 200}, {"name": "b", "n": 1000, "conversions": 240}]}""";

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Analyze_AnswersTheContractShape_AndNeedsReportsRead(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var response = await host.PostJsonAsync("/v1/experiments/analyze", Binomial);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Json.ReadAsync(response);
        Assert.Equal(1, json.GetProperty("srm_p_value").GetDouble(), 1e-12);
        var r = json.GetProperty("results")[0];
        Assert.Equal("b", r.GetProperty("variant").GetString());
        Assert.Equal(0.0306422, r.GetProperty("absolute").GetProperty("p_value").GetDouble(), 1e-6);
        Assert.Equal(0.2, r.GetProperty("relative").GetProperty("effect").GetDouble(), 1e-12);
        Assert.InRange(r.GetProperty("bayesian").GetProperty("chance_to_win").GetDouble(), 0.97, 0.995);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, r.GetProperty("sequential").GetProperty("p_value").ValueKind);

        var anonymous = await host.ClientForAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsync("/v1/experiments/analyze", new StringContent(Binomial, Encoding.UTF8, "application/json"))).StatusCode);
        var viewer = await host.ClientForAsync(Flywheel.Hosting.Access.Roles.Viewer);
        Assert.Equal(HttpStatusCode.OK,
            (await viewer.PostAsync("/v1/experiments/analyze", new StringContent(Binomial, Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadBodies_Are4xx_NamingTheField_NeverA500(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        foreach (var (body, field) in new[]
                 {
                     ("""{"metric":"binomial","variants":[{"name":"control","n":1000,"conversions":200}]}""", "variants"),
                     ("""{"metric":"binomial","variants":[{"name":"a","n":10,"conversions":11},{"name":"b","n":10,"conversions":1}]}""", "variants[0].conversions"),
                     ("""{"metric":"mean","variants":[{"name":"a","n":10,"mean":1e308,"sd":1e308},{"name":"b","n":10,"mean":1,"sd":1}]}""", "variants[0].mean"),
                     ("""{"metric":"mean","variants":[{"name":"a","n":10,"mean":1,"sd":-2},{"name":"b","n":10,"mean":1,"sd":1}]}""", "variants[0].sd"),
                     ("""{"metric":"binomial","variants":[{"name":"a","n":-1,"conversions":0},{"name":"b","n":10,"conversions":1}]}""", "variants[0].n"),
                     ("""null""", "$"),
                 })
        {
            var response = await host.PostJsonAsync("/v1/experiments/analyze", body);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{body}: {response.StatusCode}");
            Assert.Contains(field, await response.Content.ReadAsStringAsync());
        }
        var duplicate = await host.PostJsonAsync("/v1/experiments/analyze", """{"metric":"binomial","metric":"mean","variants":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        var empty = await host.Client.PostAsync("/v1/experiments/analyze", new StringContent("", Encoding.UTF8, "application/json"));
        Assert.True((int)empty.StatusCode is >= 400 and < 500);
        var bad = await host.Client.PostAsync("/v1/experiments/analyze", new ByteArrayContent([0x7B, 0xFF, 0x7D]) { Headers = { { "Content-Type", "application/json" } } });
        Assert.True((int)bad.StatusCode is >= 400 and < 500);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SampleSize_AnswersPerVariantAndDays_AndRefusesBadNumbers(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var json = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/sample-size?metric=binomial&baseline=0.1&mde=0.2&daily_traffic=1000"));
        Assert.Equal(3839, json.GetProperty("per_variant").GetInt64());
        Assert.Equal(8, json.GetProperty("days").GetInt64());
        var mean = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/sample-size?metric=mean&baseline=10&sd=1&mde=0.5&mde_type=absolute"));
        Assert.Equal(63, mean.GetProperty("per_variant").GetInt64());
        foreach (var (query, field) in new[] { ("baseline=abc&mde=0.1", "baseline"), ("baseline=0.1&mde=1e999", "mde"), ("baseline=0.1", "mde"), ("baseline=0.1&mde=0.1&power=2", "power") })
        {
            var response = await host.Client.GetAsync("/v1/experiments/sample-size?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.Content.ReadAsStringAsync());
        }
    }
}
