using System.Globalization;
using System.Net;
using System.Text.Json;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Hosting.Access;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Experiments;

/// <summary>
/// <c>GET /v1/experiments/{key}/results</c> end to end: customers assigned over HTTP on 1 Nov, paid orders on 3 and 4 Nov, and the
/// results checked against hand counts per variant, the stats engine on the same counts and the incrementality over the holdout.
/// </summary>
public sealed class ExperimentResultsEndpointsTests
{
    private const string Definition = """
        {"key": "results_test", "name": "结果页测试", "unit": "customer",
         "variants": [{"key": "a", "weight": 40}, {"key": "b", "weight": 40}, {"key": "hold", "weight": 20, "holdout": true}],
         "traffic": 1.0, "window_days": 14, "confidence": 0.95,
         "metrics": {"primary": "conversion", "secondary": ["revenue"], "guardrails": []}}
        """;

    private const int Customers = 120;

    /// <summary>Customer i's paid orders (yuan each): every third customer one order, every sixth a second one the next day.</summary>
    private static List<(string Day, long Yuan)> OrdersOf(int i)
    {
        var orders = new List<(string, long)>();
        if (i % 3 == 0) orders.Add(("2026-11-03", 50 + i));
        if (i % 6 == 0) orders.Add(("2026-11-04", 30));
        if (i % 7 == 0 && i % 3 != 0) orders.Add(("2026-11-04", 200));
        return orders;
    }

