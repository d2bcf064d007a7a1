using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Issue 12, "filters that find what the user means": categories are paths (美妆>面霜); a filter keeps its path, the paths
/// under it and the paths with a level of that name, in reports, funnel steps and segment rules; a value that matches nothing says so.
/// </summary>
public sealed class CategoryFilterTests : IDisposable
{
    private readonly Scratch _scratch = new("category");

    public void Dispose() => _scratch.Dispose();

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
        await ImportAsync("products", "sku,name,category,list_price\ncream,面霜,美妆>面霜,100.00\nlipstick,口红,美妆>彩妆>口红,80.00\nnoodle,方便面,食品>速食,10.00\n");
        await ImportAsync("orders",
            "order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status\n" +
            "o1,c1,2026-05-01T10:00:00+08:00,cream,1,100.00,2026-05-01T10:00:00+08:00,paid\n" +
            "o2,c2,2026-05-02T10:00:00+08:00,lipstick,1,80.00,2026-05-02T10:00:00+08:00,paid\n" +
            "o3,c3,2026-05-03T10:00:00+08:00,noodle,3,10.00,2026-05-03T10:00:00+08:00,paid\n");
        await ImportAsync("events",
            "event_id,type,time,customer_id,sku\n" +
            "e1,product_view,2026-05-01T09:00:00+08:00,c1,cream\n" +
            "e2,product_view,2026-05-02T09:00:00+08:00,c2,lipstick\n" +
            "e3,product_view,2026-05-03T09:00:00+08:00,c3,noodle\n" +
            "e4,add_to_cart,2026-05-01T09:05:00+08:00,c1,cream\n" +
            "e5,add_to_cart,2026-05-03T09:05:00+08:00,c3,noodle\n");
        return store;
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task CategoryFilter_KeepsThePathTheLevelsUnderItAndLevelsOfThatName(string engine)
    {
        var store = await StoreAsync(engine);
        async Task<(string Gmv, long Orders)> KpiAsync(string category)
        {
            var (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--category", category, "--format", "json", .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
            using var json = JsonDocument.Parse(output);
            var row = json.RootElement.GetProperty("rows")[0];
            return (row.GetProperty("gmv").GetRawText(), row.GetProperty("orders").GetInt64());
        }

        Assert.Equal(("180.00", 2L), await KpiAsync("美妆"));          // a top level keeps 美妆>面霜 and 美妆>彩妆>口红
        Assert.Equal(("80.00", 1L), await KpiAsync("美妆>彩妆"));      // a path prefix
        Assert.Equal(("100.00", 1L), await KpiAsync("面霜"));          // a level of that name
        Assert.Equal(("30.00", 1L), await KpiAsync(" 食品 > 速食 "));   // spaces around the separator do not matter

        var (missExit, _, missError) = await CliRunner.RunAsync(["report", "kpi", "--category", "beauty", .. store]);
        Assert.Equal(ExitCodes.BadInput, missExit);
        Assert.Contains("--category: no category 'beauty' among the products", missError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task FunnelStep_CategoryFilter_MatchesPathsAndRefusesWhatMatchesNothing(string engine)
    {
        var store = await StoreAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["report", "funnel", "--steps", "product_view[category=美妆],add_to_cart", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var steps = json.RootElement.GetProperty("steps");
            Assert.Equal(2, steps[0].GetProperty("customers").GetInt64()); // c1 (面霜) and c2 (口红), not c3 (速食)
            Assert.Equal(1, steps[1].GetProperty("customers").GetInt64()); // c1 added to cart; c3 did too, but after a 速食 view
        }

        (exit, _, error) = await CliRunner.RunAsync(["report", "funnel", "--steps", "product_view[category=beauty],add_to_cart", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no category 'beauty' among the products", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task SegmentRule_CategoriesContains_MatchesPathsAsReportsDo(string engine)
    {
        var store = await StoreAsync(engine);
        async Task<string[]> MembersAsync(string rule)
        {
            var (exit, output, error) = await CliRunner.RunAsync(["segments", "check", "--rule", rule, "--format", "json", .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
            using var json = JsonDocument.Parse(output);
            return [.. json.RootElement.GetProperty("sample").EnumerateArray().Select(id => id.GetString()!)];
        }

        Assert.Equal(["c1", "c2"], await MembersAsync("categories() contains \"美妆\""));        // a top level keeps the paths under it
        Assert.Equal(["c2"], await MembersAsync("categories() contains \"美妆>彩妆\""));         // a path prefix
        Assert.Equal(["c2"], await MembersAsync("categories() contains \"彩妆\""));              // a level in the middle
        Assert.Equal(["c1"], await MembersAsync("categories() contains \"面霜\""));              // the last level
        Assert.Equal(["c3"], await MembersAsync("categories() not contains \" 美妆 \""));        // spaces do not matter
        Assert.Equal(["c1", "c2", "c3"], await MembersAsync("channels() not contains \"美妆\"")); // other lists still match whole items

        var (exit, output, error) = await CliRunner.RunAsync(["segments", "add", "beauty", "--rule", "categories() contains \"美妆\"", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("beauty: 2 members", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task SegmentRule_CategoryThatMatchesNothing_IsRefusedNamingIt(string engine)
    {
        var store = await StoreAsync(engine);
        const string Rule = "orders() >= 1 and categories(90d) contains \"beauty\"";
        foreach (var args in new[] { new[] { "segments", "check", "--rule", Rule }, ["segments", "add", "typo", "--rule", Rule] })
        {
            var (exit, _, error) = await CliRunner.RunAsync([.. args, .. store]);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains("--rule: line 1, column 44: no category 'beauty' among the products", error, StringComparison.Ordinal);
        }
        var (listExit, list, listError) = await CliRunner.RunAsync(["segments", "list", .. store]);
        Assert.True(listExit == ExitCodes.Ok, listError);
        Assert.DoesNotContain("typo", list, StringComparison.Ordinal); // nothing was saved
    }
}
