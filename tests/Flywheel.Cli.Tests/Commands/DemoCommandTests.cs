using System.Text.Json;
using Flywheel.Ingestion.Demo;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class DemoCommandTests
{
    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.FromHours(8)));

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "flywheel-tests", "cli_" + Guid.NewGuid().ToString("N")[..12]);

    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FlywheelCli.RunAsync(args, new CliConsole(output, error, false), Clock);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<long> CountAsync(string folder, string table, string where = "1=1")
    {
        var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), Clock, TestStores.Modules, CancellationToken.None);
        using var store = opened.Value;
        return await TestStores.CountAsync(store, table, where);
    }

    [Fact]
    public async Task Demo_PrintsReportAndRecordsParameters()
    {
        var folder = NewFolder();

        var (exit, output, error) = await RunAsync("demo", "--data", folder, "--customers", "200", "--days", "30");

        Assert.True(exit == 0, error);
        Assert.Contains("GMV 成交额", output, StringComparison.Ordinal);
        Assert.Contains("Repurchase 复购率", output, StringComparison.Ordinal);
        Assert.Contains("淘宝/天猫", output, StringComparison.Ordinal);
        Assert.Contains("done in", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, DemoStoreGenerator.ParametersFileName)));
        Assert.Equal(200, await CountAsync(folder, "customers"));
        // Something to price and to engage with in the console: the demo's promotions, journey (paused), broadcast (planned)
        // and a broadcast sent in the demo's past, whose messages went out (and none is left waiting to go).
        Assert.Equal(3, await CountAsync(folder, "promotions"));
        Assert.Equal(1, await CountAsync(folder, "journeys"));
        Assert.Equal(2, await CountAsync(folder, "broadcasts"));
        Assert.Equal(1, await CountAsync(folder, "broadcasts", "status = 'done'"));
        Assert.True(await CountAsync(folder, "messages", "status = 'delivered'") > 0);
        Assert.Equal(0, await CountAsync(folder, "messages", "status IN ('queued', 'sending', 'failed')"));
    }

    [Fact]
    public async Task Demo_OverEarlierDemo_ReplacesIt()
    {
        var folder = NewFolder();
        Assert.Equal(0, (await RunAsync("demo", "--data", folder, "--customers", "150", "--days", "20")).Exit);

        var (exit, _, error) = await RunAsync("demo", "--data", folder, "--customers", "100", "--days", "20", "--seed", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("replacing", error, StringComparison.Ordinal);
        Assert.Equal(100, await CountAsync(folder, "customers"));
        // Only the new demo's ingests remain: the generator's and Grow's (its clicks as events, the package-card identities and
        // the identified scans), all of kind demo, none left from the first demo.
        Assert.Equal(4, await CountAsync(folder, "ingests"));
        Assert.Equal(0, await CountAsync(folder, "ingests", "kind <> 'demo'"));
    }

    [Fact]
    public async Task Demo_OverImportedData_RefusesAndLeavesItAlone()
    {
        var folder = NewFolder();
        var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), Clock, TestStores.Modules, CancellationToken.None);
        using (var store = opened.Value)
        {
            await using var session = await IngestSession.BeginAsync(store, "import", "customers.csv", CancellationToken.None);
            session.UpsertCustomer(new CustomerRow { CustomerId = "real-customer" });
            await session.CommitAsync(1, 0, CancellationToken.None);
        }

        var (exit, _, error) = await RunAsync("demo", "--data", folder, "--customers", "100", "--days", "20");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("refusing", error, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(folder, "customers"));
    }

    [Fact]
    public async Task Demo_OverDemoWithImportsOnTop_Refuses()
    {
        var folder = NewFolder();
        Assert.Equal(0, (await RunAsync("demo", "--data", folder, "--customers", "100", "--days", "20")).Exit);
        var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), Clock, TestStores.Modules, CancellationToken.None);
        using (var store = opened.Value)
        {
            await using var session = await IngestSession.BeginAsync(store, "import", "customers.csv", CancellationToken.None);
            session.UpsertCustomer(new CustomerRow { CustomerId = "real-customer" });
            await session.CommitAsync(1, 0, CancellationToken.None);
        }

        var (exit, _, error) = await RunAsync("demo", "--data", folder, "--customers", "100", "--days", "20");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("imported", error, StringComparison.Ordinal);
        Assert.Equal(101, await CountAsync(folder, "customers"));
    }

    [Fact]
    public async Task ReportOverview_Json_HasSnakeCaseKeysAndYuanStrings()
    {
        var folder = NewFolder();
        Assert.Equal(0, (await RunAsync("demo", "--data", folder, "--customers", "150", "--days", "20")).Exit);

        var (exit, output, error) = await RunAsync("report", "overview", "--data", folder, "--format", "json", "--from", "2026-11-01", "--to", "2026-11-20");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("2026-11-01", root.GetProperty("from").GetString());
        Assert.Matches(@"^\d+\.\d{2}$", root.GetProperty("gmv").GetString());
        Assert.Matches(@"^\d+\.\d{2}$", root.GetProperty("aov").GetString());
        Assert.Matches(@"^\d+\.\d{2}$", root.GetProperty("ad_spend").GetString());
        Assert.True(root.GetProperty("orders").GetInt64() > 0);
        Assert.True(root.GetProperty("uv").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("repurchase_rate").ValueKind);
        var first = root.GetProperty("channels")[0];
        Assert.Matches(@"^\d+\.\d{2}$", first.GetProperty("gmv").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task ReportOverview_BadDate_IsBadInput()
    {
        var (exit, _, error) = await RunAsync("report", "overview", "--data", NewFolder(), "--from", "2026/11/01");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("yyyy-MM-dd", error, StringComparison.Ordinal);
    }
}
