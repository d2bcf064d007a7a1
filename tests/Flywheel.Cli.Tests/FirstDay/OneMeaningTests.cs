using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Issue 12, "one meaning for every number": orders exported without a paid time (a completed order keeps only its placed
/// time) count in <c>report overview</c> exactly as in <c>report kpi</c>, on both engines; before, overview said ¥0.
/// </summary>
public sealed class OneMeaningTests : IDisposable
{
    private readonly Scratch _scratch = new("meaning");

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task Overview_AndKpi_CountOrdersWithoutPaidTimeAlike(string engine)
    {
        string[] store = _scratch.NewStore(engine);
        var products = Path.Combine(_scratch.Folder, "products.csv");
        var orders = Path.Combine(_scratch.Folder, "orders.csv");
        await File.WriteAllTextAsync(products, "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        // Two completed orders with no paid_at (placed time only), one paid with a paid time, one cancelled, one pending.
        await File.WriteAllTextAsync(orders,
            "order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status\n" +
            "o1,c1,2026-05-01T10:00:00+08:00,k1,1,120.00,,completed\n" +
            "o2,c2,2026-05-02T10:00:00+08:00,k1,2,80.50,,completed\n" +
            "o3,c1,2026-05-03T10:00:00+08:00,k1,1,99.00,2026-05-03T10:05:00+08:00,paid\n" +
            "o4,c3,2026-05-04T10:00:00+08:00,k1,1,500.00,,cancelled\n" +
            "o5,c4,2026-05-05T10:00:00+08:00,k1,1,700.00,,pending\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "products", products, .. store])).Exit);
        var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", orders, .. store]);
        Assert.True(exit == ExitCodes.Ok, error);

        (exit, var overviewText, error) = await CliRunner.RunAsync(["report", "overview", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        (exit, var kpiText, error) = await CliRunner.RunAsync(["report", "kpi", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var overview = JsonDocument.Parse(overviewText);
        using var kpi = JsonDocument.Parse(kpiText);
        var row = kpi.RootElement.GetProperty("rows")[0];

        // 120.00 + 2 × 80.50 + 99.00 = 380.00 over three orders by two buyers; the cancelled and pending orders never count.
        // Money is a string in the overview and a JSON number in the KPI rows; both write two decimals.
        static string Money(JsonElement e) => e.GetRawText().Trim('"');
        Assert.Equal("380.00", Money(overview.RootElement.GetProperty("gmv")));
        Assert.Equal(3, overview.RootElement.GetProperty("orders").GetInt64());
        Assert.Equal(2, overview.RootElement.GetProperty("buyers").GetInt64());
        Assert.Equal(Money(overview.RootElement.GetProperty("gmv")), Money(row.GetProperty("gmv")));
        Assert.Equal(overview.RootElement.GetProperty("orders").GetInt64(), row.GetProperty("orders").GetInt64());
        Assert.Equal(overview.RootElement.GetProperty("buyers").GetInt64(), row.GetProperty("buyers").GetInt64());
        Assert.Equal(1, overview.RootElement.GetProperty("repeat_buyers").GetInt64());

        // Without a range the KPI report covers all data, and says which days and time zone that was.
        Assert.Equal("2026-05-01", kpi.RootElement.GetProperty("from").GetString());
        Assert.Equal("2026-05-03", kpi.RootElement.GetProperty("to").GetString());
        Assert.Equal("Asia/Shanghai", kpi.RootElement.GetProperty("time_zone").GetString());
    }
}
