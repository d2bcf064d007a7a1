using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Money is shown in the store's currency (the <c>currency</c> setting, CNY by default): text with its symbol, JSON with its
/// code, on both engines. A store of pounds must not read as yuan.
/// </summary>
public sealed class CurrencyDisplayTests : IDisposable
{
    private readonly Scratch _scratch = new("currency");

    public void Dispose() => _scratch.Dispose();

    /// <summary>Two paid orders on 2026-05-01 and 05-02 (1,234.50 and 30.00) through the douyin channel, in a store whose currency is <paramref name="currency"/>.</summary>
    private async Task<string[]> StoreAsync(string engine, string? currency)
    {
        var location = engine == TestStores.Sqlite ? StoreLocation.Sqlite(Path.Combine(_scratch.Folder, "store")) : TestStores.NewLocation(TestStores.Postgres);
        string[] store = engine == TestStores.Sqlite ? ["--data", location.DataFolder!] : ["--db", location.ConnectionString];
        async Task ImportAsync(string kind, string csv)
        {
            var path = Path.Combine(_scratch.Folder, kind + ".csv");
            await File.WriteAllTextAsync(path, csv);
            var (exit, _, error) = await CliRunner.RunAsync(["import", kind, path, .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
        }
        await ImportAsync("products", "sku,name,category,list_price\nk1,Cream,beauty,1234.50\n");
        await ImportAsync("orders",
            "order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel\n" +
            "o1,c1,2026-05-01T10:00:00+08:00,k1,1,1234.50,2026-05-01T10:00:00+08:00,paid,douyin\n" +
            "o2,c2,2026-05-02T10:00:00+08:00,k1,1,30.00,2026-05-02T10:00:00+08:00,paid,douyin\n");
        if (currency is not null)
        {
            using var opened = (await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None)).Value;
            await opened.SetSettingAsync("currency", currency, CancellationToken.None);
        }
        return store;
    }

    private static async Task<string> RunAsync(params string[] args)
    {
        var (exit, output, error) = await CliRunner.RunAsync(args);
        Assert.True(exit == ExitCodes.Ok, error);
        return output;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task StoreInPounds_ShowsPoundsNotYuan(string engine)
    {
        var store = await StoreAsync(engine, "GBP");

        var kpi = await RunAsync(["report", "kpi", "--compare", "previous", .. store]);
        Assert.Contains("£1,264.50", kpi, StringComparison.Ordinal);   // GMV
        Assert.Contains("+£1,264.50", kpi, StringComparison.Ordinal);  // its change against an empty previous period
        Assert.DoesNotContain("¥", kpi, StringComparison.Ordinal);

        var overview = await RunAsync(["report", "overview", .. store]);
        Assert.Contains("£1,264.50", overview, StringComparison.Ordinal);
        Assert.DoesNotContain("¥", overview, StringComparison.Ordinal);

        var attribution = await RunAsync(["report", "attribution", .. store]);
        Assert.Contains("GMV £1,264.50", attribution, StringComparison.Ordinal);
        Assert.DoesNotContain("¥", attribution, StringComparison.Ordinal);

        var rfm = await RunAsync(["rfm", .. store]);
        Assert.Contains("GMV £", rfm, StringComparison.Ordinal);
        Assert.DoesNotContain("¥", rfm, StringComparison.Ordinal);

        using (var json = JsonDocument.Parse(await RunAsync(["report", "kpi", "--format", "json", .. store])))
            Assert.Equal("GBP", json.RootElement.GetProperty("currency").GetString());
        using (var json = JsonDocument.Parse(await RunAsync(["report", "overview", "--format", "json", .. store])))
            Assert.Equal("GBP", json.RootElement.GetProperty("currency").GetString());
        using (var json = JsonDocument.Parse(await RunAsync(["report", "attribution", "--format", "json", .. store])))
            Assert.Equal("GBP", json.RootElement.GetProperty("currency").GetString());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task StoreWithoutACurrency_ShowsYuan(string engine)
    {
        var store = await StoreAsync(engine, currency: null);

        var kpi = await RunAsync(["report", "kpi", .. store]);
        Assert.Contains("¥1,264.50", kpi, StringComparison.Ordinal);
        Assert.DoesNotContain("£", kpi, StringComparison.Ordinal);

        var overview = await RunAsync(["report", "overview", .. store]);
        Assert.Contains("¥1,264.50", overview, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(await RunAsync(["report", "kpi", "--format", "json", .. store]));
        Assert.Equal("CNY", json.RootElement.GetProperty("currency").GetString());
    }
}
