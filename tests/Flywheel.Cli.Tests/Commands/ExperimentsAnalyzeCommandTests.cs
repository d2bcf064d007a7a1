using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Cli;

namespace Flywheel.Cli.Tests.Commands;

/// <summary><c>flywheel experiments analyze FILE.json</c> (the CLI contract) and <c>flywheel experiments size</c>.</summary>
public sealed class ExperimentsAnalyzeCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-analyze-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string text) => WriteBytes(Encoding.UTF8.GetBytes(text));

    private string WriteBytes(byte[] bytes)
    {
        var path = Path.Combine(_folder, $"ab{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task Binomial_Json_IsTheContractShape_WithTheZTestValues()
    {
        var file = Write("""{"metric": "binomial", "confidence": 0.95, "variants": [{"name": "control", "n": 1000, "conversions": 200}, {"name": "b", "n": 1000, "conversions": 240}]}""");
        var (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", file, "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("srm_p_value", root.EnumerateObject().First().Name); // the contract's order: srm_p_value, results, then extras
        Assert.Equal(1, root.GetProperty("srm_p_value").GetDouble(), 1e-12);
        var r = root.GetProperty("results")[0];
        Assert.Equal("b", r.GetProperty("variant").GetString());
        Assert.Equal(["variant", "absolute", "relative", "bayesian"], r.EnumerateObject().Take(4).Select(p => p.Name));
        var absolute = r.GetProperty("absolute");
        Assert.Equal(0.04, absolute.GetProperty("effect").GetDouble(), 1e-12);
        Assert.Equal(0.0306422, absolute.GetProperty("p_value").GetDouble(), 1e-6); // Python NormalDist, see ReferenceVectorTests
        Assert.Equal(0.0037327, absolute.GetProperty("ci_low").GetDouble(), 1e-6);
        Assert.Equal(0.0762673, absolute.GetProperty("ci_high").GetDouble(), 1e-6);
        var relative = r.GetProperty("relative");
        Assert.Equal(0.2, relative.GetProperty("effect").GetDouble(), 1e-12); // (0.24 − 0.20) / 0.20
        Assert.True(relative.GetProperty("ci_low").GetDouble() < 0.2 && relative.GetProperty("ci_high").GetDouble() > 0.2);
        var bayesian = r.GetProperty("bayesian");
        Assert.InRange(bayesian.GetProperty("chance_to_win").GetDouble(), 0.97, 0.995);
        Assert.True(bayesian.GetProperty("expected_loss").GetDouble() >= 0);
        foreach (var key in new[] { "ci_low", "ci_high" }) Assert.Equal(JsonValueKind.Number, bayesian.GetProperty(key).ValueKind);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task Mean_GrowthBookWelchVector_AndTheTextTable()
    {
        var file = Write("""{"metric": "mean", "variants": [{"name": "control", "n": 3407, "mean": 0.41, "sd": 3.9}, {"name": "b", "n": 3461, "mean": 0.70, "sd": 6.2}]}""");
        var (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", file, "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var absolute = json.RootElement.GetProperty("results")[0].GetProperty("absolute");
        Assert.Equal(0.29, absolute.GetProperty("effect").GetDouble(), 1e-9);
        Assert.Equal(0.04538, absolute.GetProperty("ci_low").GetDouble(), 5e-6);
        Assert.Equal(0.53462, absolute.GetProperty("ci_high").GetDouble(), 5e-6);
        Assert.Equal(0.02016, absolute.GetProperty("p_value").GetDouble(), 5e-6);

        (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", file);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("SRM p-value / 样本比例检验 p 值", output);
        Assert.Contains("absolute / 绝对差:   0.29 [0.045378, 0.534622]  p 0.0202", output);
        Assert.Contains("chance to win / 胜率", output);
    }

    [Fact]
    public async Task IdenticalArms_AndUnequalWeights_AndAnSrmWarning()
    {
        var same = Write("""{"metric":"binomial","confidence":0.95,"variants":[{"name":"control","n":500,"conversions":50},{"name":"b","n":500,"conversions":50}]}""");
        var (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", same, "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var r = json.RootElement.GetProperty("results")[0];
            Assert.Equal(0, r.GetProperty("absolute").GetProperty("effect").GetDouble(), 1e-12);
            Assert.Equal(1, r.GetProperty("absolute").GetProperty("p_value").GetDouble(), 1e-9);
            Assert.Equal(0.5, r.GetProperty("bayesian").GetProperty("chance_to_win").GetDouble(), 1e-9);
        }

        var skewed = """{"metric":"binomial","variants":[{"name":"control","n":5000,"conversions":500%W0%},{"name":"b","n":5400,"conversions":540%W1%}]}""";
        (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", Write(skewed.Replace("%W0%", "").Replace("%W1%", "")), "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.True(json.RootElement.GetProperty("srm_p_value").GetDouble() < 0.001);
            Assert.True(json.RootElement.GetProperty("srm_warning").GetBoolean());
        }
        (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", Write(skewed.Replace("%W0%", ",\"weight\":48").Replace("%W1%", ",\"weight\":52")));
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.DoesNotContain("WARNING", output);
        Assert.Contains("ok / 正常", output);
    }

    [Theory]
    [InlineData("""{"metric":"binomial","variants":[{"name":"control","n":1000,"conversions":200}]}""", "variants: at least two")]
    [InlineData("""{"metric":"binomial","variants":[{"name":"control","n":1000},{"name":"b","n":10,"conversions":2}]}""", "variants[0].conversions")]
    [InlineData("""{"metric":"binomial","variants":[{"name":"control","n":100,"conversions":20},{"name":"b","n":10,"conversions":11}]}""", "variants[1].conversions: conversions (11) cannot exceed n (10)")]
    [InlineData("""{"metric":"binomial","variants":[{"name":"control","n":-5,"conversions":0},{"name":"b","n":10,"conversions":1}]}""", "variants[0].n")]
    [InlineData("""{"metric":"mean","variants":[{"name":"control","n":10,"mean":1,"sd":-1},{"name":"b","n":10,"mean":1,"sd":1}]}""", "variants[0].sd: sd cannot be negative")]
    [InlineData("""{"metric":"mean","variants":[{"name":"control","n":10,"mean":1e300,"sd":1},{"name":"b","n":10,"mean":1,"sd":1}]}""", "variants[0].mean")]
    [InlineData("""{"metric":"binomial","variants":[{"name":"control","n":99999999999999999999,"conversions":0},{"name":"b","n":10,"conversions":1}]}""", "variants[0].n")]
    [InlineData("""{"metric":"mean","variants":[{"name":"control","n":10,"mean":1,"mean":2,"sd":1},{"name":"b","n":10,"mean":1,"sd":1}]}""", "$.variants[0].mean")]
    [InlineData("""{"metric":"binomial","variants":[{"name":"b","n":10,"conversions":1},{"name":"b","n":10,"conversions":1}]}""", "variants[1].name")]
    [InlineData("""{"metric":"median","variants":[]}""", "metric: unknown metric 'median'")]
    [InlineData("""{"variants":[]}""", "metric")]
    [InlineData("""{"metric":"binomial","confidence":95,"variants":[{"name":"a","n":10,"conversions":1},{"name":"b","n":10,"conversions":1}]}""", "confidence")]
    [InlineData("""{"metric":"binomial","variants":[{"name":"a","n":10,"conversions":1,"convertions":2},{"name":"b","n":10,"conversions":1}]}""", "variants[0].convertions: unknown field")]
    [InlineData("""[1, 2]""", "$: the document is an object")]
    [InlineData("""{"metric":"binomial",""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public async Task BadFiles_NameTheJsonPath_AndExitNonZero(string text, string expected)
    {
        var (exit, output, error) = await CliRunner.RunAsync("experiments", "analyze", Write(text), "--format", "json");
        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains(expected, error);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task InvalidUtf8_AndAMissingFile_AreRefused()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"metric":"binomial","variants":[{"name":"X","n":1,"conversions":0},{"name":"b","n":10,"conversions":2}]}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var (exit, _, error) = await CliRunner.RunAsync("experiments", "analyze", WriteBytes(bytes));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("not valid UTF-8 (byte 43)", error);

        (exit, _, error) = await CliRunner.RunAsync("experiments", "analyze", Path.Combine(_folder, "none.json"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no such file", error);
    }

    [Fact]
    public async Task Size_BinomialAndMean_AndBadOptions()
    {
        var (exit, output, error) = await CliRunner.RunAsync("experiments", "size", "--baseline", "0.1", "--mde", "0.2", "--daily-traffic", "1000", "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal(3839, json.RootElement.GetProperty("per_variant").GetInt64());
            Assert.Equal(7678, json.RootElement.GetProperty("total").GetInt64());
            Assert.Equal(8, json.RootElement.GetProperty("days").GetInt64());
        }
        (exit, output, error) = await CliRunner.RunAsync("experiments", "size", "--metric", "mean", "--baseline", "10", "--sd", "1", "--mde", "0.5", "--mde-type", "absolute");
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("per variant / 每组样本: 63", output);

        (exit, _, error) = await CliRunner.RunAsync("experiments", "size", "--baseline", "1.5", "--mde", "0.1");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--baseline", error);
        (exit, _, error) = await CliRunner.RunAsync("experiments", "size", "--metric", "mean", "--baseline", "10", "--mde", "0.1");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--sd", error);
    }
}
