using System.Globalization;
using System.Text.Json;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Issue 12, one test per import bullet on small files whose answers are known: a marketplace-style mapping (Chinese headers,
/// status values, fen, defaults), returns refunding the lines they match, guest orders, what an import assumes, one currency per
/// store, and refusal counts per reason. Both engines.
/// </summary>
public sealed class ImportMappingTests : IDisposable
{
    private readonly Scratch _scratch = new("mapping");

    public void Dispose() => _scratch.Dispose();

    private string[] Store(string engine) => _scratch.NewStore(engine);

    private string Write(string name, string text) => _scratch.Write(name, text);

    private static async Task<JsonElement> JsonAsync(params string[] args)
    {
        var (exit, output, error) = await CliRunner.RunAsync(args);
        Assert.True(exit == ExitCodes.Ok, $"{string.Join(' ', args)}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static JsonElement Total(JsonElement kpi) => kpi.GetProperty("rows")[0];

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task Mapping_ChineseHeadersStatusValuesFenAndDefaults_LoadWithoutAScript(string engine)
    {
        var store = Store(engine);
        var map = Write("shop.yaml", """
            kind: orders
            money: fen
            time_format: yyyy/MM/dd HH:mm
            columns:
              order_id: 订单编号
              customer_id: 买家会员名
              placed_at: 下单时间
              paid_at: 付款时间
              status: 订单状态
              sku: 商家编码
              quantity: 购买数量
              unit_price: 单价
            values:
              status:
                交易成功: completed
                交易关闭: cancelled
                等待买家付款: pending
            defaults:
              channel: tmall
            create_missing: true
            """);
        var file = Write("export.csv", """
            订单编号,买家会员名,下单时间,付款时间,订单状态,商家编码,购买数量,单价,买家留言
            T1,小王,2026/05/01 10:00,2026/05/01 10:02,交易成功,SKU-A,2,"¥1,999",快点发货
            T2,小李,2026/05/02 11:00,,交易关闭,SKU-A,1,1999,
            T3,小王,2026/05/03 12:00,2026/05/03 12:01,交易成功,SKU-B,1,500,
            """);
        var summary = await JsonAsync(["import", "orders", file, "--map", map, "--output", "json", .. store]);
        Assert.Equal(3, summary.GetProperty("inserted").GetInt64());
        var kpi = Total(await JsonAsync(["report", "kpi", "--format", "json", "--by", "channel", .. store]));
        Assert.Equal("tmall", kpi.GetProperty("key").GetString());
        Assert.Equal(2 * 19.99m + 5.00m, kpi.GetProperty("gmv").GetDecimal()); // fen, with a currency sign and a thousands separator
        Assert.Equal(2, kpi.GetProperty("orders").GetInt32()); // 交易关闭 is cancelled: no sale
        Assert.Equal(1, kpi.GetProperty("buyers").GetInt32());
    }

    /// <summary>
    /// Each shipped marketplace mapping reads a file with its own header row: a completed order of two lines and a cancelled one.
    /// The layouts are the platforms' documented field lists (the YAML files say they were not checked against live exports).
    /// </summary>
    [Theory]
    [InlineData("taobao", true)]
    [InlineData("tmall", true)]
    [InlineData("jd", true)]
    [InlineData("pinduoduo", false)]
    [InlineData("douyin", false)]
    [InlineData("youzan", true)]
    public async Task ShippedMarketplaceMappings_ReadTheirOwnLayout(string name, bool hasBuyer)
    {
        var mapping = Flywheel.Ingestion.Import.ImportMapping.Load(name).Value;
        var columns = mapping.Columns.ToList();
        var completed = mapping.Values["status"].First(p => p.Value == "completed").Key;
        var cancelled = mapping.Values["status"].First(p => p.Value == "cancelled").Key;
        string Cell(string target, string order, string status, string sku) => target switch
        {
            "order_id" => order,
            "customer_id" => "buyer1",
            "status" => status,
            "placed_at" or "paid_at" => "2026-05-01 10:00:00",
            "sku" => sku,
            "quantity" => "2",
            "unit_price" or "line_total" => "12.50",
            "shipping_fee" => "0",
            _ => "x",
        };
        static string Quote(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('，', StringComparison.Ordinal) ? $"\"{s}\"" : s;
        var csv = new System.Text.StringBuilder(string.Join(',', columns.Select(c => Quote(c.Value))) + "\n");
        foreach (var (order, status, sku) in new[] { ("A1", completed, "K1"), ("A1", completed, "K2"), ("A2", cancelled, "K1") })
            csv.Append(string.Join(',', columns.Select(c => Quote(Cell(c.Key, order, status, sku))))).Append('\n');
        var store = Store(TestStores.Sqlite);
        var summary = await JsonAsync(["import", "orders", Write(name + ".csv", csv.ToString()), "--map", name, "--output", "json", .. store]);
        Assert.Equal(2, summary.GetProperty("inserted").GetInt64());
        Assert.Equal(hasBuyer ? 0 : 2, summary.GetProperty("guest_orders").GetInt64());
        var kpi = Total(await JsonAsync(["report", "kpi", "--format", "json", .. store]));
        Assert.Equal(1, kpi.GetProperty("orders").GetInt32());
        Assert.Equal(hasBuyer ? 1 : 0, kpi.GetProperty("buyers").GetInt32());
        Assert.Equal(columns.Any(c => c.Key == "line_total") ? 25.00m : 50.00m, kpi.GetProperty("gmv").GetDecimal());
    }

    [Fact]
    public async Task Mapping_Mistakes_NameTheKeyAndChangeNothing()
    {
        var store = Store(TestStores.Sqlite);
        var file = Write("o.csv", "id,c,t,s,q,p\no1,u1,2026-05-01T10:00:00,k1,1,10\n");
        foreach (var (yaml, words) in new[]
                 {
                     ("columns:\n  order_no: id\n", "columns.order_no: 'order_no' is not a column Flywheel reads"),
                     ("colums:\n  order_id: id\n", "colums: unknown setting"),
                     ("money: dollars\n", "money: 'dollars' is not yuan"),
                     ("time_zone: Mars/Base\n", "unknown time zone 'Mars/Base'"),
                     ("columns: [1, 2\n", "not valid YAML"),
                     ("columns: " + new string('[', 5000) + "\n", "nests only a few levels deep"),
                     ("columns:\n  order_id: id\n", "missing required columns 'customer_id', 'placed_at', 'sku', 'quantity', 'unit_price'"),
                 })
        {
            var map = Write("bad.yaml", yaml);
            var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", file, "--map", map, .. store]);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains(words, error, StringComparison.Ordinal);
        }
        var (missing, _, missingError) = await CliRunner.RunAsync(["import", "orders", file, "--map", "no-such-layout", .. store]);
        Assert.Equal(ExitCodes.BadInput, missing);
        Assert.Contains("uci-online-retail", missingError, StringComparison.Ordinal); // names the shipped mappings
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task Returns_RefundTheLinesTheyMatch_ReportTheRest_AndNeverTwice(string engine)
    {
        var store = Store(engine);
        var map = Write("r.yaml", "returns:\n  order_id_prefix: R\nassume: paid\ncreate_missing: true\n");
        var file = Write("orders.csv", """
            order_id,customer_id,placed_at,sku,quantity,unit_price
            S1,u1,2026-05-01T10:00:00,k1,3,10.00
            S1,u1,2026-05-01T10:00:00,k2,1,7.00
            S2,u1,2026-05-05T10:00:00,k1,2,12.00
            R1,u1,2026-05-06T10:00:00,k1,-3,12.00
            R1,u1,2026-05-06T10:00:00,k9,-1,4.00
            S3,,2026-05-07T10:00:00,k1,1,10.00
            S3,,2026-05-07T10:00:00,k2,-1,7.00
            """);
        var summary = await JsonAsync(["import", "orders", file, "--map", map, "--output", "json", .. store]);
        // R1's 3 units of k1: S2's 2 (the latest sale first, ¥24.00) then 1 of S1's 3 (a third of ¥30.00). k9 was never sold to u1.
        Assert.Equal(3, summary.GetProperty("returns_matched_units").GetInt64());
        Assert.Equal(3400, summary.GetProperty("returns_matched_amount").GetInt64());
        Assert.Equal(2, summary.GetProperty("returns_unmatched_lines").GetInt64()); // k9, and the guest's -1 (no customer to match)
        Assert.Equal(400 + 700, summary.GetProperty("returns_unmatched_amount").GetInt64());
        Assert.Equal(1, summary.GetProperty("return_invoices").GetInt64());
        Assert.Equal(1, summary.GetProperty("guest_orders").GetInt64());

        var kpi = Total(await JsonAsync(["report", "kpi", "--format", "json", .. store]));
        Assert.Equal(30m + 7m + 24m + 10m, kpi.GetProperty("gmv").GetDecimal()); // R1 is a cancelled order: no sale
        Assert.Equal(34.00m, kpi.GetProperty("refunds").GetDecimal());
        Assert.Equal(3, kpi.GetProperty("orders").GetInt32());
        Assert.Equal(1, kpi.GetProperty("buyers").GetInt32()); // the guest order is no buyer

        using (var opened = await OpenAsync(store))
        {
            Assert.Equal("refunded", await ScalarAsync(opened, "SELECT status FROM orders WHERE order_id = 'S2'"));
            Assert.Equal("partially_refunded", await ScalarAsync(opened, "SELECT status FROM orders WHERE order_id = 'S1'"));
            Assert.Equal("cancelled", await ScalarAsync(opened, "SELECT status FROM orders WHERE order_id = 'R1'"));
            Assert.Null(await ScalarAsync(opened, "SELECT customer_id FROM orders WHERE order_id = 'S3'"));
        }

        // Again: nothing refunded twice.
        summary = await JsonAsync(["import", "orders", file, "--map", map, "--output", "json", .. store]);
        Assert.Equal(3, summary.GetProperty("returns_already_stored").GetInt64());
        Assert.Equal(34.00m, Total(await JsonAsync(["report", "kpi", "--format", "json", .. store])).GetProperty("refunds").GetDecimal());

        // S1 corrected in the source (k1 now 4 units): rewritten, and the refund R1 made on it is made again.
        var corrected = Write("corrected.csv", "order_id,customer_id,placed_at,sku,quantity,unit_price,status\nS1,u1,2026-05-01T10:00:00,k1,4,10.00,completed\nS1,u1,2026-05-01T10:00:00,k2,1,7.00,completed\n");
        summary = await JsonAsync(["import", "orders", corrected, "--output", "json", .. store]);
        Assert.Equal(1, summary.GetProperty("updated").GetInt64());
        kpi = Total(await JsonAsync(["report", "kpi", "--format", "json", .. store]));
        Assert.Equal(24.00m + 10.00m, kpi.GetProperty("refunds").GetDecimal());
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task NoStatusNoPaidTime_SaysWhatItAssumed_AndAssumePaidCountsTheSales(string engine)
    {
        var file = Write("bare.csv", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k1,1,10.00\no2,u2,2026-05-02T10:00:00,k1,2,10.00\n");
        var pending = Store(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["import", "orders", file, "--create-missing", .. pending]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("2 orders had no status and no paid time: stored as pending", output, StringComparison.Ordinal);
        Assert.Contains("--assume-paid", output, StringComparison.Ordinal);
        Assert.Equal(0, Total(await JsonAsync(["report", "kpi", "--format", "json", .. pending])).GetProperty("orders").GetInt32());

        var paid = Store(engine);
        var summary = await JsonAsync(["import", "orders", file, "--create-missing", "--assume-paid", "--output", "json", .. paid]);
        Assert.Equal(2, summary.GetProperty("orders_assumed_paid").GetInt64());
        Assert.Contains(summary.GetProperty("assumptions").EnumerateArray(), a => a.GetString()!.Contains("stored as paid at their placed time", StringComparison.Ordinal));
        var kpi = Total(await JsonAsync(["report", "kpi", "--format", "json", .. paid]));
        Assert.Equal(2, kpi.GetProperty("orders").GetInt32());
        Assert.Equal(30.00m, kpi.GetProperty("gmv").GetDecimal());

        (exit, _, error) = await CliRunner.RunAsync(["import", "orders", file, "--assume-paid", "--assume-pending", .. paid]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("contradict", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task Currency_AnEmptyStoreTakesTheFilesAnotherIsRefusedOrConvertedWithRates(string engine)
    {
        var store = Store(engine);
        var gbp = Write("gbp.yaml", "currency: GBP\nassume: paid\ncreate_missing: true\n");
        var file = Write("uk.csv", "order_id,customer_id,placed_at,sku,quantity,unit_price\nu1,c1,2026-05-01T10:00:00,k1,1,10.00\n");
        var summary = await JsonAsync(["import", "orders", file, "--map", gbp, "--output", "json", .. store]);
        Assert.Equal("GBP", summary.GetProperty("currency").GetString());

        // Yuan into a pound store: refused, nothing written.
        var cny = Write("cn.csv", "order_id,customer_id,placed_at,sku,quantity,unit_price,currency,status\nc1,c2,2026-05-02T10:00:00,k1,1,90.50,CNY,paid\n");
        var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", cny, .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("the amount is in CNY but the store keeps GBP", error, StringComparison.Ordinal);
        Assert.Equal(10.00m, Total(await JsonAsync(["report", "kpi", "--format", "json", .. store])).GetProperty("gmv").GetDecimal());

        // With a rate table the same file is converted to pounds: 90.50 × 0.11 = 9.955 → 9.96 (half to even at the penny).
        var rates = Write("rates.yaml", "rates:\n  CNY: 0.11\n");
        await JsonAsync(["import", "orders", cny, "--map", rates, "--output", "json", .. store]);
        Assert.Equal(19.96m, Total(await JsonAsync(["report", "kpi", "--format", "json", .. store])).GetProperty("gmv").GetDecimal());
    }

    [Fact]
    public async Task SkipBad_CountsRefusalsPerReason_AndKeepsEveryReasonWhole()
    {
        var store = Store(TestStores.Sqlite);
        var file = Write("mixed.csv", """
            order_id,customer_id,placed_at,sku,quantity,unit_price,status
            o1,u1,2026-05-01T10:00:00,k1,1,10.00,paid
            o2,u1,2026-05-01T10:00:00,k1,0,10.00,paid
            o3,u1,2026-05-01T10:00:00,k1,0,10.00,paid
            o4,u1,not-a-time,k1,1,10.00,paid
            o5,u1,2026-05-01T10:00:00,k1,1,10.00,lost
            """);
        var summary = await JsonAsync(["import", "orders", file, "--skip-bad", "--create-missing", "--output", "json", .. store]);
        Assert.Equal(4, summary.GetProperty("rejected").GetInt64());
        var reasons = summary.GetProperty("refused_by_reason").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(3, reasons.Count);
        Assert.Equal(2, reasons.Single(r => r.Key.Contains("must be between", StringComparison.Ordinal)).Value);
        var rejects = File.ReadAllText(file + ".rejects");
        Assert.Contains("unknown status 'lost'", rejects, StringComparison.Ordinal);
        Assert.Contains("'not-a-time' is not an ISO 8601 time", rejects, StringComparison.Ordinal);
    }

    private static async Task<FlywheelStore> OpenAsync(string[] store)
    {
        var location = store[0] == "--data" ? StoreLocation.Sqlite(store[1]) : StoreLocation.Postgres(store[1]);
        return (await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None)).Value;
    }

    private static Task<object?> ScalarAsync(FlywheelStore store, string sql) => TestStores.ScalarAsync(store, sql);
}
