using System.Net.Http.Json;
using System.Text;
using Flywheel.Architecture.Tests.Upgrade;
using Flywheel.Hosting.Cli;
using Flywheel.Server;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Architecture.Tests;

/// <summary>An endpoint and its command call one handler, so the same bad input gets the same message on both surfaces.</summary>
public sealed class OneHandlerTests
{
    [Theory]
    [InlineData("""{"steps":["product_view","add_to_cart"],"from":"2026-05-10","to":"2026-05-01"}""", new[] { "--from", "2026-05-10", "--to", "2026-05-01" }, "2026-05-01 is before from (2026-05-10)")]
    [InlineData("""{"steps":["product_view","add_to_cart"],"window":"7x"}""", new[] { "--window", "7x" }, "'7x' is not a window")]
    public async Task Funnel_SameBadInput_SameMessageOverHttpAndCli(string body, string[] options, string message)
    {
        var location = TestStores.NewLocation(TestStores.Sqlite);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Flywheel.Cli.FlywheelCli.RunAsync(["report", "funnel", "--steps", "product_view,add_to_cart", .. options, "--data", location.DataFolder!],
            new CliConsole(output, error, false), new TestClock());
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);

        Directory.CreateDirectory(location.DataFolder!);
        await using var server = await UpgradedServer.StartAsync(location);
        using var response = await server.Client.PostAsync("/v1/funnels", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// KPIs, cohorts and attribution: the same bad question, asked on the command line and over HTTP, fails on the same field
    /// (the option and the JSON path that carry it) with the same message, because both surfaces call one question.
    /// </summary>
    [Theory]
    [InlineData("kpi", "GET", "/v1/metrics?from=2026-05-10&to=2026-05-01", new[] { "--from", "2026-05-10", "--to", "2026-05-01" }, "--to", "$.to", "2026-05-01 is before from (2026-05-10)")]
    [InlineData("kpi", "GET", "/v1/metrics?by=hour", new[] { "--by", "hour" }, "--by", "$.by", "unknown grouping 'hour'")]
    [InlineData("kpi", "GET", "/v1/metrics?from=May", new[] { "--from", "May" }, "--from", "$.from", "'May' is not a date")]
    [InlineData("kpi", "GET", "/v1/metrics?channel=", new[] { "--channel", "" }, "--channel", "$.channel", "an empty channel")]
    [InlineData("kpi", "GET", "/v1/metrics?segment=nobody_here", new[] { "--segment", "nobody_here" }, "--segment", "$.segment", "nobody_here")]
    [InlineData("cohort", "POST /v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","period":"year"}""", new[] { "--from", "2026-05-01", "--to", "2026-05-31", "--period", "year" }, "--period", "$.period", "'year' is not week or month")]
    [InlineData("cohort", "POST /v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","periods":99}""", new[] { "--from", "2026-05-01", "--to", "2026-05-31", "--periods", "99" }, "--periods", "$.periods", "99 is outside 1..36")]
    [InlineData("cohort", "POST /v1/cohorts", """{"from":"2026-05-01","to":"2026-05-31","entry":"last_purchase"}""", new[] { "--from", "2026-05-01", "--to", "2026-05-31", "--entry", "last_purchase" }, "--entry", "$.entry", "'last_purchase' is not first_purchase, signup or first:<event_type>")]
    [InlineData("attribution", "POST /v1/attribution", """{"from":"2026-05-01","to":"2026-05-31","by":"weather"}""", new[] { "--from", "2026-05-01", "--to", "2026-05-31", "--by", "weather" }, "--by", "$.by", "'weather' is not channel, campaign or kol")]
    [InlineData("attribution", "POST /v1/attribution", """{"from":"2026-05-01","to":"2026-05-31","half_life_days":400}""", new[] { "--from", "2026-05-01", "--to", "2026-05-31", "--half-life", "400d" }, "--half-life", "$.half_life_days", "at most 365 days")]
    [InlineData("rfm", "GET", "/v1/rfm?window=0", new[] { "--window", "0" }, "--window", "$.window", "the window must be 1 to 3660 days")]
    [InlineData("rfm", "GET", "/v1/rfm?as_of=2026-06-30&compare=2026-01-01", new[] { "--as-of", "2026-06-30", "--compare", "2026-01-01" }, "--compare", "$.compare", "2026-01-01 must come after as_of 2026-06-30")]
    [InlineData("rfm", "GET", "/v1/rfm?thresholds=r%3D1", new[] { "--thresholds", "r=1" }, "--thresholds", "$.thresholds", "expected r=D1,D2,D3,D4")]
    [InlineData("rfm", "GET", "/v1/rfm?customers=100001", new[] { "--customers", "100001" }, "--customers", "$.customers", "customers is 0 to 100000")]
    public async Task Reports_SameBadQuestion_SameFieldAndMessageOverHttpAndCli(string report, string method, string target, string[] options, string option,
        string path, string message)
    {
        var location = TestStores.NewLocation(TestStores.Sqlite);
        Directory.CreateDirectory(location.DataFolder!);
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] command = report == "rfm" ? ["rfm"] : ["report", report];
        var exit = await Flywheel.Cli.FlywheelCli.RunAsync([.. command, .. options, "--data", location.DataFolder!], new CliConsole(output, error, false), new TestClock());
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains($"{option}: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);

        await using var server = await UpgradedServer.StartAsync(location);
        using var response = method == "GET"
            ? await server.Client.GetAsync(target)
            : await server.Client.PostAsync(method["POST ".Length..], new StringContent(target, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var item = problem.GetProperty("errors")[0];
        Assert.Equal(path, item.GetProperty("path").GetString());
        Assert.Contains(message, item.GetProperty("message").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromoPrice_SameBadCart_SameMessageOverHttpAndCli()
    {
        var location = TestStores.NewLocation(TestStores.Sqlite);
        Directory.CreateDirectory(location.DataFolder!);
        var cart = Path.Combine(location.DataFolder!, "cart.json");
        const string Body = """{"lines":[{"sku":"A","store":"s","category":"c","quantity":0,"unit_list_price":100}]}""";
        await File.WriteAllTextAsync(cart, Body);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Flywheel.Cli.FlywheelCli.RunAsync(["promo", "price", cart, "--data", location.DataFolder!], new CliConsole(output, error, false), new TestClock());
        Assert.Equal(ExitCodes.BadInput, exit);
        var cliMessage = error.ToString().Trim();

        await using var server = await UpgradedServer.StartAsync(location);
        using var response = await server.Client.PostAsync("/v1/carts/price", new StringContent(Body, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var httpMessage = problem.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.EndsWith(httpMessage, cliMessage, StringComparison.Ordinal);
    }
}
