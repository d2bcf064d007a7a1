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
