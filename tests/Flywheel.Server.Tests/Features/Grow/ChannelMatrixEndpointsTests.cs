using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Ingestion.Demo;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Grow;

/// <summary>GET /v1/grow/matrix, GET /v1/grow/next-yuan and /v1/grow/stages: bad input is a 4xx ProblemDetails naming the field.</summary>
public sealed class ChannelMatrixEndpointsTests
{
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(response);
        Assert.Contains(field, problem.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Matrix_BadDates_Are400(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/matrix?from=2026-13-01"), HttpStatusCode.BadRequest, "from");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/matrix?to=yesterday"), HttpStatusCode.BadRequest, "to");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/matrix?from=2026-06-02&to=2026-06-01"), HttpStatusCode.BadRequest, "from");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/matrix?from=0001-01-01"), HttpStatusCode.BadRequest, "from");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/matrix?to=9999-12-31"), HttpStatusCode.BadRequest, "to");

        // An empty store answers every stage, empty, for the range asked.
        var empty = await Json.ReadAsync(await host.Client.GetAsync("/v1/grow/matrix?from=1970-01-01&to=2087-12-31"));
        Assert.Equal(5, empty.GetProperty("stages").GetArrayLength());
        Assert.Equal(0, empty.GetProperty("total").GetProperty("gmv_fen").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task NextYuan_BadBudgetWeeksOrModel_Are400(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=-1"), HttpStatusCode.BadRequest, "budget");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=1000000000001"), HttpStatusCode.BadRequest, "budget");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=99999999999999999999999"), HttpStatusCode.BadRequest, "budget");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=1e30"), HttpStatusCode.BadRequest, "budget");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=12.5"), HttpStatusCode.BadRequest, "budget");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?weeks=3"), HttpStatusCode.BadRequest, "weeks");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?weeks=99999999999"), HttpStatusCode.BadRequest, "weeks");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/grow/next-yuan?model=gut_feeling"), HttpStatusCode.BadRequest, "model");

        var empty = await Json.ReadAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=0&weeks=104"));
        Assert.Equal(0, empty.GetProperty("channels").GetArrayLength());
        Assert.Equal("time_decay", empty.GetProperty("attribution_model").GetString());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Stages_SetResetAndBadInput(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var set = await host.PutJsonAsync("/v1/grow/stages/email", """{"stage":"loyalty"}""");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("loyalty", (await Json.ReadAsync(set)).GetProperty("stage").GetString());
        var list = await Json.ReadAsync(await host.Client.GetAsync("/v1/grow/stages"));
        var email = list.EnumerateArray().Single(r => r.GetProperty("channel").GetString() == "email");
        Assert.Equal(("loyalty", "repurchase", "set"), (email.GetProperty("stage").GetString(), email.GetProperty("default_stage").GetString(), email.GetProperty("source").GetString()));

        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/douyin", """{"stage":"growth"}"""), HttpStatusCode.BadRequest, "stage");
        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/douyin", """{"stage":null}"""), HttpStatusCode.BadRequest, "stage");
        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/douyin", """{"stage":"loyalty","extra":1}"""), HttpStatusCode.BadRequest, "extra");
        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/douyin", """["loyalty"]"""), HttpStatusCode.BadRequest, "body");
        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/douyin", ""), HttpStatusCode.BadRequest, "");
        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/douyin", """{"stage":"loyalty","stage":"decision"}"""), HttpStatusCode.BadRequest, "stage");
        await AssertProblemAsync(await host.PutJsonAsync("/v1/grow/stages/" + new string('x', 65), """{"stage":"loyalty"}"""), HttpStatusCode.BadRequest, "channel");
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "grow_channel_stages"));

        // A viewer may read but not set.
        var viewer = await host.ClientForAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/v1/grow/stages")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsync("/v1/grow/stages/douyin", new StringContent("""{"stage":"loyalty"}""", Encoding.UTF8, "application/json"))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.DeleteAsync("/v1/grow/stages/email")).StatusCode);
        await AssertProblemAsync(await host.Client.DeleteAsync("/v1/grow/stages/email"), HttpStatusCode.NotFound, "channel");
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "grow_channel_stages"));
    }

    /// <summary>
    /// On a demo store (as <c>flywheel demo</c> builds it, smaller): every stage has channels with data, the cells agree with
    /// GET /v1/metrics?by=channel for the same range, and the next-yuan advice has channels with spend, some of them determined.
    /// </summary>
    [Fact]
    public async Task DemoStore_MatrixFillsEveryStage_AgreesWithMetrics_AndTheAdviceHasDeterminedChannels()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        host.Clock.Now = new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.FromHours(8));
        await DemoStoreGenerator.GenerateAsync(host.Store, new DemoOptions(Customers: 2000, Days: 365, Seed: 42), host.Clock, null, CancellationToken.None);
        await Flywheel.Grow.GrowModule.AddDemoAsync(host.Store, host.Clock, CancellationToken.None);

        var matrix = await Json.ReadAsync(await host.Client.GetAsync("/v1/grow/matrix"));
        var from = matrix.GetProperty("from").GetString();
        var to = matrix.GetProperty("to").GetString();
        Assert.Equal(89, DateOnly.Parse(to!, CultureInfo.InvariantCulture).DayNumber - DateOnly.Parse(from!, CultureInfo.InvariantCulture).DayNumber);
        foreach (var stage in matrix.GetProperty("stages").EnumerateArray())
        {
            Assert.True(stage.GetProperty("channels").GetArrayLength() > 0, $"stage {stage.GetProperty("stage")} has no channel");
            Assert.True(stage.GetProperty("gmv_fen").GetInt64() > 0, $"stage {stage.GetProperty("stage")} has no GMV");
        }
        Assert.Equal("email", matrix.GetProperty("stages")[4].GetProperty("channels")[0].GetProperty("channel").GetString());

        var metrics = await Json.ReadAsync(await host.Client.GetAsync($"/v1/metrics?by=channel&from={from}&to={to}"));
        var rows = metrics.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!, StringComparer.Ordinal);
        var cells = matrix.GetProperty("stages").EnumerateArray().SelectMany(s => s.GetProperty("channels").EnumerateArray()).ToList();
        Assert.Equal(rows.Count, cells.Count);
        foreach (var cell in cells)
        {
            var row = rows[cell.GetProperty("channel").GetString()!];
            Assert.Equal(row.GetProperty("gmv").GetDecimal() * 100, cell.GetProperty("gmv_fen").GetInt64());
            Assert.Equal(row.GetProperty("spend").GetDecimal() * 100, cell.GetProperty("spend_fen").GetInt64());
            Assert.Equal(row.GetProperty("orders").GetInt64(), cell.GetProperty("orders").GetInt64());
            Assert.Equal(row.GetProperty("uv").GetInt64(), cell.GetProperty("uv").GetInt64());
            Assert.Equal(row.GetProperty("impressions").GetInt64(), cell.GetProperty("impressions").GetInt64());
            Assert.Equal(row.GetProperty("clicks").GetInt64(), cell.GetProperty("clicks").GetInt64());
            Assert.Equal(row.GetProperty("new_buyers").GetInt64(), cell.GetProperty("new_customers").GetInt64());
        }

        var advice = await Json.ReadAsync(await host.Client.GetAsync("/v1/grow/next-yuan"));
        var channels = advice.GetProperty("channels").EnumerateArray().ToList();
        Assert.True(channels.Count >= 5);
        Assert.Contains(channels, c => c.GetProperty("determined").GetBoolean());
        Assert.All(channels, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("reason").GetString())));
        Assert.Equal(advice.GetProperty("current_total_spend_fen").GetInt64(), advice.GetProperty("budget_fen").GetInt64());

        var doubled = await Json.ReadAsync(await host.Client.GetAsync($"/v1/grow/next-yuan?budget={advice.GetProperty("budget_fen").GetInt64() * 2}"));
        Assert.True(doubled.GetProperty("suggested_total_spend_fen").GetInt64() <= doubled.GetProperty("budget_fen").GetInt64());
        var huge = await Json.ReadAsync(await host.Client.GetAsync("/v1/grow/next-yuan?budget=1000000000000&model=position_based"));
        Assert.True(huge.GetProperty("unallocated_fen").GetInt64() > 0); // no channel may be given more than 1.5x its largest week
    }
}
