using System.Text.Json;

namespace Flywheel.Cli.Tests.Commands;

public sealed class BroadcastsCommandTests
{
    private const string Definition = """
        {"name":"双11 预热","segment":"all","channel":"email","purpose":"marketing",
         "template":{"subject":"{{customer.name}}，双11 来了","text":"hi {{track \"https://shop.example/d11\"}} 退订 {{unsubscribe_url}}"},
         "send_at":"2026-11-23T02:00:00Z","holdout_percent":10}
        """;

    [Theory]
    [InlineData("\"holdout_percent\":10", "\"holdout_percent\":90", "b.json: $.holdout_percent")]
    [InlineData("\"segment\":\"all\"", "\"segment\":\"no_such_segment\"", "b.json: $.segment: no segment 'no_such_segment'")]
    [InlineData("{{customer.name}}", "{{customer.nam}}", "b.json: $.template")]
    public async Task AddBad_ExitsTwoWithThePath_AndWritesNothing(string from, string to, string expected)
    {
        var folder = JourneysCommandTests.NewFolder();
        var bad = Definition.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Definition, bad);
        var (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "add", "d11", JourneysCommandTests.Write(folder, "b.json", bad), "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        (exit, _, error) = await JourneysCommandTests.RunAsync("broadcasts", "stats", "d11", "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("there is no broadcast 'd11'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPlanStats_OnTheDemoStore_CountsEveryCustomer()
    {
        var folder = JourneysCommandTests.NewFolder();
        var (exit, _, error) = await JourneysCommandTests.RunAsync("demo", "--data", folder, "--customers", "80", "--days", "7");
        Assert.True(exit == 0, error);
        (exit, var output, error) = await JourneysCommandTests.RunAsync("broadcasts", "add", "d11", JourneysCommandTests.Write(folder, "b.json", Definition), "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("added d11 (planned) 双11 预热 → all", output.Trim());

        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "plan", "d11", "--data", folder);
        Assert.True(exit == 0, error);
        var m = System.Text.RegularExpressions.Regex.Match(output, @"d11: sending; planned (\d+) .*queued 排队 (\d+), held out 对照组 (\d+), suppressed 抑制 (\d+)");
        Assert.True(m.Success, output);
        long N(int g) => long.Parse(m.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(80, N(1));
        Assert.Equal(N(1), N(2) + N(3) + N(4));

        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "stats", "d11", "--format", "json", "--data", folder);
        Assert.True(exit == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("sending", json.GetProperty("status").GetString());
        Assert.Equal(80, json.GetProperty("planned").GetInt64());
        var messages = json.GetProperty("messages");
        Assert.Equal(N(2), messages.GetProperty("queued").GetInt64());
        Assert.Equal(N(4), messages.GetProperty("suppressed").GetInt64());

        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "stats", "d11", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("群发 broadcast d11 (sending) 双11 预热 → all; planned 80", output, StringComparison.Ordinal);
    }
}
