using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class ReportFunnelCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-funnel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private async Task<string[]> SeedAsync(string engine)
    {
        string[] store = engine == TestStores.Sqlite
            ? ["--data", Path.Combine(_folder, "store")]
            : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];
        var customers = File("c.csv", "customer_id,name,city\nu1,Li,Shanghai\nu2,Wang,Chengdu\n");
        var events = File("e.csv", """
            event_id,customer_id,type,time,channel
            v1,u1,product_view,2026-05-01T09:00:00+08:00,douyin
            v2,u1,add_to_cart,2026-05-01T09:05:00+08:00,douyin
            v3,u2,product_view,2026-05-02T09:00:00+08:00,tmall
            v4,u2,add_to_cart,2026-05-12T09:00:00+08:00,tmall
            """ + "\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "customers", customers, .. store])).Exit);
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "events", events, .. store])).Exit);
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Funnel_Json_IsTheContractShape(string engine)
    {
        var store = await SeedAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["report", "funnel", "--steps", "product_view,add_to_cart", "--window", "7d", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["product_view", "add_to_cart"], steps.Select(s => s.GetProperty("step").GetString()));
        Assert.Equal([2, 1], steps.Select(s => s.GetProperty("customers").GetInt32()));
        Assert.Equal(0.5, steps[1].GetProperty("conversion_from_previous").GetDouble());
        Assert.Equal(300, steps[1].GetProperty("median_seconds").GetInt32());
    }

    [Fact]
    public async Task Funnel_FromTo_BoundTheFirstStepByLocalDay()
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var (exit, output, _) = await CliRunner.RunAsync(["report", "funnel", "--steps", "product_view,add_to_cart", "--window", "30d",
            "--from", "2026-05-02", "--to", "2026-05-02", "--format", "json", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal([1, 1], json.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("customers").GetInt32()));
    }

    [Fact]
    public async Task Funnel_TextAndCsv_WithBreakdown()
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var (exit, text, _) = await CliRunner.RunAsync(["report", "funnel", "--steps", "product_view,add_to_cart", "--by", "channel", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("人数", text, StringComparison.Ordinal);
        Assert.Contains("douyin", text, StringComparison.Ordinal);
        var (csvExit, csv, _) = await CliRunner.RunAsync(["report", "funnel", "--steps", "product_view,add_to_cart", "--format", "csv", "--by", "channel", .. store]);
        Assert.Equal(ExitCodes.Ok, csvExit);
        Assert.StartsWith("breakdown,step,customers,", csv, StringComparison.Ordinal);
        Assert.Contains(",add_to_cart,1,0.5,0.5,0,300,300", csv, StringComparison.Ordinal);
        Assert.Contains("tmall,add_to_cart,0,0,0,0,,", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--steps", "product_view,add_to_kart", "--steps")]
    [InlineData("--window", "0", "--window")]
    [InlineData("--window", "7x", "--window")]
    [InlineData("--from", "2026-13-01", "--from")]
    [InlineData("--to", "2026-04-30", "--to")]
    public async Task Funnel_BadInput_ExitsTwoNamingTheOption(string option, string value, string named)
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var args = new Dictionary<string, string> { ["--steps"] = "product_view,add_to_cart", ["--window"] = "7d", ["--from"] = "2026-05-01" };
        args[option] = value;
        var (exit, _, error) = await CliRunner.RunAsync([.. new[] { "report", "funnel" }, .. args.SelectMany(p => new[] { p.Key, p.Value }), .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Funnel_ThirtyThreeSteps_ExitsTwo()
    {
        var steps = string.Join(",", Enumerable.Repeat("product_view", 33));
        var (exit, _, error) = await CliRunner.RunAsync("report", "funnel", "--steps", steps, "--data", Path.Combine(_folder, "s"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--steps", error, StringComparison.Ordinal);
    }
}
