using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class JourneysCommandTests
{
    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.FromHours(8)));

    internal static string NewFolder() => Path.Combine(Path.GetTempPath(), "flywheel-tests", "cli_" + Guid.NewGuid().ToString("N")[..12]);

    internal static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FlywheelCli.RunAsync(args, new CliConsole(output, error, false), Clock);
        return (exit, output.ToString(), error.ToString());
    }

    internal static string Write(string folder, string name, string text)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Good = """
        {"id":"j1","name":"测试旅程","trigger":{"type":"event","event":"add_to_cart"},"reentry":{"mode":"once_ever"},"start":"w",
         "steps":[{"id":"w","type":"wait","duration":"1h","next":"s"},
                  {"id":"s","type":"send","channel":"email","purpose":"transactional","template":{"subject":"您好 {{customer.name}}","text":"购物车合计 {{cart.total}}"},"next":"x"},
                  {"id":"x","type":"exit"}]}
        """;

    [Fact]
    public async Task AddFromTemplate_List_Activate_Pause()
    {
        var folder = NewFolder();
        var (exit, output, error) = await RunAsync("journeys", "add", "--template", "abandoned_cart", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("added abandoned_cart (draft)", output.Trim());

        (exit, output, error) = await RunAsync("journeys", "list", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("abandoned_cart  draft  v1  购物车催付", output, StringComparison.Ordinal);
        Assert.Contains("[event add_to_cart unless order_paid within 30m]", output, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync("journeys", "activate", "abandoned_cart", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("abandoned_cart: active (version 2)", output, StringComparison.Ordinal);
        (_, output, _) = await RunAsync("journeys", "list", "--status", "active", "--data", folder);
        Assert.Contains("abandoned_cart  active  v2", output, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync("journeys", "pause", "abandoned_cart", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("abandoned_cart: paused (version 3)", output, StringComparison.Ordinal);
        (_, output, _) = await RunAsync("journeys", "list", "--status", "active", "--data", folder);
        Assert.Equal("", output);
        (_, output, _) = await RunAsync("journeys", "list", "--format", "json", "--data", folder);
        var listed = JsonDocument.Parse(output).RootElement;
        Assert.Equal(1, listed.GetArrayLength());
        Assert.Equal("paused", listed[0].GetProperty("status").GetString());
        Assert.Equal(3, listed[0].GetProperty("version").GetInt32());

        (exit, _, error) = await RunAsync("journeys", "activate", "nope", "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("there is no journey 'nope'", error, StringComparison.Ordinal);
        (exit, _, error) = await RunAsync("journeys", "add", "--template", "no_such_template", "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("abandoned_cart, welcome", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddWithActivate_SavesActive_AndReAddReplaces()
    {
        var folder = NewFolder();
        var path = Write(folder, "j.json", Good);
        var (exit, output, error) = await RunAsync("journeys", "add", path, "--activate", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("added j1 (active)", output.Trim());
        (exit, output, error) = await RunAsync("journeys", "add", path, "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("replaced j1 (draft, version 2)", output.Trim());
        Assert.Contains("warning: journey 'j1' was active; it is saved as a draft now", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"duration\":\"1h\"", "\"duration\":\"-1h\"", "j.json: $.steps[0].duration: a wait is positive: \"-1h\"")]
    [InlineData("\"event\":\"add_to_cart\"", "\"event\":\"add_to_kart\"", "j.json: $.trigger.event: unknown event type \"add_to_kart\"")]
    [InlineData("\"next\":\"x\"", "\"next\":\"w\"", "j.json: $.steps[1].next: the steps form a cycle: w -> s -> w")]
    [InlineData("{{cart.total}}", "{{cart.totl}}", "j.json: $.steps[1].template")]
    public async Task AddBad_ExitsTwoWithThePath_AndWritesNothing(string from, string to, string expected)
    {
        var folder = NewFolder();
        var bad = Good.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Good, bad);
        var (exit, output, error) = await RunAsync("journeys", "add", Write(folder, "j.json", bad), "--activate", "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (exit, output, error) = await RunAsync("journeys", "list", "--data", folder);
        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.Contains("no journeys", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBadSegmentRule_IsCompiledAgainstTheStoreFields()
    {
        var folder = NewFolder();
        var bad = Good.Replace("\"start\":\"w\"", "\"conditions\":\"no_such_field > 3\",\"start\":\"w\"", StringComparison.Ordinal);
        var (exit, _, error) = await RunAsync("journeys", "add", Write(folder, "j.json", bad), "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("j.json: $.conditions", error, StringComparison.Ordinal);
        var good = Good.Replace("\"start\":\"w\"", "\"conditions\":\"consent(\\\"email\\\")\",\"start\":\"w\"", StringComparison.Ordinal);
        (exit, _, error) = await RunAsync("journeys", "add", Write(folder, "ok.json", good), "--data", folder);
        Assert.True(exit == 0, error);
    }

    [Fact]
    public async Task AddYaml_ByExtension()
    {
        var folder = NewFolder();
        const string yaml = """
            id: y1
            name: YAML 旅程
            trigger: { type: event, event: order_paid }
            reentry: { mode: always }
            start: w
            steps:
              - { id: w, type: wait, duration: 2h, next: s }
              - id: s
                type: send
                channel: email
                purpose: transactional
                template: { subject: "谢谢 {{customer.name}}", text: "订单 {{order.id}}" }
                next: x
              - { id: x, type: exit }
            """;
        var (exit, output, error) = await RunAsync("journeys", "add", Write(folder, "y.yaml", yaml), "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("added y1 (draft)", output.Trim());
        (_, output, _) = await RunAsync("journeys", "list", "--data", folder);
        Assert.Contains("y1  draft  v1  YAML 旅程  [event order_paid]", output, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("journeys", "add", Write(folder, "bad.yml", yaml.Replace("duration: 2h", "duration: -2h", StringComparison.Ordinal)), "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("bad.yml: $.steps[0].duration", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_ListsAllEight()
    {
        var (exit, output, _) = await RunAsync("journeys", "templates");
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, lines.Length);
        Assert.StartsWith("abandoned_cart", lines[0], StringComparison.Ordinal);
        Assert.Contains("购物车催付  (Abandoned cart)", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("group_buy_expiring", StringComparison.Ordinal) && l.Contains("拼团即将结束", StringComparison.Ordinal));
        (_, output, _) = await RunAsync("journeys", "templates", "--format", "json");
        Assert.Equal(8, JsonDocument.Parse(output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Stats_NoEntries_PrintsZeros()
    {
        var folder = NewFolder();
        var (exit, _, error) = await RunAsync("journeys", "add", "--template", "abandoned_cart", "--data", folder);
        Assert.True(exit == 0, error);
        (exit, var output, error) = await RunAsync("journeys", "stats", "abandoned_cart", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("归因窗口 attribution window: 7d", output, StringComparison.Ordinal);
        Assert.Matches(@"\nall\s+0\s+0\s+0\.0%\s+¥0\.00\n", output);
        Assert.Matches(@"\nemail\s+0\s+0\s+0\s+0\s+0\s+0\s+¥0\.00\s+0\n", output);
        Assert.Contains("no holdout", output, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync("journeys", "stats", "abandoned_cart", "--window", "3d", "--format", "json", "--data", folder);
        Assert.True(exit == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("3d", json.GetProperty("attribution_window").GetString());
        Assert.Equal(0, json.GetProperty("variants").GetArrayLength());

        (exit, _, error) = await RunAsync("journeys", "stats", "abandoned_cart", "--window", "banana", "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--window", error, StringComparison.Ordinal);
        (exit, _, error) = await RunAsync("journeys", "stats", "missing", "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("there is no journey 'missing'", error, StringComparison.Ordinal);
    }
}
