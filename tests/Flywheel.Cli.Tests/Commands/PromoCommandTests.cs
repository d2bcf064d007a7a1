using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class PromoCommandTests
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

    private static string Write(string folder, string name, string text)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Promotions = """
        [{"id":"cross","name":"跨店每满300减50","stage":"platform","mechanic":{"type":"repeating_threshold","step":30000,"amount_off":5000},"funding":{"platform_percent":60}},
         {"id":"ship","name":"满99包邮","stage":"shipping","mechanic":{"type":"free_shipping","threshold":9900}}]
        """;

    private const string Cart = """
        {"at":"2026-11-11T20:00:00+08:00","lines":[
          {"sku":"k1","store":"A","category":"beauty","quantity":1,"unit_list_price":20000},
          {"sku":"k2","store":"B","category":"food","quantity":1,"unit_list_price":7700}],
         "shipping_fees":{"A":800,"B":800}}
        """;

    [Fact]
    public async Task AddListPrice_PrintsTheExplainedCart()
    {
        var folder = NewFolder();
        var (exit, output, error) = await RunAsync("promo", "add", Write(folder, "p.json", Promotions), "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("added cross", output, StringComparison.Ordinal);
        (exit, output, _) = await RunAsync("promo", "list", "--data", folder);
        Assert.Contains("cross  active  platform  每满300减50", output, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync("promo", "price", Write(folder, "cart.json", Cart), "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("再买¥23.00可享每满300减50", output, StringComparison.Ordinal);
        Assert.Contains("total ¥285.00", output, StringComparison.Ordinal); // 277 goods, A ships free, B pays 8
        Assert.Contains("再买¥22.00可享满99包邮", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ConflictingOrInvalid_ExitsWithBadInput_AndWritesNothing()
    {
        var folder = NewFolder();
        var conflicting = Promotions.Replace("\"stage\":\"platform\"", "\"stage\":\"platform\",\"stackable_with\":[\"ship\"]")
            .Replace("\"stage\":\"shipping\"", "\"stage\":\"shipping\",\"stackable_with\":[\"other\"]");
        var (exit, _, error) = await RunAsync("promo", "add", Write(folder, "p.json", conflicting), "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("disagree on stacking", error, StringComparison.Ordinal);
        (exit, _, error) = await RunAsync("promo", "add", Write(folder, "bad.json", Promotions.Replace("30000", "-1")), "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("[0].mechanic.step", error, StringComparison.Ordinal);
        (_, var listed, _) = await RunAsync("promo", "list", "--data", folder);
        Assert.Equal("", listed);
    }

    [Fact]
    public async Task Simulate_OnTheDemoStore_ReportsCostByFundingParty()
    {
        var folder = NewFolder();
        var (exit, _, error) = await RunAsync("demo", "--data", folder, "--customers", "300", "--days", "30");
        Assert.True(exit == 0, error);
        (exit, var output, error) = await RunAsync("promo", "simulate", "--from", "2026-10-22", "--to", "2026-11-20", Write(folder, "draft.json", Promotions), "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("funded by platform", output, StringComparison.Ordinal);
        Assert.Contains("average discount rate", output, StringComparison.Ordinal);
        Assert.Contains("conflicts: none", output, StringComparison.Ordinal);
        (exit, _, _) = await RunAsync("promo", "simulate", "--from", "2026-11-20", "--to", "nope", Write(folder, "draft.json", Promotions), "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
    }

    [Fact]
    public async Task Pipeline_ShowSetAndReset_BadStepsExitTwo()
    {
        var folder = NewFolder();
        var (exit, output, error) = await RunAsync("promo", "pipeline", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("item → store_promotions → store_coupons → platform_promotions → platform_coupons → shipping  (默认 / default)", output, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("promo", "pipeline", "--set", "item,store_coupons,loyalty,shipping", "--data", folder);
        Assert.Equal(2, exit);
        Assert.Contains("step [2]", error, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync("promo", "pipeline", "--set", "item,store_coupons,store_promotions,platform_promotions,platform_coupons,shipping", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Equal("item → store_coupons → store_promotions → platform_promotions → platform_coupons → shipping", output.Trim());
        (_, output, _) = await RunAsync("promo", "pipeline", "--format", "json", "--data", folder);
        Assert.Equal("{\"steps\":[\"item\",\"store_coupons\",\"store_promotions\",\"platform_promotions\",\"platform_coupons\",\"shipping\"]}", output.Trim());

        // a platform promotion holds its step: leaving platform_promotions out is refused, nothing changes
        Assert.Equal(0, (await RunAsync("promo", "add", Write(folder, "p.json", Promotions), "--data", folder)).Exit);
        (exit, _, error) = await RunAsync("promo", "pipeline", "--set", "item,store_promotions,shipping", "--data", folder);
        Assert.Equal(2, exit);
        Assert.Contains("'cross'", error, StringComparison.Ordinal);
        (exit, output, _) = await RunAsync("promo", "pipeline", "--reset", "--data", folder);
        Assert.Equal(0, exit);
        Assert.Contains("(默认 / default)", output, StringComparison.Ordinal);
    }
}
