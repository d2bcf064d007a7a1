using System.Net;
using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Experiments;

/// <summary>
/// A promotion that names an experiment, with the real Experiments module behind the contract: pricing a cart for a customer
/// assigns the customer (the exposure the experiment's results count), the holdout's customers pay full price and see why, the
/// others get the discount, and the assignment endpoint answers the same variant afterwards.
/// </summary>
public sealed class HoldoutEverywhereTests
{
    private const string Experiment = """
        {"key": "m300_holdout", "name": "满300减50的增量", "unit": "customer",
         "variants": [{"key": "holdout", "weight": 30, "holdout": true}, {"key": "on", "weight": 70}],
         "metrics": {"primary": "conversion", "secondary": ["revenue", "discount"]}}
        """;

    private const string Promotion = """
        {"id":"cross","name":"跨店每满300减50","stage":"platform","mechanic":{"type":"repeating_threshold","step":30000,"amount_off":5000},
         "funding":{"platform_percent":60},"experiment":"m300_holdout"}
        """;

    private static string Cart(string customer) => $$"""
        {"at":"2026-11-11T10:00:00+08:00","customer_id":"{{customer}}",
         "lines":[{"line_id":"a","sku":"k1","store":"A","category":"beauty","quantity":1,"unit_list_price":20000},
                  {"line_id":"b","sku":"k2","store":"B","category":"beauty","quantity":1,"unit_list_price":15000}]}
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Promotion_NamingAnExperiment_HoldsOutTheHoldoutAndRecordsEveryExposure(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/experiments", Experiment)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/experiments/m300_holdout/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/promotions", Promotion)).StatusCode);

        var held = 0;
        for (var i = 1; i <= 60; i++)
        {
            var priced = await Json.ReadAsync(await host.PostJsonAsync("/v1/carts/price", Cart($"c{i}")));
            var heldOut = priced.GetProperty("held_out").EnumerateArray().ToList();
            // Pricing assigned the customer: the assignment endpoint answers the same variant (sticky) for the same unit.
            var assigned = await Json.ReadAsync(await host.Client.GetAsync($"/v1/experiments/m300_holdout/assign?unit=c{i}"));
            var holdout = assigned.GetProperty("holdout").GetBoolean();
            Assert.Equal(holdout, heldOut.Count == 1);
            if (holdout)
            {
                held++;
                Assert.Equal("cross", heldOut[0].GetProperty("promotion_id").GetString());
                Assert.Equal(35000, priced.GetProperty("total").GetInt64());
            }
            else
            {
                Assert.Equal("on", assigned.GetProperty("variant").GetString());
                Assert.Equal(35000 - 5000, priced.GetProperty("total").GetInt64());
            }
        }
        Assert.InRange(held, 1, 59);

        // A cart without a customer cannot be held out: it gets the promotion and nobody is assigned.
        var anonymous = await Json.ReadAsync(await host.PostJsonAsync("/v1/carts/price", Cart("x").Replace("\"customer_id\":\"x\",", "", StringComparison.Ordinal)));
        Assert.Equal(30000, anonymous.GetProperty("total").GetInt64());

        // Every priced customer is an exposure of the experiment, split as pricing split them.
        var experiment = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/m300_holdout"));
        var exposures = experiment.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("key").GetString()!, v => v.GetProperty("exposures").GetInt64());
        Assert.Equal(held, exposures["holdout"]);
        Assert.Equal(60 - held, exposures["on"]);
        var results = await Json.ReadAsync(await host.Client.GetAsync("/v1/experiments/m300_holdout/results"));
        Assert.Equal(60, results.GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("units").GetInt64()));
        Assert.Equal(JsonValueKind.Array, results.GetProperty("impact").ValueKind);
        Assert.Equal("on", Assert.Single(results.GetProperty("impact").EnumerateArray()).GetProperty("variant").GetString());
    }
}
