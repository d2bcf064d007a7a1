using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Issue: "partial periods (a month with 7 days of data, the current cohort column) are shown like full ones". A day, week
/// or month that the range or the data does not wholly cover is flagged partial in text, JSON and CSV, on both engines.
/// </summary>
public sealed class PartialPeriodTests : IDisposable
{
    private readonly Scratch _scratch = new("partial");

    public void Dispose() => _scratch.Dispose();

    /// <summary>Orders on 04-01 (c1), 04-15 (c2), 05-02 (c1 again) and 05-07 (c3): the data covers April and 7 days of May.</summary>
    private async Task<string[]> StoreAsync(string engine)
    {
        string[] store = _scratch.NewStore(engine);
        async Task ImportAsync(string kind, string csv)
        {
            var path = Path.Combine(_scratch.Folder, kind + ".csv");
            await File.WriteAllTextAsync(path, csv);
            var (exit, _, error) = await CliRunner.RunAsync(["import", kind, path, .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
        }
        await ImportAsync("products", "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        await ImportAsync("orders",
            "order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status\n" +
            "o1,c1,2026-04-01T10:00:00+08:00,k1,1,100.00,2026-04-01T10:00:00+08:00,paid\n" +
            "o2,c2,2026-04-15T10:00:00+08:00,k1,1,100.00,2026-04-15T10:00:00+08:00,paid\n" +
            "o3,c1,2026-05-02T10:00:00+08:00,k1,1,100.00,2026-05-02T10:00:00+08:00,paid\n" +
            "o4,c3,2026-05-07T10:00:00+08:00,k1,1,100.00,2026-05-07T10:00:00+08:00,paid\n");
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task KpiByMonth_DataEndingMidMonth_FlagsTheLastMonthOnly(string engine)
    {
        var store = await StoreAsync(engine);

        var (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--by", "month", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var rows = json.RootElement.GetProperty("rows");
            Assert.Equal(2, rows.GetArrayLength());
            Assert.Equal("2026-04", rows[0].GetProperty("key").GetString());
            Assert.False(rows[0].GetProperty("partial").GetBoolean());
            Assert.Equal(30, rows[0].GetProperty("days_covered").GetInt32());
            Assert.Equal(30, rows[0].GetProperty("days_in_period").GetInt32());
            Assert.Equal("2026-05", rows[1].GetProperty("key").GetString());
            Assert.True(rows[1].GetProperty("partial").GetBoolean());
            Assert.Equal(7, rows[1].GetProperty("days_covered").GetInt32());
            Assert.Equal(31, rows[1].GetProperty("days_in_period").GetInt32());
        }

        // Asking for all of May does not make it whole: the data still ends on the 7th.
        (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--from", "2026-05-01", "--to", "2026-05-31", "--by", "month", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output)) Assert.Equal(7, json.RootElement.GetProperty("rows")[0].GetProperty("days_covered").GetInt32());

        // A range that starts inside April cuts it, though the data covers it.
        (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--from", "2026-04-10", "--to", "2026-04-30", "--by", "month", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var april = Assert.Single(json.RootElement.GetProperty("rows").EnumerateArray());
            Assert.True(april.GetProperty("partial").GetBoolean());
            Assert.Equal(21, april.GetProperty("days_covered").GetInt32());
        }

        // A total is not a period: it has no partial flag.
        (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output)) Assert.False(json.RootElement.GetProperty("rows")[0].TryGetProperty("partial", out _));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task KpiByMonth_TextAndCsv_MarkThePartialMonth(string engine)
    {
        var store = await StoreAsync(engine);

        var (exit, text, error) = await CliRunner.RunAsync(["report", "kpi", "--by", "month", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("2026-05* ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("2026-04 ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("2026-04*", StringComparison.Ordinal));
        Assert.Contains("* 不完整周期 / partial period: 2026-05, 7 of 31 days", text, StringComparison.Ordinal);

        (exit, var csv, error) = await CliRunner.RunAsync(["report", "kpi", "--by", "month", "--format", "csv", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();
        var partial = Array.IndexOf(rows[0], "partial");
        Assert.True(partial > 0, rows[0].Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["partial", "days_covered", "days_in_period"], rows[0][partial..(partial + 3)]);
        Assert.Equal(["2026-04", "false", "30", "30"], [rows[1][0], .. rows[1][partial..(partial + 3)]]);
        Assert.Equal(["2026-05", "true", "7", "31"], [rows[2][0], .. rows[2][partial..(partial + 3)]]);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Cohort_ColumnOfTheDataEnd_IsPartial(string engine)
    {
        var store = await StoreAsync(engine);

        var (exit, output, error) = await CliRunner.RunAsync(["report", "cohort", "--period", "month", "--periods", "3", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var april = json.RootElement.GetProperty("cohorts")[0];
            Assert.Equal("2026-04", april.GetProperty("cohort").GetString());
            var periods = april.GetProperty("periods");
            Assert.False(periods[0].GetProperty("partial").GetBoolean());       // April: whole
            Assert.True(periods[1].GetProperty("partial").GetBoolean());        // May: the data ends on the 7th
            Assert.Equal(7, periods[1].GetProperty("days_covered").GetInt32());
            Assert.Equal(1, periods[1].GetProperty("active").GetInt32());       // observed, c1 came back
            Assert.True(periods[2].GetProperty("partial").GetBoolean());        // June: not yet observed at all
            Assert.Equal(0, periods[2].GetProperty("days_covered").GetInt32());
            var may = json.RootElement.GetProperty("cohorts")[1];
            Assert.True(may.GetProperty("periods")[0].GetProperty("partial").GetBoolean()); // May's own first column
        }

        (exit, var text, error) = await CliRunner.RunAsync(["report", "cohort", "--period", "month", "--periods", "3", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        var aprilLine = text.Split('\n').Single(l => l.StartsWith("2026-04 ", StringComparison.Ordinal));
        Assert.Contains("100.0% ", aprilLine, StringComparison.Ordinal);
        Assert.Contains("50.0%*", aprilLine, StringComparison.Ordinal);
        Assert.Contains("* 不完整周期 / partial period: 7 of 31 days", text, StringComparison.Ordinal);

        (exit, var csv, error) = await CliRunner.RunAsync(["report", "cohort", "--period", "month", "--periods", "3", "--format", "csv", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("cohort,size,offset,active,rate,revenue,orders,partial,days_covered,days_in_period", lines[0]);
        Assert.Equal("2026-04,2,0,2,1,200.00,2,false,30,30", lines[1]);
        Assert.Equal("2026-04,2,1,1,0.5,100.00,1,true,7,31", lines[2]);
    }
}
