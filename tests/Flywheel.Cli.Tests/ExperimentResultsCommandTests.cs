using System.Text.Json;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests;

/// <summary><c>flywheel experiments results</c> on the demo store: the past SMS broadcast's experiment d11_sms_copy, its units its recipients.</summary>
public sealed class ExperimentResultsCommandTests
{
    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.FromHours(8)));

    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FlywheelCli.RunAsync(args, new CliConsole(output, error, false), Clock);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Results_OfTheDemoExperiment_CountTheBroadcastsRecipients_AndRefuseBadInput()
    {
        var folder = Path.Combine(Path.GetTempPath(), "flywheel-tests", "cli_" + Guid.NewGuid().ToString("N")[..12]);
        var demo = await RunAsync("demo", "--data", folder, "--customers", "2000");
        Assert.True(demo.Exit == 0, demo.Error);

        var json = await RunAsync("experiments", "results", "d11_sms_copy", "--format", "json", "--data", folder);
        Assert.True(json.Exit == 0, json.Error);
        using var doc = JsonDocument.Parse(json.Out);
        var results = doc.RootElement;
        Assert.Equal("d11_sms_copy", results.GetProperty("key").GetString());
        Assert.Equal("holdout", results.GetProperty("holdout_variant").GetString());
        var variants = results.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("key").GetString()!, v => v.GetProperty("units").GetInt64());
        Assert.Equal(["holdout", "a", "b"], variants.Keys.ToArray());

        // The broadcast's messages (sent, suppressed or held out) are one per recipient, each with the experiment's variant.
        var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), Clock, TestStores.Modules, CancellationToken.None);
        using (var store = opened.Value)
        {
            const string broadcast = "source_kind = 'broadcast' AND source_id = 'd11_warmup_sms'";
            // Recipients the planner assigned carry a variant; the broadcast's other messages (75 of 390 at 2000 customers) none.
            var recipients = await TestStores.CountAsync(store, "messages", broadcast + " AND variant IS NOT NULL");
            Assert.True(recipients > 100, $"{recipients} recipients");
            Assert.Equal(recipients, variants.Values.Sum());
            foreach (var (variant, units) in variants)
                Assert.Equal(await TestStores.CountAsync(store, "messages", $"{broadcast} AND variant = '{variant}'"), units);
            Assert.Equal(await TestStores.CountAsync(store, "messages", $"{broadcast} AND status = 'held_out'"), variants["holdout"]);
            Assert.Equal(recipients, await TestStores.CountAsync(store, "experiment_exposures", "experiment_key = 'd11_sms_copy'"));
        }
        Assert.Equal(2, results.GetProperty("impact").GetArrayLength());
        Assert.All(results.GetProperty("metrics").EnumerateArray(),
            m => Assert.Equal(variants.Values.Sum(), m.GetProperty("arms").EnumerateArray().Sum(a => a.GetProperty("units").GetInt64())));

        var text = await RunAsync("experiments", "results", "d11_sms_copy", "--data", folder);
        Assert.True(text.Exit == 0, text.Error);
        foreach (var metric in results.GetProperty("metrics").EnumerateArray())
            Assert.Contains("[" + metric.GetProperty("name").GetString(), text.Out, StringComparison.Ordinal);
        foreach (var name in new[] { "conversion", "revenue", "orders", "aov", "refund_rate", "unsubscribe_rate" })
            Assert.Contains("[" + name + ",", text.Out, StringComparison.Ordinal);
        Assert.Contains("SRM p = ", text.Out, StringComparison.Ordinal);
        Assert.Contains("incremental over holdout holdout", text.Out, StringComparison.Ordinal);

        var unknown = await RunAsync("experiments", "results", "nope", "--data", folder);
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("nope", unknown.Error, StringComparison.Ordinal);
        foreach (var bad in new[] { "2026-02-30", "x", "2026-13-01" })
        {
            var refused = await RunAsync("experiments", "results", "d11_sms_copy", "--as-of", bad, "--data", folder);
            Assert.Equal(2, refused.Exit);
            Assert.Contains("--as-of", refused.Error, StringComparison.Ordinal);
        }
        Assert.Equal(2, (await RunAsync("experiments", "results", "d11_sms_copy", "--format", "xml", "--data", folder)).Exit);
    }
}
