using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class ReportCohortCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-cohort-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>
    /// u1 buys 01-05 (100.00) and 03-02 (30.00); u2 buys 01-31 23:30 local (80.00) and 02-01 00:10 local (20.00);
    /// u3 buys 02-10 (200.00). The last data is u3's view on 03-15.
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
        await Import("products", "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        await Import("orders", """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,refunded_quantity
            o1,u1,2026-01-05T10:00:00+08:00,k1,1,100.00,2026-01-05T10:01:00+08:00,paid,douyin,0,0,0
            o2,u1,2026-03-02T10:00:00+08:00,k1,1,30.00,2026-03-02T10:01:00+08:00,paid,jd,0,0,0
            o3,u2,2026-01-31T23:29:00+08:00,k1,1,80.00,2026-01-31T23:30:00+08:00,paid,douyin,0,0,0
            o4,u2,2026-02-01T00:09:00+08:00,k1,1,20.00,2026-02-01T00:10:00+08:00,paid,jd,0,0,0
            o5,u3,2026-02-10T10:00:00+08:00,k1,1,200.00,2026-02-10T10:01:00+08:00,paid,jd,0,0,0
            """);
        await Import("events", """
            event_id,type,time,customer_id,anonymous_id,channel
            e1,signup,2026-01-05T09:00:00+08:00,u1,,douyin
            e2,page_view,2026-03-15T09:00:00+08:00,u3,,jd
            """);
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Cohort_Json_HasTheContractShape(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(
            ["report", "cohort", "--from", "2026-01-01", "--to", "2026-02-28", "--periods", "4", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var cohorts = json.RootElement.GetProperty("cohorts");
        Assert.Equal(2, cohorts.GetArrayLength());
        var january = cohorts[0];
        Assert.Equal("2026-01", january.GetProperty("cohort").GetString());
        Assert.Equal(2, january.GetProperty("size").GetInt32());
        var periods = january.GetProperty("periods");
        Assert.Equal(4, periods.GetArrayLength());
        var first = periods[0];
        Assert.Equal(["offset", "active", "rate", "revenue", "orders", "partial", "days_covered", "days_in_period"],
            first.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.False(first.GetProperty("partial").GetBoolean());
        Assert.Equal(31, first.GetProperty("days_covered").GetInt32());
        // March: the data ends on the 15th, so the column is observed but partial.
        Assert.True(periods[2].GetProperty("partial").GetBoolean());
        Assert.Equal(15, periods[2].GetProperty("days_covered").GetInt32());
        Assert.Equal(31, periods[2].GetProperty("days_in_period").GetInt32());
        Assert.Equal(0, first.GetProperty("offset").GetInt32());
        Assert.Equal(2, first.GetProperty("active").GetInt32());
        Assert.Equal(1.0, first.GetProperty("rate").GetDouble());
        Assert.Equal(180.00m, first.GetProperty("revenue").GetDecimal());
        Assert.Equal(2, first.GetProperty("orders").GetInt32());
        Assert.Equal(0.5, periods[1].GetProperty("rate").GetDouble());
        Assert.Equal("20.00", periods[1].GetProperty("revenue").GetRawText());
        Assert.Equal(30.00m, periods[2].GetProperty("revenue").GetDecimal());
        Assert.Equal(3, periods[3].GetProperty("offset").GetInt32());
        foreach (var name in new[] { "active", "rate", "revenue", "orders" })
            Assert.Equal(JsonValueKind.Null, periods[3].GetProperty(name).ValueKind); // April: beyond the data
        Assert.Equal(JsonValueKind.Null, cohorts[1].GetProperty("periods")[2].GetProperty("rate").ValueKind);

        var (textExit, text, _) = await CliRunner.RunAsync(["report", "cohort", "--from", "2026-01-01", "--to", "2026-02-28", "--periods", "4", .. store]);
        Assert.Equal(ExitCodes.Ok, textExit);
        Assert.Contains("留存", text, StringComparison.Ordinal);
        Assert.Contains("同期群", text, StringComparison.Ordinal);
        Assert.Contains("100.0%", text, StringComparison.Ordinal);

        var (csvExit, csv, _) = await CliRunner.RunAsync(["report", "cohort", "--period", "week", "--entry", "signup", "--return", "any", "--format", "csv", .. store]);
        Assert.Equal(ExitCodes.Ok, csvExit);
        Assert.StartsWith("cohort,size,offset,active,rate,revenue,orders,partial,days_covered,days_in_period\n2026-01-05,1,0,1,1,100.00,1,false,7,7\n", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--periods", "0")]
    [InlineData("--periods", "37")]
    [InlineData("--entry", "last_purchase")]
    [InlineData("--entry", "first:")]
    [InlineData("--from", "2026-13-01")]
    [InlineData("--to", "yesterday")]
    [InlineData("--channel", "")]
    [InlineData("--campaign", "")]
    [InlineData("--store", "")]
    [InlineData("--category", "")]
    [InlineData("--region", "")]
    public async Task Cohort_BadOption_ExitsTwoNamingIt(string option, string value)
    {
        var (exit, _, error) = await CliRunner.RunAsync("report", "cohort", option, value, "--data", Path.Combine(_folder, "none"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Cohort_UnknownEventTypeOrReversedRange_ExitsTwoNamingTheOption(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, _, error) = await CliRunner.RunAsync(["report", "cohort", "--entry", "first:custom:never_seen", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--entry", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(["report", "cohort", "--from", "2026-02-01", "--to", "2026-01-01", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--to", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(["report", "cohort", "--channel", "nowhere", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--channel", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(["report", "cohort", "--entry", "signup", "--store", "anything", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--store", error, StringComparison.Ordinal); // events have no store
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Cohort_Scope_KeepsMembersByTheirEntry(string engine)
    {
        var store = await SeededStoreAsync(engine);
        // January entrants: u1 (o1 on douyin) and u2 (o3 on douyin); February: u3 (o5 on jd).
        var (exit, output, error) = await CliRunner.RunAsync(
            ["report", "cohort", "--from", "2026-01-01", "--to", "2026-02-28", "--periods", "2", "--channel", "jd", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var only = Assert.Single(json.RootElement.GetProperty("cohorts").EnumerateArray());
        Assert.Equal("2026-02", only.GetProperty("cohort").GetString());
        Assert.Equal(1, only.GetProperty("size").GetInt32());

        var (textExit, text, _) = await CliRunner.RunAsync(["report", "cohort", "--channel", "douyin", .. store]);
        Assert.Equal(ExitCodes.Ok, textExit);
        Assert.Contains("scope 范围: channel douyin", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--period", "quarter")]
    [InlineData("--return", "never")]
    [InlineData("--format", "xml")]
    public async Task Cohort_UnknownChoice_ExitsTwoNamingTheOption(string option, string value)
    {
        var (exit, _, error) = await CliRunner.RunAsync("report", "cohort", option, value, "--data", Path.Combine(_folder, "none"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }
}
