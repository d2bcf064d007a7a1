using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests;

/// <summary><c>flywheel experiments create|list|show|start|stop|assign</c>: the HTTP API's handlers; bad input names the place, exits 2 and stores nothing.</summary>
public sealed class ExperimentsCommandTests
{
    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(8)));

    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FlywheelCli.RunAsync(args, new CliConsole(output, error, false), Clock);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Create_Start_Assign_List_Show_Stop()
    {
        var folder = Path.Combine(Path.GetTempPath(), "flywheel-tests", "cli_" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var bad = Path.Combine(folder, "bad.json");
        await File.WriteAllTextAsync(bad, """{"key":"subject_test","name":"x","variants":[{"key":"control","weight":50},{"key":"b","weight":50000}]}""");
        var refused = await RunAsync("experiments", "create", bad, "--data", folder);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("$.variants[1].weight", refused.Error, StringComparison.Ordinal);
        await File.WriteAllTextAsync(bad, """{"key":"subject_test","name":"x","name":"y","variants":[{"key":"control","weight":50},{"key":"b","weight":50}]}""");
        Assert.Equal(2, (await RunAsync("experiments", "create", bad, "--data", folder)).Exit);
        Assert.Equal(2, (await RunAsync("experiments", "create", Path.Combine(folder, "missing.json"), "--data", folder)).Exit);

        var good = Path.Combine(folder, "subject.json");
        await File.WriteAllTextAsync(good, """
            {"key": "subject_test", "name": "双11预热短信标题", "unit": "customer",
             "variants": [{"key": "control", "name": "原标题", "weight": 50}, {"key": "b", "weight": 50}, {"key": "holdout", "weight": 10, "holdout": true}],
             "metrics": {"primary": "conversion", "secondary": ["revenue"], "guardrails": ["refund_rate"]}}
            """);
        var created = await RunAsync("experiments", "create", good, "--data", folder);
        Assert.True(created.Exit == 0, created.Error);
        Assert.Contains("created subject_test  双11预热短信标题  (draft)", created.Out, StringComparison.Ordinal);
        Assert.Contains("holdout", created.Out, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("experiments", "create", good, "--data", folder)).Exit); // the key is taken

        var notRunning = await RunAsync("experiments", "assign", "subject_test", "--unit", "c1", "--data", folder);
        Assert.Equal(0, notRunning.Exit);
        Assert.Contains("not in the experiment (it is not running)", notRunning.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("experiments", "start", "subject_test", "--data", folder)).Exit);
        Assert.Equal(2, (await RunAsync("experiments", "start", "subject_test", "--data", folder)).Exit);

        var assigned = await RunAsync("experiments", "assign", "subject_test", "--unit", "c1", "--format", "json", "--data", folder);
        Assert.True(assigned.Exit == 0, assigned.Error);
        using var json = JsonDocument.Parse(assigned.Out);
        var variant = json.RootElement.GetProperty("variant").GetString();
        Assert.True(json.RootElement.GetProperty("in_experiment").GetBoolean());
        var again = await RunAsync("experiments", "assign", "subject_test", "--unit", "c1", "--data", folder);
        Assert.StartsWith($"subject_test: {variant}", again.Out, StringComparison.Ordinal);

        var badUnit = await RunAsync("experiments", "assign", "subject_test", "--unit", "", "--data", folder);
        Assert.Equal(2, badUnit.Exit);
        Assert.Contains("--unit", badUnit.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("experiments", "assign", "nope", "--unit", "c1", "--data", folder)).Exit);
        Assert.Equal(2, (await RunAsync("experiments", "show", "nope", "--data", folder)).Exit);
        Assert.Equal(2, (await RunAsync("experiments", "list", "--format", "xml", "--data", folder)).Exit);

        var list = await RunAsync("experiments", "list", "--data", folder);
        Assert.Equal(0, list.Exit);
        Assert.Contains("subject_test  running  双11预热短信标题  exposures: ", list.Out, StringComparison.Ordinal);
        Assert.Contains($"{variant} 1", list.Out, StringComparison.Ordinal);
        var show = await RunAsync("experiments", "show", "subject_test", "--format", "json", "--data", folder);
        using var shown = JsonDocument.Parse(show.Out);
        Assert.Equal(1, shown.RootElement.GetProperty("exposures").GetInt64());
        Assert.Equal("2026-11-01T04:00:00+00:00", shown.RootElement.GetProperty("started_at").GetString());

        var stopped = await RunAsync("experiments", "stop", "subject_test", "--data", folder);
        Assert.Equal(0, stopped.Exit);
        Assert.Contains("stopped subject_test", stopped.Out, StringComparison.Ordinal);
        Assert.Contains("stopped 2026-11-01 04:00 UTC", stopped.Out, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("experiments", "stop", "subject_test", "--data", folder)).Exit);
    }
}
