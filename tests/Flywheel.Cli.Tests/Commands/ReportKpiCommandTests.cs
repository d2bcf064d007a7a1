using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class ReportKpiCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-kpi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>
    /// u1 (广东) buys 05-01 100.00 on douyin in store flagship after a spring page view, and 04-25 50.00 on douyin (the
    /// previous week); u2 (浙江) buys 05-02 30.00 on jd in store jd-shop. Spend: 05-01 douyin spring 40.00.
    /// </summary>
    private async Task<string[]> SeededStoreAsync(string engine)
    {
        var store = StoreArgs(engine);
        async Task Import(string kind, string content)
        {
            var path = Path.Combine(_folder, kind + ".csv");
            await File.WriteAllTextAsync(path, content);
            var (exit, _, error) = await CliRunner.RunAsync(["import", kind, path, .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
        }
        await Import("customers", "customer_id,name,province\nu1,Li,广东\nu2,Wang,浙江\n");
        await Import("products", "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        await Import("orders", """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,store
            o0,u1,2026-04-25T10:00:00+08:00,k1,1,50.00,2026-04-25T10:01:00+08:00,paid,douyin,flagship
            o1,u1,2026-05-01T10:00:00+08:00,k1,1,100.00,2026-05-01T10:01:00+08:00,paid,douyin,flagship
            o2,u2,2026-05-02T10:00:00+08:00,k1,1,30.00,2026-05-02T10:01:00+08:00,paid,jd,jd-shop
            """);
        await Import("events", """
            event_id,type,time,customer_id,anonymous_id,channel,campaign,sku
            e1,page_view,2026-05-01T09:00:00+08:00,u1,,douyin,spring,k1
            e2,page_view,2026-05-02T09:00:00+08:00,u2,,jd,,
            """);
        await Import("spend", "date,channel,campaign,cost\n2026-05-01,douyin,spring,40.00\n");
        return store;
    }

    private static readonly string[] Week = ["report", "kpi", "--from", "2026-05-01", "--to", "2026-05-07"];

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Kpi_Json_KeepsTheContract_AndAddsComparisonsOnlyWhenAsked(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync([.. Week, "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            // The rows, then the range and time zone the report used (issue 12: every response says which range it used), and the
            // currency its money is in (the store's; CNY when it names none).
            Assert.Equal(["rows", "from", "to", "time_zone", "currency"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("CNY", json.RootElement.GetProperty("currency").GetString());
            var row = json.RootElement.GetProperty("rows")[0];
            Assert.Equal(["key", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi", "cac"],
                row.EnumerateObject().Select(p => p.Name).Take(11).ToArray());
            Assert.Equal("total", row.GetProperty("key").GetString());
            Assert.Equal("130.00", row.GetProperty("gmv").GetRawText());
            Assert.False(row.TryGetProperty("previous", out _));
        }

        (exit, output, error) = await CliRunner.RunAsync([.. Week, "--channel", "douyin", "--compare", "previous", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var row = json.RootElement.GetProperty("rows")[0];
            Assert.Equal("100.00", row.GetProperty("gmv").GetRawText());
            Assert.Equal("40.00", row.GetProperty("spend").GetRawText());
            Assert.Equal("50.00", row.GetProperty("previous").GetProperty("gmv").GetRawText());
            Assert.Equal("50.00", row.GetProperty("change").GetProperty("previous").GetProperty("gmv").GetProperty("absolute").GetRawText());
            Assert.Equal(1.0, row.GetProperty("change").GetProperty("previous").GetProperty("gmv").GetProperty("relative").GetDouble());
            Assert.Equal("2026-04-30", json.RootElement.GetProperty("compare").GetProperty("previous").GetProperty("to").GetString());
        }

        (exit, output, error) = await CliRunner.RunAsync([.. Week, "--region", "浙江", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var row = json.RootElement.GetProperty("rows")[0];
            Assert.Equal("30.00", row.GetProperty("gmv").GetRawText());
            Assert.Equal(JsonValueKind.Null, row.GetProperty("spend").ValueKind); // spend has no region
        }

        foreach (var (by, first) in new[] { ("campaign", "spring"), ("store", "flagship"), ("category", "beauty"), ("region", "广东") })
        {
            (exit, output, error) = await CliRunner.RunAsync([.. Week, "--by", by, "--format", "json", .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
            using var json = JsonDocument.Parse(output);
            Assert.Equal(first, json.RootElement.GetProperty("rows")[0].GetProperty("key").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Kpi_TextAndCsv_ShowTheComparisons(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, text, error) = await CliRunner.RunAsync([.. Week, "--by", "week", "--compare", "previous,yoy", "--store", "flagship", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("previous 上期: 2026-04-24 .. 2026-04-30", text, StringComparison.Ordinal);
        Assert.Contains("yoy 去年同期: 2025-05-01 .. 2025-05-07", text, StringComparison.Ordinal);
        Assert.Contains("scope 范围: store flagship", text, StringComparison.Ordinal);
        Assert.Contains("  prev 上期 2026-04-20", text, StringComparison.Ordinal);
        Assert.Contains("  环比 Δ", text, StringComparison.Ordinal);
        Assert.Contains("  同比 %", text, StringComparison.Ordinal);
        Assert.Contains("+¥50.00", text, StringComparison.Ordinal); // week of 04-27 (05-01 .. 05-03): 100.00 against o0's 50.00
        Assert.Contains("+100.00%", text, StringComparison.Ordinal);

        var (csvExit, csv, csvError) = await CliRunner.RunAsync([.. Week, "--compare", "previous", "--format", "csv", .. store]);
        Assert.True(csvExit == ExitCodes.Ok, csvError);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var values = lines[1].Split(',');
        Assert.Equal("key", header[0]);
        Assert.Equal("130.00", values[Array.IndexOf(header, "gmv")]);
        Assert.Equal("total", values[Array.IndexOf(header, "previous_key")]);
        Assert.Equal("50.00", values[Array.IndexOf(header, "previous_gmv")]);
        Assert.Equal("80.00", values[Array.IndexOf(header, "previous_gmv_change")]);
        Assert.Equal("1.6", values[Array.IndexOf(header, "previous_gmv_change_rel")]);
        Assert.Equal(header.Length, values.Length);
    }

    [Theory]
    [InlineData("--by", "hour")]
    [InlineData("--by", "3")]
    [InlineData("--compare", "mom")]
    [InlineData("--compare", "previous,")]
    [InlineData("--channel", "")]
    [InlineData("--campaign", "")]
    [InlineData("--store", "")]
    [InlineData("--category", "")]
    [InlineData("--region", "")]
    [InlineData("--format", "xml")]
    [InlineData("--from", "2026-13-01")]
    public async Task Kpi_BadOption_ExitsTwoNamingIt(string option, string value)
    {
        var (exit, _, error) = await CliRunner.RunAsync("report", "kpi", option, value, "--data", Path.Combine(_folder, "none"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Kpi_UnknownFilterValueOrComparisonBefore1970_ExitsTwoNamingTheOption(string engine)
    {
        var store = await SeededStoreAsync(engine);
        foreach (var (option, value) in new[] { ("--channel", "nowhere"), ("--campaign", "winter"), ("--store", "outlet"), ("--category", "toys"), ("--region", "西藏") })
        {
            var (exit, _, error) = await CliRunner.RunAsync([.. Week, option, value, .. store]);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains(option, error, StringComparison.Ordinal);
        }
        var (early, _, earlyError) = await CliRunner.RunAsync(["report", "kpi", "--from", "1970-01-01", "--to", "1970-01-31", "--compare", "previous", .. store]);
        Assert.Equal(ExitCodes.BadInput, early);
        Assert.Contains("--compare", earlyError, StringComparison.Ordinal);
    }
}
