using System.Text;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Ingestion.Tests.Import;

public sealed class ImporterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-import-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static Task<ImportResult> Import(FlywheelStore store, ImportKind kind, string path, bool skipBad = false, bool createMissing = false) =>
        Importer.ImportAsync(store, new ImportRequest(kind, path, skipBad, createMissing), null, CancellationToken.None);

    private const string Customers = """
        customer_id,name,gender,birth_date,province,city,city_tier,signup_channel,signup_at,member_tier,phone,email,sms_consent
        u1,李雷,男,1990-04-01,上海,上海,一线,tmall,2025-01-02T09:00:00+08:00,gold,+86 138-0013-8000,LiLei@Example.com,granted
        u2,韩梅梅,female,1995-12-24,四川,成都,新一线,douyin,2025-03-04T10:00:00,silver,13900139000,,withdrawn
        """;

    private const string Products = """
        sku,name,category,list_price,brand,cost,store,tags
        k1,面霜 Cream,美妆/面部护理,100.00,Brand A,40,store-a,新品|爆款
        k2,爽肤水 Toner,美妆>面部护理,50.5,Brand A,20.10,store-b,
        """;

    private const string Orders = """
        order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,coupon_codes,refunded_quantity
        o1,u1,2026-05-01T10:00:00+08:00,k1,1,100.00,2026-05-01T10:01:00+08:00,paid,tmall,10.00,0,SAVE10,0
        o1,u1,2026-05-01T10:00:00+08:00,k2,2,50.50,2026-05-01T10:01:00+08:00,paid,tmall,0,0,SAVE10,1
        o2,u3,2026-05-20T09:00:00+08:00,k2,1,50.50,2026-05-20T09:02:00+08:00,completed,jd,,8.00,,
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_ContractFiles_StoreWhatTheySay(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        Assert.True((await Import(store, ImportKind.Customers, Write("c.csv", Customers))).Succeeded);
        Assert.True((await Import(store, ImportKind.Products, Write("p.csv", Products))).Succeeded);
        var orders = await Import(store, ImportKind.Orders, Write("o.csv", Orders));
        Assert.True(orders.Succeeded, orders.Error?.ToString());
        Assert.Equal(3, orders.RowsRead);
        Assert.Equal(2, orders.Counts!.Inserted);
        Assert.Equal(1, orders.Counts.BareCustomersCreated); // u3 was not imported: created bare

        // o1: goods 100 + 2 x 50.50 = 201.00, minus 10.00 discount = 191.00 paid; one toner refunded = 50.50.
        Assert.Equal(19100L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT total_paid FROM orders WHERE order_id = 'o1'")));
        Assert.Equal(1000L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT discount_amount FROM orders WHERE order_id = 'o1'")));
        Assert.Equal(5050L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT refund_amount FROM orders WHERE order_id = 'o1'")));
        Assert.Equal(5850L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT total_paid FROM orders WHERE order_id = 'o2'")));
        Assert.Equal(10000L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT unit_list_price FROM order_lines WHERE order_id = 'o1' AND sku = 'k1'")));
        Assert.Equal("美妆>面部护理", await TestStores.ScalarAsync(store, "SELECT category FROM products WHERE sku = 'k1'"));
        Assert.Equal("新品|爆款", await TestStores.ScalarAsync(store, "SELECT tags FROM products WHERE sku = 'k1'"));

        // Customers: enums normalised, phone without +86, e-mail lower-cased, consent recorded, no-offset time read in Asia/Shanghai.
        Assert.Equal("male", await TestStores.ScalarAsync(store, "SELECT gender FROM customers WHERE customer_id = 'u1'"));
        Assert.Equal("new_tier1", await TestStores.ScalarAsync(store, "SELECT city_tier FROM customers WHERE customer_id = 'u2'"));
        Assert.Equal("u1", await TestStores.ScalarAsync(store, "SELECT customer_id FROM customer_identities WHERE kind = 'phone' AND value = '13800138000'"));
        Assert.Equal("u1", await TestStores.ScalarAsync(store, "SELECT customer_id FROM customer_identities WHERE kind = 'email' AND value = 'lilei@example.com'"));
        Assert.Equal("withdrawn", await TestStores.ScalarAsync(store, "SELECT status FROM customer_consents WHERE customer_id = 'u2' AND channel = 'sms'"));
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 2, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT signup_at FROM customers WHERE customer_id = 'u2'")));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_SameFilesTwice_ChangesNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var events = Write("e.csv", "event_id,type,time,customer_id,anonymous_id,value,properties\n" +
                                    "e1,product_view,2026-05-01T09:00:00+08:00,u1,,,\"{\"\"src\"\":\"\"feed\"\"}\"\n" +
                                    "e2,order_paid,2026-05-01T09:05:00+08:00,u1,,191.00,\n" +
                                    "e3,page_view,2026-05-01T09:06:00+08:00,,anon-9,,\n");
        var files = new (ImportKind, string)[]
        {
            (ImportKind.Customers, Write("c.csv", Customers)), (ImportKind.Products, Write("p.csv", Products)),
            (ImportKind.Orders, Write("o.csv", Orders)), (ImportKind.Events, events),
            (ImportKind.Spend, Write("s.csv", "date,channel,cost,campaign,impressions,clicks\n2026-05-01,douyin,1200.50,618预热,100000,2500\n")),
        };
        foreach (var (kind, path) in files) Assert.True((await Import(store, kind, path)).Succeeded);
        var before = await TestStores.SnapshotAsync(store);
        var updatedAt = await TestStores.ScalarAsync(store, "SELECT SUM(updated_at) FROM customers");
        foreach (var (kind, path) in files)
        {
            var again = await Import(store, kind, path);
            Assert.True(again.Succeeded);
            Assert.Equal(0, again.Counts!.Inserted);
            Assert.Equal(0, again.Counts.Updated);
        }
        // Only the ingests log grows (one row per import); the data is untouched.
        Assert.Equal(before.Replace("ingests=5", "ingests=10", StringComparison.Ordinal), await TestStores.SnapshotAsync(store));
        Assert.Equal(updatedAt, await TestStores.ScalarAsync(store, "SELECT SUM(updated_at) FROM customers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_CustomersWithFewerColumns_UpdatesOnlyThoseColumns(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await Import(store, ImportKind.Customers, Write("c.csv", Customers));
        var result = await Import(store, ImportKind.Customers, Write("c2.csv", "customer_id,city\nu1,杭州\nu2,成都\n"));
        Assert.Equal(1, result.Counts!.Updated);
        Assert.Equal(1, result.Counts.Unchanged);
        Assert.Equal("杭州", await TestStores.ScalarAsync(store, "SELECT city FROM customers WHERE customer_id = 'u1'"));
        Assert.Equal("李雷", await TestStores.ScalarAsync(store, "SELECT name FROM customers WHERE customer_id = 'u1'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_IdentifyEvent_StitchesEarlierAnonymousEvents(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await Import(store, ImportKind.Events, Write("a.csv", "event_id,type,time,anonymous_id\na1,page_view,2026-05-01T09:00:00Z,dev-1\na2,product_view,2026-05-01T09:01:00Z,dev-1\n"));
        Assert.Equal(2, await TestStores.CountAsync(store, "events", "customer_id IS NULL"));
        var identify = await Import(store, ImportKind.Events, Write("b.ndjson",
            "{\"event_id\":\"i1\",\"type\":\"identify\",\"time\":\"2026-05-01T09:02:00Z\",\"anonymous_id\":\"dev-1\",\"customer_id\":\"u7\"}\n" +
            "{\"event_id\":\"a3\",\"type\":\"add_to_cart\",\"time\":\"2026-05-01T09:03:00Z\",\"anonymous_id\":\"dev-1\",\"value\":12.5}\n"));
        Assert.True(identify.Succeeded, identify.Error?.ToString());
        Assert.Equal(0, await TestStores.CountAsync(store, "events", "customer_id IS NULL"));
        Assert.Equal(4, await TestStores.CountAsync(store, "events", "customer_id = 'u7'"));
        Assert.Equal(1250L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT value FROM events WHERE event_id = 'a3'")));
        Assert.Equal(1, await TestStores.CountAsync(store, "customers", "customer_id = 'u7'"));
    }

    public static TheoryData<string, string, string, string> BadFiles => new()
    {
        // kind, file content, expected place, expected words in the message
        { "events", "event_id,type,time,customer_id\ne1,page_view,2026-05-01T10:00:00,u1\ne2,page_view,\"2026-05-01,u1\n", "bad.csv:3", "never closed" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k1,two,100\n", "bad.csv:2:5 (quantity)", "not a whole number" },
        { "products", "sku,name,category\nk9,Cream,beauty\n", "bad.csv:1", "missing required column 'list_price'" },
        { "customers", "customer_id,gender\nu1,alien\n", "bad.csv:2:2 (gender)", "unknown gender 'alien'" },
        { "events", "event_id,type,time,customer_id\ne1,teleport,2026-05-01T10:00:00,u1\n", "bad.csv:2:2 (type)", "unknown event type 'teleport'" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price,status\no1,u1,2026-05-01T10:00:00,k1,1,100,lost\n", "(status)", "unknown status 'lost'" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k1,0,100\n", "bad.csv:2:5 (quantity)", "between 1 and" },
        { "products", "sku,name,category,list_price\nk9,Cream,beauty,-5.00\n", "bad.csv:2:4 (list_price)", "must not be negative" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k404,1,100\n", "bad.csv:2", "unknown SKU 'k404'" },
        { "customers", "customer_id,name\nu1,A\nu2,B\nu1,C\n", "bad.csv:4:1 (customer_id)", "duplicate customer_id 'u1' (first on line 2)" },
        { "events", "event_id,type,time,customer_id\ne1,page_view,2026-05-01T10:00:00,u1\ne1,page_view,2026-05-01T10:00:00,u1\n", "bad.csv:3:1 (event_id)", "duplicate event_id 'e1'" },
        { "products", "sku,name,category,list_price\nk9,A,x,1\nk9,B,x,2\n", "bad.csv:3:1 (sku)", "duplicate sku 'k9'" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k1,1,1\no2,u1,2026-05-01T10:00:00,k1,1,1\no1,u1,2026-05-01T10:00:00,k1,1,1\n", "bad.csv:4:1 (order_id)", "appears again" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k1,1,1\no1,u2,2026-05-01T10:00:00,k1,1,1\n", "bad.csv:3:2 (customer_id)", "differs from line 2" },
        { "events", "event_id,type,time,customer_id\ne1,page_view,1970-01-01T00:00:00Z,u1\n", "bad.csv:2:3 (time)", "out of range" },
        { "events", "event_id,type,time,customer_id,properties\ne1,page_view,2026-05-01T10:00:00Z,u1,[1]\n", "bad.csv:2:5 (properties)", "must be a JSON object" },
        { "events", "event_id,type,time,customer_id\ne1,page_view,2026-05-01T10:00:00Z,\n", "bad.csv:2:4 (customer_id)", "needs a customer_id or an anonymous_id" },
        { "spend", "date,channel,cost\n2026-02-30,douyin,10\n", "bad.csv:2:1 (date)", "not a date" },
        { "spend", "date,channel,cost,clicks\n2026-05-01,douyin,10,-3\n", "bad.csv:2:4 (clicks)", "between 0 and" },
        { "orders", "order_id,customer_id,placed_at,sku,quantity,unit_price,line_discount\no1,u1,2026-05-01T10:00:00,k1,1,10,11\n", "(line_discount)", "exceeds" },
        { "customers", "customer_id,phone\nu9,13800138000\n", "bad.csv:2", "phone '13800138000' already belongs to customer 'u1'" },
        { "events", "event_id,type,time,customer_id\ne1,page_view,2026-05-01T10:00:00Z,u1,extra\n", "bad.csv:2", "expected 4 fields" },
        { "customers", "customer_id,name,name\nu1,A,B\n", "bad.csv:1", "appears twice" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Import_BadFile_SqliteAndPostgres_RefusesWithPlaceAndWritesNothing(string kind, string content, string place, string words)
    {
        foreach (var engine in new[] { TestStores.Sqlite, TestStores.Postgres })
        {
            using var store = await SeededStoreAsync(engine);
            var before = await TestStores.SnapshotAsync(store);
            var result = await Import(store, Enum.Parse<ImportKind>(kind, true), Write("bad.csv", content));
            Assert.False(result.Succeeded, $"{engine}: {kind} file was accepted");
            Assert.Contains(place, result.Error!.ToString(), StringComparison.Ordinal);
            Assert.Contains(words, result.Error.ToString(), StringComparison.Ordinal);
            Assert.Equal(before, await TestStores.SnapshotAsync(store));
        }
    }

    /// <summary>A store holding customers u1, u2 and products k1, k2, so bad files have something to disturb.</summary>
    private async Task<FlywheelStore> SeededStoreAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        Assert.True((await Import(store, ImportKind.Customers, Write("seed-c.csv", Customers))).Succeeded);
        Assert.True((await Import(store, ImportKind.Products, Write("seed-p.csv", Products))).Succeeded);
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_NonUtf8Bytes_NamesLineAndColumn(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var header = Encoding.UTF8.GetBytes("customer_id,name\nu1,ok\nu2,");
        var gbk = new byte[] { 0xC0, 0xEE, 0xC0, 0xD7, (byte)'\n' }; // 李雷 saved as GBK
        var result = await Import(store, ImportKind.Customers, WriteBytes("gbk.csv", [.. header, .. gbk]));
        Assert.False(result.Succeeded);
        Assert.StartsWith("gbk.csv:3:2 (name)", result.Error!.ToString(), StringComparison.Ordinal);
        Assert.Contains("not UTF-8", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(store, "customers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_TenMegabyteField_IsRefusedWithoutLoadingIt(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var path = Path.Combine(_folder, "huge.csv");
        await using (var writer = new StreamWriter(path))
        {
            await writer.WriteAsync("event_id,type,time,customer_id,properties\ne1,page_view,2026-05-01T10:00:00Z,u1,\"{\"\"x\"\":\"\"");
            await writer.WriteAsync(new string('x', 10 << 20));
            await writer.WriteAsync("\"\"}\"\n");
        }
        var result = await Import(store, ImportKind.Events, path);
        Assert.False(result.Succeeded);
        Assert.Contains("huge.csv:2:5 (properties)", result.Error!.ToString(), StringComparison.Ordinal);
        Assert.Contains("longer than 1024 KiB", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(store, "events"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_EmptyOrMissingFile_IsRefused(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var empty = await Import(store, ImportKind.Events, Write("empty.csv", ""));
        Assert.Contains("empty", empty.Error!.Message, StringComparison.Ordinal);
        var missing = await Import(store, ImportKind.Events, Path.Combine(_folder, "nope.csv"));
        Assert.Equal("not_found", missing.Error!.Code);
        Assert.Contains("nope.csv", missing.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(store, "ingests"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_MalformedNdjson_NamesLine(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var result = await Import(store, ImportKind.Events, Write("e.ndjson",
            "{\"event_id\":\"e1\",\"type\":\"page_view\",\"time\":\"2026-05-01T10:00:00Z\",\"customer_id\":\"u1\"}\n{\"event_id\":\"e2\",\"type\":\n"));
        Assert.False(result.Succeeded);
        Assert.StartsWith("e.ndjson:2", result.Error!.ToString(), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(store, "events"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_SkipBad_LoadsGoodRowsAndWritesRejectsWithReasons(string engine)
    {
        using var store = await SeededStoreAsync(engine);
        var path = Write("o.csv", """
            order_id,customer_id,placed_at,sku,quantity,unit_price
            o1,u1,2026-05-01T10:00:00,k1,1,100
            o2,u1,2026-05-02T10:00:00,k1,1,100
            o2,u1,2026-05-02T10:00:00,k404,1,5
            o3,u2,2026-05-03T10:00:00,k2,0,50
            o3,u2,2026-05-03T10:00:00,k1,1,100
            o4,u2,2026-05-04T10:00:00,k2,2,50
            """);
        var result = await Import(store, ImportKind.Orders, path, skipBad: true);
        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(6, result.RowsRead);
        Assert.Equal(4, result.Rejected); // both lines of o2 (unknown SKU) and both of o3 (zero quantity)
        Assert.Equal(2, await TestStores.CountAsync(store, "orders"));
        Assert.Equal(0, await TestStores.CountAsync(store, "orders", "order_id IN ('o2', 'o3')"));
        var rejects = await File.ReadAllLinesAsync(path + ".rejects");
        Assert.Equal("order_id,customer_id,placed_at,sku,quantity,unit_price,_line,_error", rejects[0]);
        Assert.Equal(5, rejects.Length);
        Assert.Contains(rejects, l => l.StartsWith("o2,u1,2026-05-02T10:00:00,k404,1,5,4,", StringComparison.Ordinal) && l.Contains("unknown SKU 'k404'", StringComparison.Ordinal));
        Assert.Contains(rejects, l => l.StartsWith("o3,u2,2026-05-03T10:00:00,k2,0,50,5,", StringComparison.Ordinal) && l.Contains("(quantity)", StringComparison.Ordinal));
        Assert.Contains(rejects, l => l.StartsWith("o3,u2,2026-05-03T10:00:00,k1,1,100,6,", StringComparison.Ordinal) && l.Contains("another line of order 'o3' was refused, so this line is refused with it (an order is stored whole or not at all)", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_CreateMissing_CreatesBareProducts(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var result = await Import(store, ImportKind.Orders, Write("o.csv", "order_id,customer_id,placed_at,sku,quantity,unit_price\no1,u1,2026-05-01T10:00:00,k404,2,9.90\n"), createMissing: true);
        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(1, result.Counts!.BareProductsCreated);
        Assert.Equal(990L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT list_price FROM products WHERE sku = 'k404'")));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_SkipBadEvents_RejectsDuplicatesAndBadRowsInOrder(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var lines = new StringBuilder("event_id,type,time,customer_id\n");
        for (var i = 0; i < 5000; i++) lines.Append($"e{i},page_view,2026-05-01T10:00:00Z,u{i % 50}\n");
        lines.Append("e17,page_view,2026-05-01T10:00:00Z,u1\n"); // a repeat far from its first line
        lines.Append("x1,warp,2026-05-01T10:00:00Z,u1\n");
        var path = Write("e.csv", lines.ToString());
        var result = await Import(store, ImportKind.Events, path, skipBad: true);
        Assert.True(result.Succeeded);
        Assert.Equal(5000, await TestStores.CountAsync(store, "events"));
        Assert.Equal(2, result.Rejected);
        var rejects = await File.ReadAllLinesAsync(path + ".rejects");
        Assert.Contains("e.csv:5002:1 (event_id): duplicate event_id 'e17'", rejects[1], StringComparison.Ordinal);
        Assert.Contains("unknown event type 'warp'", rejects[2], StringComparison.Ordinal);
    }
}
