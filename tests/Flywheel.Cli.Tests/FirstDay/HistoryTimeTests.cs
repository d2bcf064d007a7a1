using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Issue 12, "time as the data sees it": on a history that ended long ago (CDNOW: 1997-01-01..1998-06-30), every analysis that
/// needs "now" and is given no day measures from the end of the data and says so, on both engines; the clock is 2026.
/// </summary>
public sealed class HistoryTimeTests : IDisposable
{
    private readonly Scratch _scratch = new("history");

    public void Dispose() => _scratch.Dispose();

    /// <summary>Eighty customers with 1–4 paid orders each from 1997-01-01; the last order is on 1998-06-30 (Asia/Shanghai).</summary>
    private async Task<string[]> HistoryAsync(string engine)
    {
        string[] store = _scratch.NewStore(engine);
        var random = new Random(7);
        var csv = new StringBuilder("order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status\n");
        for (var c = 1; c <= 80; c++)
        {
            var day = new DateTime(1997, 1, 1).AddDays(random.Next(300));
            for (var n = random.Next(1, 5); n > 0 && day < new DateTime(1998, 6, 30); n--)
            {
                var at = day.ToString("yyyy-MM-dd'T'10:00:00+08:00", CultureInfo.InvariantCulture);
                csv.Append(CultureInfo.InvariantCulture, $"o{c}-{n},c{c:D3},{at},k1,1,{random.Next(20, 90)}.00,{at},paid\n");
                day = day.AddDays(random.Next(20, 120));
            }
        }
        csv.Append("o-last,c001,1998-06-30T20:00:00+08:00,k1,1,35.00,1998-06-30T20:00:00+08:00,paid\n");
        var products = Path.Combine(_scratch.Folder, "products.csv");
        var orders = Path.Combine(_scratch.Folder, "orders.csv");
        await File.WriteAllTextAsync(products, "sku,name,category,list_price\nk1,CD,music,20.00\n");
        await File.WriteAllTextAsync(orders, csv.ToString());
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "products", products, .. store])).Exit);
        var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", orders, .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        return store;
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task Analyses_WithDefaultOptions_MeasureFromTheEndOfTheData(string engine)
    {
        var store = await HistoryAsync(engine);

        var (exit, output, error) = await CliRunner.RunAsync(["rfm", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var rfm = JsonDocument.Parse(output))
        {
            Assert.Equal("1998-06-30", rfm.RootElement.GetProperty("as_of").GetString());
            Assert.All(rfm.RootElement.GetProperty("segments").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("average_clv").ValueKind));
        }

        (exit, output, error) = await CliRunner.RunAsync(["lifecycle", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var lifecycle = JsonDocument.Parse(output))
        {
            Assert.Equal("1998-06-30", lifecycle.RootElement.GetProperty("as_of").GetString());
            // Measured from 2026 everyone would be churned; from the data's end, c001 (paid that day) is not.
            Assert.Contains(lifecycle.RootElement.GetProperty("stages").EnumerateArray(),
                s => s.GetProperty("stage").GetString() != "churned" && s.GetProperty("customers").GetInt32() > 0);
        }

        (exit, output, error) = await CliRunner.RunAsync(["clv", "fit", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var fit = JsonDocument.Parse(output)) Assert.Equal("1998-06-30", fit.RootElement.GetProperty("calibration_end").GetString());

        // With a stored fit, the CLI's RFM shows each segment's average CLV, as GET /v1/rfm does.
        (exit, output, error) = await CliRunner.RunAsync(["rfm", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var rfm = JsonDocument.Parse(output))
            Assert.Contains(rfm.RootElement.GetProperty("segments").EnumerateArray(),
                s => s.GetProperty("average_clv").ValueKind == JsonValueKind.Number && s.GetProperty("average_clv").GetDecimal() > 0);

        (exit, output, error) = await CliRunner.RunAsync(["clv", "predict", "--customer", "c001", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var predicted = JsonDocument.Parse(output)) Assert.Equal("1998-06-30", predicted.RootElement.GetProperty("as_of").GetString());

        (exit, output, error) = await CliRunner.RunAsync(["persona", "all", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("1998-06-30", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report", "kpi")]
    [InlineData("report", "overview")]
    [InlineData("rfm")]
    [InlineData("report", "cohort")]
    [InlineData("lifecycle")]
    public async Task MissingDataFolder_IsAnError_AndCreatesNothing(params string[] command)
    {
        var missing = Path.Combine(_scratch.Folder, "no", "such", "folder");
        var (exit, output, error) = await CliRunner.RunAsync([.. command, "--data", missing]);
        Assert.Equal(ExitCodes.StoreUnavailable, exit);
        Assert.Equal("", output);
        Assert.Contains($"--data: there is no store at '{missing}'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }
}
