using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class ReportAttributionCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-attr-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>u2 pays 100.01 after jd then douyin (7 days apart); u3 pays 50.00 untouched. Spend: douyin 40.00.</summary>
    private async Task<string[]> SeedAsync(string engine)
    {
        var store = StoreArgs(engine);
        var files = new (string Kind, string Content)[]
        {
            ("products", "sku,name,category,list_price\nk2,Toner,beauty,100.01\nk3,Mask,beauty,50.00\n"),
            ("orders", """
                order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel
                o2,u2,2026-05-03T09:29:00+08:00,k2,1,100.01,2026-05-03T09:30:00+08:00,paid,douyin
                o3,u3,2026-05-05T08:59:00+08:00,k3,1,50.00,2026-05-05T09:00:00+08:00,paid,jd
                """),
            ("events", """
                event_id,type,time,customer_id,anonymous_id,channel
                e7,click,2026-04-26T09:00:00+08:00,u2,,jd
                e8,click,2026-05-03T09:00:00+08:00,u2,,douyin
                e9,page_view,2026-05-05T08:00:00+08:00,u3,,
                """),
            ("spend", "date,channel,cost\n2026-05-02,douyin,40.00\n"),
        };
        foreach (var (kind, content) in files)
        {
            var (exit, _, error) = await CliRunner.RunAsync(["import", kind, File(kind + ".csv", content), .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
        }
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Json_HasEveryModelWithExactCredits(string engine)
    {
        var store = await SeedAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["report", "attribution", "--from", "2026-05-01", "--to", "2026-05-07", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var models = json.RootElement.GetProperty("models");
        Assert.Equal(["last_click", "first_click", "linear", "time_decay", "position_based", "markov"],
            models.EnumerateArray().Select(m => m.GetProperty("model").GetString()!).ToArray());
        foreach (var model in models.EnumerateArray())
            Assert.Equal(150.01m, model.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("gmv").GetDecimal()));
        var last = models[0].GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal(100.01m, last["douyin"].GetProperty("gmv").GetDecimal());
        Assert.Equal(40.00m, last["douyin"].GetProperty("spend").GetDecimal());
        Assert.Equal(Math.Round(10001.0 / 4000, 4), last["douyin"].GetProperty("roi").GetDouble());
        Assert.Equal(1.0, last["douyin"].GetProperty("orders").GetDouble());
        Assert.Equal(JsonValueKind.Null, last["(direct)"].GetProperty("roi").ValueKind);
        Assert.Equal(50.00m, last["(direct)"].GetProperty("gmv").GetDecimal());
        Assert.Contains("\"gmv\":100.01", output, StringComparison.Ordinal);
        var linear = models[2].GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal(50.01m, linear["jd"].GetProperty("gmv").GetDecimal()); // the odd fen goes to the earlier touch
        Assert.Equal(50.00m, linear["douyin"].GetProperty("gmv").GetDecimal());
        Assert.Equal(0.5, linear["jd"].GetProperty("orders").GetDouble());
    }

    [Fact]
    public async Task TextAndCsv_ShowTheModelsSideBySide()
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var (exit, text, _) = await CliRunner.RunAsync(["report", "attribution", "--lookback", "10d", "--half-life", "12h", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        foreach (var title in new[] { "归因 attribution", "末次点击 last click", "首次点击 first click", "线性 linear", "时间衰减 time decay", "位置 position based", "马尔可夫 Markov" })
            Assert.Contains(title, text, StringComparison.Ordinal);
        Assert.Contains("douyin", text, StringComparison.Ordinal);
        var (csvExit, csv, _) = await CliRunner.RunAsync(["report", "attribution", "--by", "campaign", "--format", "csv", .. store]);
        Assert.Equal(ExitCodes.Ok, csvExit);
        Assert.StartsWith("model,key,orders,gmv,spend,roi\n", csv, StringComparison.Ordinal);
        Assert.Contains("last_click,(none),1,100.01,40.00,", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lookback", "0d")]
    [InlineData("--lookback", "91d")]
    [InlineData("--lookback", "1.5d")]
    [InlineData("--lookback", "week")]
    [InlineData("--half-life", "0d")]
    [InlineData("--half-life", "-3d")]
    [InlineData("--half-life", "soon")]
    [InlineData("--from", "2026-13-01")]
    [InlineData("--to", "May")]
    [InlineData("--by", "province")]
    [InlineData("--format", "xml")]
    public async Task BadOption_ExitsTwoNamingIt(string option, string value)
    {
        var (exit, _, error) = await CliRunner.RunAsync("report", "attribution", option, value, "--data", Path.Combine(_folder, "none"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToBeforeFrom_ExitsTwoNamingTo()
    {
        var (exit, _, error) = await CliRunner.RunAsync("report", "attribution", "--from", "2026-05-07", "--to", "2026-05-01", "--data", Path.Combine(_folder, "none"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--to", error, StringComparison.Ordinal);
    }
}
