using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Goals;

public sealed class GoalsEndpointsTests
{
    private static string Order(string id, string customer, string paidAt, string price, string channel) => $$"""
        {"order_id":"{{id}}","customer_id":"{{customer}}","placed_at":"{{paidAt}}","paid_at":"{{paidAt}}","status":"paid","channel":"{{channel}}",
         "lines":[{"sku":"k1","quantity":1,"unit_price":"{{price}}"}]}
        """;

    private const string Body = """
        {"name":"Oct orders +50%","metric":"orders","target":"+50%","baseline":"2026-09-01..2026-09-30","start":"2026-10-01","deadline":"2026-10-31"}
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PostThenGet_GivesEveryGoalWithItsStatus(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o1", "u1", "2026-09-05T10:00:00+08:00", "100.00", "douyin"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o2", "u2", "2026-10-05T10:00:00+08:00", "50.00", "jd"))).StatusCode);

        var created = await host.PostJsonAsync("/v1/goals", Body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var goal = await Json.ReadAsync(created);
        var id = goal.GetProperty("id").GetString();
        Assert.Equal(2, goal.GetProperty("target").GetDecimal()); // round(1 × 1.5), half away from zero

        var all = await Json.ReadAsync(await host.Client.GetAsync("/v1/goals"));
        var status = Assert.Single(all.GetProperty("goals").EnumerateArray());
        Assert.Equal(id, status.GetProperty("id").GetString());
        Assert.Equal("+50%", status.GetProperty("target_text").GetString());
        Assert.Equal(1, status.GetProperty("baseline").GetDecimal());
        Assert.Equal(1, status.GetProperty("current").GetDecimal());
        Assert.Equal(1, status.GetProperty("forecast").GetDecimal()); // the clock's today (2026-11-01) is past the deadline
        Assert.Equal("off_track", status.GetProperty("status").GetString());
        Assert.Equal(50m, status.GetProperty("progress_pct").GetDecimal());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Get_WithSeries_GivesTheCumulativeActualAndTheForecastByDay(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o1", "u1", "2026-09-05T10:00:00+08:00", "100.00", "douyin"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o2", "u2", "2026-10-05T10:00:00+08:00", "50.25", "jd"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/orders?create_missing=true", Order("o3", "u3", "2026-10-07T10:00:00+08:00", "20.00", "jd"))).StatusCode);
        var body = """{"name":"Oct GMV","metric":"gmv","target":"+50%","baseline":"2026-09-01..2026-09-30","start":"2026-10-01","deadline":"2026-10-31"}""";
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/v1/goals", body)).StatusCode);

        var plain = Assert.Single((await Json.ReadAsync(await host.Client.GetAsync("/v1/goals"))).GetProperty("goals").EnumerateArray());
        Assert.False(plain.TryGetProperty("series", out _)); // only on request: the CLI's JSON and the default answer are unchanged

        var goal = Assert.Single((await Json.ReadAsync(await host.Client.GetAsync("/v1/goals?series=true"))).GetProperty("goals").EnumerateArray());
        Assert.Equal(70.25m, goal.GetProperty("current").GetDecimal());
        var actual = goal.GetProperty("series").GetProperty("actual").EnumerateArray().ToList();
        // The clock's today (2026-11-01) is past the deadline: the whole of October, cumulative, in yuan.
        Assert.Equal(31, actual.Count);
        Assert.Equal("2026-10-01", actual[0].GetProperty("day").GetString());
        Assert.Equal(0m, actual[3].GetProperty("value").GetDecimal());
        Assert.Equal(50.25m, actual[4].GetProperty("value").GetDecimal());
        Assert.Equal(70.25m, actual[6].GetProperty("value").GetDecimal());
        Assert.Equal(70.25m, actual[30].GetProperty("value").GetDecimal());
        var forecast = Assert.Single(goal.GetProperty("series").GetProperty("forecast").EnumerateArray());
        Assert.Equal("2026-10-31", forecast.GetProperty("day").GetString());
        Assert.Equal(goal.GetProperty("forecast").GetDecimal(), forecast.GetProperty("value").GetDecimal());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_BadInput_Is400NamingTheJsonPath(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        foreach (var (body, path) in new[]
        {
            (Body.Replace("\"orders\"", "\"ctr\"", StringComparison.Ordinal), "$.metric"),
            (Body.Replace("+50%", "+0%", StringComparison.Ordinal), "$.target"),
            (Body.Replace("\"2026-10-31\"", "\"2026-09-30\"", StringComparison.Ordinal), "$.deadline"),
            (Body.Replace("2026-09-01..2026-09-30", "2026-09-30..2026-09-01", StringComparison.Ordinal), "$.baseline"),
            (Body.Replace("\"+50%\"", "true", StringComparison.Ordinal), "$.target"),
            (Body.Replace("\"+50%\"", "-3", StringComparison.Ordinal), "$.target"),
        })
        {
            var response = await host.PostJsonAsync("/v1/goals", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(Json.IsProblem(response));
            Assert.Contains(path, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "goals"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_AbsoluteTargetAsJsonNumber_IsAccepted(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var response = await host.PostJsonAsync("/v1/goals", Body.Replace("\"+50%\"", "3", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var goal = await Json.ReadAsync(response);
        Assert.Equal(3, goal.GetProperty("target").GetDecimal());
        Assert.Equal("3", goal.GetProperty("target_text").GetString());
    }
}
