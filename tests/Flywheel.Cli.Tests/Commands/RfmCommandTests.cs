using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class RfmCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-rfm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string[]> SeededStoreAsync(string engine)
    {
        string[] store = engine == TestStores.Sqlite
            ? ["--data", Path.Combine(_folder, "store")]
            : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];
        async Task Import(string kind, string content)
        {
            var path = Path.Combine(_folder, kind + ".csv");
            await File.WriteAllTextAsync(path, content);
            var (exit, _, error) = await CliRunner.RunAsync(["import", kind, path, .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
        }
        await Import("customers", "customer_id,gender,province\nu1,female,浙江\nu2,male,四川\nu3,female,上海\n");
        await Import("products", "sku,name,category,list_price\nk1,面霜,美妆,100.00\n");
        await Import("orders", """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel
            o1,u1,2026-06-29T10:00:00+08:00,k1,3,100.00,2026-06-29T10:01:00+08:00,paid,douyin
            o2,u1,2026-06-20T10:00:00+08:00,k1,2,100.00,2026-06-20T10:01:00+08:00,paid,douyin
            o3,u2,2026-03-01T10:00:00+08:00,k1,1,100.00,2026-03-01T10:01:00+08:00,paid,jd
            o4,u3,2025-01-01T10:00:00+08:00,k1,1,100.00,2025-01-01T10:01:00+08:00,paid,jd
            """);
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Rfm_JsonTextAndCsv(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["rfm", "--as-of", "2026-06-30", "--format", "json", "--customers", "10", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("customers_scored").GetInt32()); // u3 bought before the 365-day window
        Assert.Equal(11, root.GetProperty("segments").GetArrayLength());
        var u1 = root.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customer_id").GetString() == "u1");
        Assert.Equal((1, 2, "500.00"), (u1.GetProperty("recency_days").GetInt32(), u1.GetProperty("frequency").GetInt32(), u1.GetProperty("monetary").GetRawText()));
        // Two scored customers: the better one has one customer below it, so 1 + floor(5 × 1 / 2) = 3 in each dimension.
        Assert.Equal((3, 3, 3, "need_attention"), (u1.GetProperty("r").GetInt32(), u1.GetProperty("f").GetInt32(), u1.GetProperty("m").GetInt32(), u1.GetProperty("segment").GetString()));
        var champions = root.GetProperty("segments").EnumerateArray().First();
        Assert.Equal(("champions", "高价值客户", "high_value"), (champions.GetProperty("code").GetString(), champions.GetProperty("name_zh").GetString(), champions.GetProperty("group").GetString()));

        (exit, output, _) = await CliRunner.RunAsync(["rfm", "--as-of", "2026-06-30", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("高价值客户 Champions", output);
        Assert.Contains("专属客服", output);

        (exit, output, _) = await CliRunner.RunAsync(["rfm", "--as-of", "2026-06-30", "--format", "csv", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("customer_id,recency_days,frequency,monetary,r,f,m,segment,group\n", output.Replace("\r", ""));
        Assert.Equal(3, output.Trim().Split('\n').Length);

        (exit, output, _) = await CliRunner.RunAsync(["rfm", "--as-of", "2026-03-01", "--compare", "2026-06-30", "--format", "json", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        using var moved = JsonDocument.Parse(output);
        Assert.Equal(2, moved.RootElement.GetProperty("migration").GetProperty("counts").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(c => c.GetInt32()));

        (exit, output, error) = await CliRunner.RunAsync(["persona", "need_attention", "--as-of", "2026-06-30", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("Persona 人群画像: need_attention", output);
        Assert.Contains("性别 Gender", output);
    }

    [Theory]
    [InlineData("--window", "0", "--window")]
    [InlineData("--as-of", "2026-13-01", "--as-of")]
    [InlineData("--thresholds", "r=1,2,3;f=1,2,3,4;m=1,2,3,4", "--thresholds")]
    [InlineData("--compare", "2020-01-01", "--compare")]
    [InlineData("--format", "xml", "--format")]
    public async Task Rfm_BadInput_ExitsTwoNamingTheOption(string option, string value, string named)
    {
        var store = await SeededStoreAsync(TestStores.Sqlite);
        string[] asOf = option == "--as-of" ? [] : ["--as-of", "2026-06-30"];
        var (exit, _, error) = await CliRunner.RunAsync(["rfm", .. asOf, option, value, .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("error: " + named, error);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ReportKpi_Segment_KeepsItsCustomersOnly(string engine)
    {
        var store = await SeededStoreAsync(engine);
        // As of 2026-06-30, u1 (two June orders) is need_attention and u2 (March) is lost.
        var (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--from", "2026-01-01", "--to", "2026-06-30", "--segment", "need_attention", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var row = json.RootElement.GetProperty("rows")[0];
        Assert.Equal(("500.00", 2, 1), (row.GetProperty("gmv").GetRawText(), row.GetProperty("orders").GetInt32(), row.GetProperty("buyers").GetInt32()));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("spend").ValueKind); // spend cannot be split by customer

        (exit, _, error) = await CliRunner.RunAsync(["report", "cohort", "--segment", "no_such_thing", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("error: --segment: no segment 'no_such_thing'", error);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SegmentRules_CanUseRfmAndLifecycleFields(string engine)
    {
        var store = await SeededStoreAsync(engine);
        // Today (2026-11), u1 (June) and u2 (March) are the two scored customers: u1 scores 3/3/3, need_attention.
        var (exit, output, error) = await CliRunner.RunAsync(["segments", "check", "--rule", "rfm_segment = \"need_attention\" and lifecycle_stage in (\"lapsed\", \"churned\", \"at_risk\")", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("1 customers match", output);
        Assert.Contains("u1", output);
        (exit, _, error) = await CliRunner.RunAsync(["segments", "check", "--rule", "rfm_segment = 3", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("line 1, column", error);
    }

    [Fact]
    public async Task Persona_UnknownSegment_ExitsTwo()
    {
        var store = await SeededStoreAsync(TestStores.Sqlite);
        var (exit, _, error) = await CliRunner.RunAsync(["persona", "vip", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no segment 'vip'", error);
    }
}
