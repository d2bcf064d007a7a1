using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class ClvCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-clv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Cdnow(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "cdnow", name);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Smoke = "ID,frequency,recency,T\n1,2,30.43,38.86\n2,1,1.71,38.86\n3,0,0,38.86\n4,0,0,38.86\n5,3,20.0,38.86\n6,0,0,38.86\n7,1,5.0,38.86\n8,0,0,38.86\n";

    [Fact]
    public async Task FitSummary_Json_IsTheContractShape_WithGammaGammaOnlyWhenSpendIsGiven()
    {
        var (exit, output, error) = await CliRunner.RunAsync("clv", "fit", "--summary", Cdnow("cdnow_customers_summary_with_transactions.csv"), "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var b = json.RootElement.GetProperty("bgnbd");
        Assert.Equal(0.243, b.GetProperty("r").GetDouble(), 0.0015);
        Assert.Equal(4.414, b.GetProperty("alpha").GetDouble(), 0.0015);
        Assert.Equal(0.793, b.GetProperty("a").GetDouble(), 0.0015);
        Assert.Equal(2.426, b.GetProperty("b").GetDouble(), 0.0015);
        Assert.Equal(-9582.4, b.GetProperty("log_likelihood").GetDouble(), 0.1);
        var g = json.RootElement.GetProperty("gamma_gamma");
        Assert.Equal(6.25, g.GetProperty("p").GetDouble(), 0.005);
        Assert.Equal(3.74, g.GetProperty("q").GetDouble(), 0.005);
        Assert.Equal(15.44, g.GetProperty("gamma").GetDouble(), 0.01);
        Assert.Equal(946, g.GetProperty("customers").GetInt32());
        Assert.Equal("", error);

        (exit, output, error) = await CliRunner.RunAsync("clv", "fit", "--summary", Write("smoke.csv", Smoke), "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using var small = JsonDocument.Parse(output);
        foreach (var key in new[] { "r", "alpha", "a", "b", "log_likelihood" })
            Assert.True(double.IsFinite(small.RootElement.GetProperty("bgnbd").GetProperty(key).GetDouble()), key);
        Assert.False(small.RootElement.TryGetProperty("gamma_gamma", out _));
        Assert.Contains("warning: 8 customers", error, StringComparison.Ordinal); // fitted as asked, with a warning
    }

    [Fact]
    public async Task FitSummary_Text_IsATableWithBothLanguages()
    {
        var (exit, output, _) = await CliRunner.RunAsync("clv", "fit", "--summary", Cdnow("cdnow_customers_summary.csv"));
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("BG/NBD purchases 购买次数模型", output, StringComparison.Ordinal);
        Assert.Contains("0.2426", output, StringComparison.Ordinal);
        Assert.Contains("-9582.43", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictPoint_Json_GivesExpectedPurchasesAndPAlive()
    {
        var (exit, output, error) = await CliRunner.RunAsync("clv", "predict", "--r", "0.243", "--alpha", "4.414", "--a", "0.793", "--b", "2.426",
            "--x", "2", "--t-x", "30.43", "--T", "38.86", "--t", "39", "--format", "json");
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(1.226, json.RootElement.GetProperty("expected_purchases").GetDouble(), 0.0005);
        Assert.Equal(0.7266, json.RootElement.GetProperty("p_alive").GetDouble(), 0.0001);

        (exit, output, _) = await CliRunner.RunAsync("clv", "predict", "--r", "0.243", "--alpha", "4.414", "--a", "0.793", "--b", "2.426",
            "--x", "0", "--t-x", "0", "--T", "38.86", "--t", "39");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("P(alive) 存活概率  1.0000", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--t", "", "--t: is required without --customer")]
    [InlineData("--r", "0", "--r: 0 is not a parameter > 0")]
    [InlineData("--alpha", "-1", "--alpha: -1 is not a parameter > 0")]
    [InlineData("--T", "20", "--T: 20 is before --t-x 30.43")]
    [InlineData("--x", "-1", "--x: -1 is negative")]
    [InlineData("--x", "0", "--t-x: must be 0 when --x is 0")]
    [InlineData("--t", "-5", "--t: -5 is not a time")]
    [InlineData("--x", "two", "error:")]
    public async Task PredictPoint_BadInput_ExitsTwoNamingTheOption(string option, string value, string expected)
    {
        var args = new Dictionary<string, string>
        {
            ["--r"] = "0.243", ["--alpha"] = "4.414", ["--a"] = "0.793", ["--b"] = "2.426", ["--x"] = "2", ["--t-x"] = "30.43", ["--T"] = "38.86", ["--t"] = "39",
        };
        if (value.Length == 0) args.Remove(option);
        else args[option] = value;
        var (exit, _, error) = await CliRunner.RunAsync(["clv", "predict", .. args.SelectMany(a => new[] { a.Key, a.Value })]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ID,frequency,T\n1,2,3\n", "bad.csv:1: missing column recency (or t_x)")]
    [InlineData("ID,frequency,recency,T\n1,2,3,4\n2,1,1,four\n", "bad.csv:3: column T: 'four' is not a number")]
    [InlineData("ID,frequency,recency,T\n1,2,-3,4\n", "bad.csv:2: column recency: -3 is negative")]
    [InlineData("ID,frequency,recency,T\n1,2,5,4\n", "bad.csv:2: column recency: 5 is after T 4")]
    [InlineData("ID,frequency,recency,T\n1,2,3,4\n1,1,1,4\n", "bad.csv:3: column ID: duplicate ID '1' (first on line 2)")]
    [InlineData("ID,frequency,recency,T\n1,0,0,4\n2,0,0,4\n", "none of the 2 customers has a repeat purchase")]
    public async Task FitSummary_BadFile_ExitsTwoWithFileLineAndColumn(string text, string expected)
    {
        var path = Write("bad.csv", text);
        var (exit, output, error) = await CliRunner.RunAsync("clv", "fit", "--summary", path);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(expected.Replace("bad.csv", path, StringComparison.Ordinal), error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>The last day of the seeded orders (Asia/Shanghai): where an analysis given no day measures from.</summary>
    private DateTime _lastOrderDay;

    /// <summary>
    /// Customers c001… with 1–4 paid orders each between 2026-01-05 and 2026-10-30 (Asia/Shanghai), 50–300 yuan; with
    /// <paramref name="dailyBuyers"/>, also d1 and d2, who bought every day for 90 days until 2026-10-21 and 2026-10-06.
    /// </summary>
    private async Task<string[]> SeededStoreAsync(string engine, int customers, bool dailyBuyers = false)
    {
        var store = StoreArgs(engine);
        _lastOrderDay = DateTime.MinValue;
        var random = new Random(3);
        var csv = new StringBuilder("order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status\n");
        for (var c = 1; c <= customers; c++)
        {
            var day = new DateTime(2026, 1, 5).AddDays(random.Next(200));
            for (var n = random.Next(1, 5); n > 0 && day < new DateTime(2026, 10, 31); n--)
            {
                var at = day.ToString("yyyy-MM-dd'T'10:00:00+08:00", CultureInfo.InvariantCulture);
                csv.Append(CultureInfo.InvariantCulture, $"o{c}-{n},c{c:D3},{at},k1,1,{random.Next(50, 300)}.00,{at},paid\n");
                if (day > _lastOrderDay) _lastOrderDay = day;
                day = day.AddDays(random.Next(3, 60));
            }
        }
        if (dailyBuyers)
            foreach (var (id, last) in new[] { ("d1", new DateTime(2026, 10, 21)), ("d2", new DateTime(2026, 10, 6)) })
                for (var k = 0; k < 90; k++)
                {
                    var at = last.AddDays(-k).ToString("yyyy-MM-dd'T'10:00:00+08:00", CultureInfo.InvariantCulture);
                    csv.Append(CultureInfo.InvariantCulture, $"{id}-{k},{id},{at},k1,1,80.00,{at},paid\n");
                    if (last > _lastOrderDay) _lastOrderDay = last;
                }
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "products", Write("products.csv", "sku,name,category,list_price\nk1,Cream,beauty,100.00\n"), .. store])).Exit);
        var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", Write("orders.csv", csv.ToString()), .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        return store;
    }

    private static async Task<long> FitsAsync(string[] store)
    {
        var location = store[0] == "--data" ? StoreLocation.Sqlite(store[1]) : StoreLocation.Postgres(store[1]);
        using var opened = (await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None)).Value;
        return await TestStores.CountAsync(opened, "clv_fits");
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Lifecycle_AfterAStoreFit_UsesItsPAlive_AsTheServerDoes(string engine)
    {
        var store = await SeededStoreAsync(engine, 80, dailyBuyers: true);
        var asOf = new DateOnly(2026, 10, 31);
        async Task<Dictionary<string, long>> StagesAsync()
        {
            var (exit, output, error) = await CliRunner.RunAsync(["lifecycle", "--as-of", "2026-10-31", "--format", "json", .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
            using var json = JsonDocument.Parse(output);
            return json.RootElement.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!, s => s.GetProperty("customers").GetInt64());
        }
        var byRhythm = await StagesAsync();
        Assert.True((await CliRunner.RunAsync(["clv", "fit", "--calibration-end", "2026-10-31", .. store])).Exit == ExitCodes.Ok);
        var withFit = await StagesAsync();

        // The stages the server's GET /v1/lifecycle gives: P(alive) of the latest fit (CustomerInsights).
        var location = store[0] == "--data" ? StoreLocation.Sqlite(store[1]) : StoreLocation.Postgres(store[1]);
        using var opened = (await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None)).Value;
        var index = await Flywheel.Analytics.Index.EventIndexBuilder.BuildAsync(opened, null, CancellationToken.None);
        var insights = new Flywheel.Customers.CustomerInsights();
        await insights.LoadFitAsync(opened, CancellationToken.None);
        var expected = Flywheel.Customers.Lifecycle.LifecycleEngine.Run(index, asOf, insights.PAliveOf(index, asOf));
        Assert.Equal(expected.GroupBy(s => s.Stage).ToDictionary(g => g.Key, g => g.LongCount()), withFit.Where(s => s.Value > 0).ToDictionary());
        // d1 (active by rhythm) and d2 (lapsed) are at risk and churned by P(alive): the fit moved them.
        Assert.NotEqual(byRhythm, withFit);
        Assert.Equal(("at_risk", "churned"), (expected.Single(s => s.CustomerId == "d1").Stage, expected.Single(s => s.CustomerId == "d2").Stage));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FitStore_StoresTheFit_AndPredictUsesTheLatest(string engine)
    {
        var store = await SeededStoreAsync(engine, 80);
        var (exit, output, error) = await CliRunner.RunAsync(["clv", "fit", "--calibration-end", "2026-10-31", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var root = json.RootElement;
            Assert.Equal("2026-10-31", root.GetProperty("calibration_end").GetString());
            Assert.Equal("week", root.GetProperty("unit").GetString());
            Assert.Equal(80, root.GetProperty("customers").GetInt32());
            Assert.True(root.GetProperty("bgnbd").GetProperty("r").GetDouble() > 0);
            Assert.Equal("fen", root.GetProperty("gamma_gamma").GetProperty("money_unit").GetString());
        }
        Assert.Equal(1, await FitsAsync(store));

        // The default calibration end is the end of the data (the last order day), not the clock's today (2026-11-01): a history
        // that ended earlier is measured from its own end. The text output is a table.
        var dataEnd = _lastOrderDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.NotEqual("2026-11-01", dataEnd);
        (exit, output, error) = await CliRunner.RunAsync(["clv", "fit", "--unit", "day", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains($"calibration end 观察截止 {dataEnd}  unit 单位 day", output, StringComparison.Ordinal);
        Assert.Contains("Gamma-Gamma spend 客单价模型", output, StringComparison.Ordinal);

        (exit, output, error) = await CliRunner.RunAsync(["clv", "predict", "--customer", "c001", "--horizon", "365", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var p = json.RootElement;
            Assert.Equal("c001", p.GetProperty("customer_id").GetString());
            Assert.Equal("day", p.GetProperty("unit").GetString()); // the latest fit
            Assert.Equal(dataEnd, p.GetProperty("as_of").GetString());
            Assert.InRange(p.GetProperty("p_alive").GetDouble(), 0, 1);
            Assert.True(p.GetProperty("expected_purchases").GetDouble() > 0);
            var clvFen = p.GetProperty("clv_fen").GetInt64();
            Assert.Equal(clvFen / 100m, p.GetProperty("clv").GetDecimal()); // yuan, exactly the fen
            Assert.True(clvFen > 0);
        }
        (exit, output, _) = await CliRunner.RunAsync(["clv", "predict", "--customer", "c001", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("CLV 终身价值", output, StringComparison.Ordinal);
        Assert.Contains("¥", output, StringComparison.Ordinal);

        (exit, _, error) = await CliRunner.RunAsync(["clv", "predict", "--customer", "nobody", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--customer: no customer 'nobody'", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(["clv", "predict", "--customer", "c001", "--horizon", "0", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--horizon: 0 is outside 1..3652 days", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(["clv", "predict", "--customer", "c001", "--discount-rate", "2", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--discount-rate:", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FitStore_TooFewCustomers_ExitsTwoAndStoresNothing(string engine)
    {
        var store = await SeededStoreAsync(engine, 30);
        var (exit, output, error) = await CliRunner.RunAsync(["clv", "fit", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("customers: 30 customers to fit on; a fit needs at least 50", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        Assert.Equal(0, await FitsAsync(store));

        (exit, _, error) = await CliRunner.RunAsync(["clv", "predict", "--customer", "c001", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no CLV fit yet", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--unit", "month", "--unit: 'month' is not week or day")]
    [InlineData("--calibration-end", "2026-13-01", "--calibration-end: takes a date")]
    [InlineData("--calibration-end", "2026-11-02", "--calibration-end: 2026-11-02 is after today (2026-11-01)")]
    [InlineData("--format", "xml", "--format: 'xml' is not text or json")]
    public async Task FitStore_BadOption_ExitsTwoNamingIt(string option, string value, string expected)
    {
        var store = await SeededStoreAsync(TestStores.Sqlite, 60);
        var (exit, _, error) = await CliRunner.RunAsync(["clv", "fit", option, value, .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(0, await FitsAsync(store));
    }

    [Fact]
    public async Task FitSummary_WithCalibrationEnd_IsRefused()
    {
        var (exit, _, error) = await CliRunner.RunAsync("clv", "fit", "--summary", Write("s.csv", Smoke), "--calibration-end", "2026-01-01");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--calibration-end: applies to fits of the store", error, StringComparison.Ordinal);
    }
}
