using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class GoalsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-goals-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>
    /// Baseline September 2026: o1 100.00 on douyin. The goal runs 2026-10-01..2026-10-31; the test clock's today is
    /// 2026-11-01 (Asia/Shanghai), so the goal is over: current = forecast = October = o2 150.00 (jd) + o3 30.00 (douyin).
    /// </summary>
    private async Task<string[]> SeededStoreAsync(string engine)
    {
        var store = StoreArgs(engine);
        var path = Path.Combine(_folder, "orders.csv");
        await File.WriteAllTextAsync(path, """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,refunded_quantity
            o1,u1,2026-09-05T10:00:00+08:00,k1,1,100.00,2026-09-05T10:01:00+08:00,paid,douyin,0,0,0
            o2,u2,2026-10-05T10:00:00+08:00,k1,1,150.00,2026-10-05T10:01:00+08:00,paid,jd,0,0,0
            o3,u3,2026-10-06T10:00:00+08:00,k1,1,30.00,2026-10-06T10:01:00+08:00,paid,douyin,0,0,0
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "products.csv"), "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "products", Path.Combine(_folder, "products.csv"), .. store])).Exit);
        var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", path, .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AddListReportDelete(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["goals", "add", "--name", "Oct GMV +20%", "--metric", "gmv", "--target", "+20%",
            "--baseline", "2026-09-01..2026-09-30", "--start", "2026-10-01", "--deadline", "2026-10-31", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        var id = output.Trim();
        Assert.StartsWith("g_", id, StringComparison.Ordinal);

        var list = await CliRunner.RunAsync(["goals", "list", .. store]);
        Assert.Equal(ExitCodes.Ok, list.Exit);
        Assert.Contains(id, list.Out, StringComparison.Ordinal);
        Assert.Contains("Oct GMV +20%", list.Out, StringComparison.Ordinal);

        var report = await CliRunner.RunAsync(["report", "goals", "--format", "json", .. store]);
        Assert.True(report.Exit == ExitCodes.Ok, report.Error);
        using var json = JsonDocument.Parse(report.Out);
        var goal = Assert.Single(json.RootElement.GetProperty("goals").EnumerateArray());
        Assert.Equal(id, goal.GetProperty("id").GetString());
        Assert.Equal("2026-10-31", goal.GetProperty("as_of").GetString());
        Assert.Equal(100.00m, goal.GetProperty("baseline").GetDecimal());
        Assert.Equal(120.00m, goal.GetProperty("target").GetDecimal());
        Assert.Equal(180.00m, goal.GetProperty("current").GetDecimal());
        Assert.Equal(180.00m, goal.GetProperty("forecast").GetDecimal());
        Assert.Equal(150m, goal.GetProperty("progress_pct").GetDecimal());
        Assert.Equal("on_track", goal.GetProperty("status").GetString());
        var top = goal.GetProperty("top_channels");
        Assert.Equal("jd", top[0].GetProperty("channel").GetString());
        Assert.Equal(150.00m, top[0].GetProperty("delta").GetDecimal());
        Assert.Equal("douyin", top[1].GetProperty("channel").GetString());
        Assert.Equal(-70.00m, top[1].GetProperty("delta").GetDecimal());

        var text = await CliRunner.RunAsync(["report", "goals", .. store]);
        Assert.Contains("进度 progress", text.Out, StringComparison.Ordinal);
        Assert.Contains("正常 on track", text.Out, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["goals", "delete", id, .. store])).Exit);
        Assert.Equal(ExitCodes.BadInput, (await CliRunner.RunAsync(["goals", "delete", id, .. store])).Exit);
        Assert.Equal("", (await CliRunner.RunAsync(["goals", "list", .. store])).Out);
    }

    [Theory]
    [InlineData("--metric", "ctr", "--metric")]
    [InlineData("--target", "+0%", "--target")]
    [InlineData("--deadline", "2026-06-30", "--deadline")]
    [InlineData("--baseline", "2026-06-30..2026-04-01", "--baseline")]
    public async Task Add_BadInput_ExitsTwoNamingTheOption(string option, string value, string named)
    {
        var args = new Dictionary<string, string>
        {
            ["--name"] = "Q3", ["--metric"] = "gmv", ["--target"] = "+20%", ["--baseline"] = "2026-04-01..2026-06-30",
            ["--start"] = "2026-07-01", ["--deadline"] = "2026-09-30",
        };
        args[option] = value;
        var (exit, _, error) = await CliRunner.RunAsync(["goals", "add", .. args.SelectMany(a => new[] { a.Key, a.Value }), "--data", Path.Combine(_folder, "store")]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(named + ":", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "store"))); // validated before the store is opened
    }
}