    private static async Task<(ServerHost Host, Dictionary<string, string> VariantOf)> SeedAsync(string engine)
    {
        var host = await ServerHost.StartAsync(engine, new ServerOptions { CampaignWorkers = false });
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/experiments", Definition)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/experiments/results_test/start", null)).StatusCode);
        host.Clock.Now = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(8));
        var variantOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i <= Customers; i++)
        {
            var assigned = await Json.ReadAsync(await host.Client.GetAsync($"/v1/experiments/results_test/assign?unit=c{i}"));
            Assert.True(assigned.GetProperty("in_experiment").GetBoolean());
            variantOf[$"c{i}"] = assigned.GetProperty("variant").GetString()!;
        }
        host.Clock.Now = new DateTimeOffset(2026, 11, 5, 9, 0, 0, TimeSpan.FromHours(8)); // the orders come in afterwards
        var n = 0;
        for (var i = 1; i <= Customers; i++)
            foreach (var (day, yuan) in OrdersOf(i))
            {
                var order = $$"""
                    {"order_id":"o-{{++n}}","customer_id":"c{{i}}","placed_at":"{{day}}T10:00:00+08:00","paid_at":"{{day}}T10:01:00+08:00","channel":"tmall",
                     "lines":[{"sku":"SKU-1","quantity":1,"unit_price":"{{yuan}}.00"}]}
                    """;
                var posted = await host.PostJsonAsync("/v1/orders?create_missing=true", order);
                Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
            }
        return (host, variantOf);
    }

    private static JsonElement Metric(JsonElement results, string name) =>
        results.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    private static JsonElement Arm(JsonElement metric, string variant) =>
        metric.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("variant").GetString() == variant);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Results_MatchHandCounts_TheStatsEngine_AndTheHoldout(string engine)
    {
        var (host, variantOf) = await SeedAsync(engine);
        await using var owned = host;
        string[] keys = ["a", "b", "hold"];
        var units = keys.ToDictionary(k => k, k => (long)variantOf.Values.Count(v => v == k));
        var converted = keys.ToDictionary(k => k, k => (long)variantOf.Count(p => p.Value == k && OrdersOf(int.Parse(p.Key[1..], CultureInfo.InvariantCulture)).Count > 0));
        var orders = keys.ToDictionary(k => k, k => variantOf.Where(p => p.Value == k).Sum(p => (long)OrdersOf(int.Parse(p.Key[1..], CultureInfo.InvariantCulture)).Count));
        var gmv = keys.ToDictionary(k => k, k => variantOf.Where(p => p.Value == k).Sum(p => OrdersOf(int.Parse(p.Key[1..], CultureInfo.InvariantCulture)).Sum(o => o.Yuan * 100)));
        Assert.All(keys, k => Assert.True(units[k] > 0, $"variant {k} got no units"));

        var response = await host.Client.GetAsync("/v1/experiments/results_test/results");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = await Json.ReadAsync(response);
        Assert.Equal("2026-11-04", results.GetProperty("as_of").GetString());
        Assert.True(results.GetProperty("as_of_is_data_end").GetBoolean());
        Assert.Equal("a", results.GetProperty("control").GetString());
        Assert.Equal("hold", results.GetProperty("holdout_variant").GetString());
        foreach (var k in keys)
            Assert.Equal(units[k], results.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("key").GetString() == k).GetProperty("units").GetInt64());
        Assert.Equal(JsonValueKind.Number, results.GetProperty("srm").GetProperty("p_value").ValueKind);
        var srm = SampleRatioMismatch.Check(keys.Select(k => units[k]).ToList(), [40.0, 40.0, 20.0]);
        Assert.Equal(srm.PValue!.Value, results.GetProperty("srm").GetProperty("p_value").GetDouble(), 1e-9);

        var conversion = Metric(results, "conversion");
        Assert.Equal("primary", conversion.GetProperty("role").GetString());
        foreach (var k in keys)
        {
            Assert.Equal(units[k], Arm(conversion, k).GetProperty("units").GetInt64());
            Assert.Equal((double)converted[k] / units[k], Arm(conversion, k).GetProperty("value").GetDouble(), 1e-12);
        }
        var expected = ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Binomial,
            keys.Select(k => ArmSummary.Binomial(k, units[k], converted[k])).ToList(), 0.95, [40.0, 40.0, 20.0]));
        Assert.True(expected.TryGetValue(out var analysis, out _));
        foreach (var variant in new[] { "b", "hold" })
        {
            var shown = conversion.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("variant").GetString() == variant);
            var engineResult = analysis.Results.Single(r => r.Variant == variant);
            var absolute = shown.GetProperty("absolute");
            Assert.Equal((double)converted[variant] / units[variant] - (double)converted["a"] / units["a"], absolute.GetProperty("effect").GetDouble(), 1e-12);
            Assert.Equal(engineResult.Absolute.PValue!.Value, absolute.GetProperty("p_value").GetDouble(), 1e-9);
            Assert.Equal(engineResult.Absolute.CiLow!.Value, absolute.GetProperty("ci_low").GetDouble(), 1e-9);
            Assert.Contains(shown.GetProperty("verdict").GetString(), new[] { "better", "worse", "inconclusive" });
        }

        var revenue = Metric(results, "revenue");
        foreach (var k in keys)
            Assert.Equal((double)gmv[k] / units[k], Arm(revenue, k).GetProperty("value").GetDouble(), 1e-9);

        var impact = results.GetProperty("impact");
        Assert.Equal(2, impact.GetArrayLength());
        foreach (var variant in new[] { "a", "b" })
        {
            var i = impact.EnumerateArray().Single(x => x.GetProperty("variant").GetString() == variant);
            Assert.Equal(units[variant], i.GetProperty("treated_units").GetInt64());
            var orderEffect = ((double)orders[variant] / units[variant] - (double)orders["hold"] / units["hold"]) * units[variant];
            Assert.Equal((long)Math.Round(orderEffect, MidpointRounding.AwayFromZero), i.GetProperty("orders").GetProperty("effect").GetInt64());
            var gmvEffect = ((double)gmv[variant] / units[variant] - (double)gmv["hold"] / units["hold"]) * units[variant];
            Assert.Equal((long)Math.Round(gmvEffect, MidpointRounding.AwayFromZero), i.GetProperty("gmv").GetProperty("effect").GetInt64());
            Assert.True(i.GetProperty("gmv").GetProperty("low").GetInt64() <= i.GetProperty("gmv").GetProperty("high").GetInt64());
        }

        // As of the day of the assignments: every unit counted, nobody has ordered yet.
        var early = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/results_test/results?as_of=2026-11-02"));
        Assert.Equal("2026-11-02", early.GetProperty("as_of").GetString());
        Assert.False(early.GetProperty("as_of_is_data_end").GetBoolean());
        foreach (var k in keys)
        {
            Assert.Equal(units[k], Arm(Metric(early, "conversion"), k).GetProperty("units").GetInt64());
            Assert.Equal(0, Arm(Metric(early, "conversion"), k).GetProperty("value").GetDouble());
        }
        // Before the assignments: nobody counted yet, and no 500.
        var before = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/results_test/results?as_of=2026-10-31"));
        Assert.Equal(Customers, before.GetProperty("units_exposed_after_as_of").GetInt64());
        Assert.All(before.GetProperty("variants").EnumerateArray(), v => Assert.Equal(0, v.GetProperty("units").GetInt64()));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadAsOf_Is400_UnknownKey_404_AndPermissionsHold(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine, new ServerOptions { CampaignWorkers = false });
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/experiments", Definition)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/experiments/results_test/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/v1/experiments/results_test/assign?unit=c1")).StatusCode);

        foreach (var asOf in new[] { "2026-13-01", "x", "2026-02-30", "20261101", "0001-01-01", "9999-12-31", "2026-11-01T00:00", "%00", new string('9', 500) })
        {
            var bad = await host.Client.GetAsync("/v1/experiments/results_test/results?as_of=" + Uri.EscapeDataString(asOf));
            var text = await bad.Content.ReadAsStringAsync();
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"as_of '{asOf}': {bad.StatusCode} {text}");
            Assert.True(Json.IsProblem(bad), text);
            Assert.Contains("as_of", text, StringComparison.Ordinal);
        }
        var unknown = await host.Client.GetAsync("/v1/experiments/nope/results");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/experiments/nope/results?as_of=2026-11-01")).StatusCode);

        // A draft (no exposures) answers too: zero units, no 500.
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/experiments", Definition.Replace("results_test", "draft_one", StringComparison.Ordinal))).StatusCode);
        var draft = await host.Client.GetAsync("/v1/experiments/draft_one/results");
        Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        Assert.Equal("draft", (await Json.ReadAsync(draft)).GetProperty("status").GetString());

        var viewer = await host.ClientForAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/v1/experiments/results_test/results")).StatusCode);
        var shop = await host.ClientForAsync(Roles.Ingest);
        Assert.Equal(HttpStatusCode.Forbidden, (await shop.GetAsync("/v1/experiments/results_test/results")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await host.ClientForAsync(null)).GetAsync("/v1/experiments/results_test/results")).StatusCode);
    }
}
