using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

/// <summary>Orders at the money bound (10^12 fen a line and an order) import and every report exits 0 with the exact sum; over it, the import is refused.</summary>
public sealed class MoneyBoundsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-bounds-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    private async Task<(int Exit, string Out, string Error)> ImportAsync(string[] store, string name, string rows)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllTextAsync(path, "order_id,customer_id,placed_at,paid_at,channel,sku,quantity,unit_price\n" + rows);
        return await CliRunner.RunAsync(["import", "orders", path, "--create-missing", .. store]);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task OrdersAtTheBound_ImportAndEveryReportExitsZero_OverItIsRefused(string engine)
    {
        var store = StoreArgs(engine);
        // ten orders of 10 × ¥1,000,000,000.00 = ¥10,000,000,000.00 each, the bound; five customers with two each
        var rows = string.Concat(Enumerable.Range(1, 10).Select(i =>
            $"o{i},c{(i + 1) / 2},2026-05-{i:00}T10:00:00+08:00,2026-05-{i:00}T10:01:00+08:00,tmall,GOLD,10,1000000000.00\n"));
        var imported = await ImportAsync(store, "at-bound.csv", rows);
        Assert.True(imported.Exit == ExitCodes.Ok, imported.Error);

        var overview = await CliRunner.RunAsync(["report", "overview", "--format", "json", .. store]);
        Assert.True(overview.Exit == ExitCodes.Ok, overview.Error);
        using (var json = JsonDocument.Parse(overview.Out))
        {
            Assert.Equal("100000000000.00", json.RootElement.GetProperty("gmv").GetString());
            Assert.Equal("10000000000.00", json.RootElement.GetProperty("aov").GetString());
        }
        var kpi = await CliRunner.RunAsync(["report", "kpi", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json", .. store]);
        Assert.True(kpi.Exit == ExitCodes.Ok, kpi.Error);
        using (var json = JsonDocument.Parse(kpi.Out))
            Assert.Equal(100_000_000_000.00m, json.RootElement.GetProperty("rows")[0].GetProperty("gmv").GetDecimal());
        foreach (string[] report in (string[][])[
                     ["report", "attribution", "--from", "2026-05-01", "--to", "2026-05-31"], ["report", "cohort", "--period", "month"],
                     ["rfm"], ["persona", "all"], ["report", "overview"], ["report", "kpi", "--by", "channel"]])
        {
            var (exit, output, error) = await CliRunner.RunAsync([.. report, .. store]);
            Assert.True(exit == ExitCodes.Ok, $"{string.Join(' ', report)}: {error}");
            Assert.False(string.IsNullOrWhiteSpace(output));
        }

        var before = await CliRunner.RunAsync(["report", "overview", "--format", "json", .. store]);
        var over = await ImportAsync(store, "over.csv", "o11,c6,2026-05-11T10:00:00+08:00,2026-05-11T10:01:00+08:00,tmall,GOLD,11,1000000000.00\n");
        Assert.Equal(ExitCodes.BadInput, over.Exit);
        Assert.Contains("(quantity)", over.Error, StringComparison.Ordinal);
        Assert.Contains("10000000000.00", over.Error, StringComparison.Ordinal);
        var worst = await ImportAsync(store, "worst.csv", "o12,c6,2026-05-12T10:00:00+08:00,2026-05-12T10:01:00+08:00,tmall,GOLD,1000000,9999999999.99\n");
        Assert.Equal(ExitCodes.BadInput, worst.Exit);
        Assert.Contains("(quantity)", worst.Error, StringComparison.Ordinal);
        Assert.Equal(before.Out, (await CliRunner.RunAsync(["report", "overview", "--format", "json", .. store])).Out);
    }
}
