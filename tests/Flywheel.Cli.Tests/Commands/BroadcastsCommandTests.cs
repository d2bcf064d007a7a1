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

    /// <summary>Ten customers: c1..c8 with an email address and marketing consent, c9 withdrew it, c10 has no address (and so no consent).</summary>
    internal const string Customers = """
        customer_id,name,email,email_consent,consent_at
        c1,顾客1,c1@customer.example,granted,2026-01-01T00:00:00Z
        c2,顾客2,c2@customer.example,granted,2026-01-01T00:00:00Z
        c3,顾客3,c3@customer.example,granted,2026-01-01T00:00:00Z
        c4,顾客4,c4@customer.example,granted,2026-01-01T00:00:00Z
        c5,顾客5,c5@customer.example,granted,2026-01-01T00:00:00Z
        c6,顾客6,c6@customer.example,granted,2026-01-01T00:00:00Z
        c7,顾客7,c7@customer.example,granted,2026-01-01T00:00:00Z
        c8,顾客8,c8@customer.example,granted,2026-01-01T00:00:00Z
        c9,顾客9,c9@customer.example,withdrawn,2026-01-01T00:00:00Z
        c10,顾客10,,,
        """;

    [Fact]
    public async Task AddPlanStats_CountsQueuedHeldOutAndSuppressed()
    {
        var folder = JourneysCommandTests.NewFolder();
        var (exit, _, error) = await JourneysCommandTests.RunAsync("import", "customers", JourneysCommandTests.Write(folder, "customers.csv", Customers), "--data", folder);
        Assert.True(exit == 0, error);
        var definition = Definition.Replace("\"holdout_percent\":10", "\"holdout_percent\":50", StringComparison.Ordinal);
        (exit, var output, error) = await JourneysCommandTests.RunAsync("broadcasts", "add", "d11", JourneysCommandTests.Write(folder, "b.json", definition), "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("added d11 (planned) 双11 预热 → all", output.Trim());

        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "plan", "d11", "--data", folder);
        Assert.True(exit == 0, error);
        var m = System.Text.RegularExpressions.Regex.Match(output, @"d11: sending; planned 10 .*queued 排队 (\d+), held out 对照组 (\d+), suppressed 抑制 2\n");
        Assert.True(m.Success, output);
        long N(int g) => long.Parse(m.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(8, N(1) + N(2));
        Assert.True(N(1) > 0 && N(2) > 0, output);
        Assert.Contains("no marketing consent on email × 2", output, StringComparison.Ordinal);

        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "stats", "d11", "--format", "json", "--data", folder);
        Assert.True(exit == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("sending", json.GetProperty("status").GetString());
        Assert.Equal(10, json.GetProperty("planned").GetInt64());
        var messages = json.GetProperty("messages");
        Assert.Equal(N(1), messages.GetProperty("queued").GetInt64());
        Assert.Equal(N(2), messages.GetProperty("held_out").GetInt64());
        Assert.Equal(2, messages.GetProperty("suppressed").GetInt64());

        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "stats", "d11", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("群发 broadcast d11 (sending) 双11 预热 → all; planned 10", output, StringComparison.Ordinal);
        Assert.Contains($"queued {N(1)},", output, StringComparison.Ordinal);

        // Planning again leaves a sending broadcast as it is.
        (exit, output, error) = await JourneysCommandTests.RunAsync("broadcasts", "plan", "d11", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("planned 10 (this run 0 in 0 batch(es))", output, StringComparison.Ordinal);
    }
}
