using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class SegmentsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-segments-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>u1 (杭州, 一线, sms granted) bought once; u2 (成都, 新一线) twice; u3 never. The test clock's now is 2026-11-01 12:00 +08:00.</summary>
    private async Task<string[]> SeededStoreAsync(string engine)
    {
        var store = StoreArgs(engine);
        await File.WriteAllTextAsync(Path.Combine(_folder, "customers.csv"), """
            customer_id,city,city_tier,sms_consent
            u1,杭州,一线,granted
            u2,成都,新一线,
            u3,温州,三线,withdrawn
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "orders.csv"), """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel
            o1,u1,2026-10-05T10:00:00+08:00,k1,1,100.00,2026-10-05T10:01:00+08:00,paid,douyin
            o2,u2,2026-10-06T10:00:00+08:00,k1,1,150.00,2026-10-06T10:01:00+08:00,paid,jd
            o3,u2,2026-10-07T10:00:00+08:00,k1,1,30.00,2026-10-07T10:01:00+08:00,paid,douyin
            """);
        foreach (var (kind, file, extra) in new[] { ("customers", "customers.csv", Array.Empty<string>()), ("orders", "orders.csv", ["--create-missing"]) })
        {
            var (exit, _, error) = await CliRunner.RunAsync(["import", kind, Path.Combine(_folder, file), .. extra, .. store]);
            Assert.True(exit == ExitCodes.Ok, error);
        }
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AddListShowMembersExportCheckDelete(string engine)
    {
        var store = await SeededStoreAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["segments", "add", "buyers-t2", "--rule", "orders(90d) >= 1 and city_tier <= 2", "--title", "一二线买家", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Equal("buyers-t2: 2 members", output.Trim());
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["segments", "add", "sms-ok", "--rule", "consent(\"sms\")", .. store])).Exit);

        var list = await CliRunner.RunAsync(["segments", "list", .. store]);
        Assert.Equal(2, list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("一二线买家", list.Out, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse((await CliRunner.RunAsync(["segments", "list", "--format", "json", .. store])).Out))
        {
            var segments = json.RootElement.GetProperty("segments");
            Assert.Equal(["buyers-t2", "sms-ok"], segments.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
            Assert.Equal(1, segments[1].GetProperty("member_count").GetInt64());
        }

        var show = await CliRunner.RunAsync(["segments", "show", "buyers-t2", .. store]);
        Assert.Contains("rule       orders(90d) >= 1 and city_tier <= 2", show.Out, StringComparison.Ordinal);
        Assert.Contains("sample     u1, u2", show.Out, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse((await CliRunner.RunAsync(["segments", "show", "buyers-t2", "--format", "json", .. store])).Out))
            Assert.Equal(2, json.RootElement.GetProperty("member_count").GetInt64());

        Assert.Equal("u1\n", (await CliRunner.RunAsync(["segments", "members", "buyers-t2", "--limit", "1", .. store])).Out.ReplaceLineEndings("\n"));
        Assert.Equal("u1\nu2\n", (await CliRunner.RunAsync(["segments", "members", "buyers-t2", "--limit", "0", .. store])).Out.ReplaceLineEndings("\n"));

        var csv = Path.Combine(_folder, "buyers.csv");
        var export = await CliRunner.RunAsync(["segments", "export", "buyers-t2", "--out", csv, .. store]);
        Assert.True(export.Exit == ExitCodes.Ok, export.Error);
        Assert.Equal(["customer_id,entered_at", "u1,2026-11-01T04:00:00.000Z", "u2,2026-11-01T04:00:00.000Z"],
            (await File.ReadAllTextAsync(Path.Combine(_folder, "buyers.csv"))).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("customer_id,entered_at\nu1,", (await CliRunner.RunAsync(["segments", "export", "buyers-t2", .. store])).Out, StringComparison.Ordinal);

        var check = await CliRunner.RunAsync(["segments", "check", "--rule", "orders() >= 2 or city contains \"州\"", .. store]);
        Assert.True(check.Exit == ExitCodes.Ok, check.Error);
        Assert.Equal(["3 customers match", "u1", "u2", "u3"], check.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using (var json = JsonDocument.Parse((await CliRunner.RunAsync(["segments", "check", "--rule", "gmv(90d) >= 180", "--format", "json", .. store])).Out))
        {
            Assert.Equal(1, json.RootElement.GetProperty("member_count").GetInt32());
            Assert.Equal(["gmv(90d)"], json.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        }

        Assert.Equal("0 entered, 0 exited", (await CliRunner.RunAsync(["segments", "refresh", .. store])).Out.Trim());
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["segments", "delete", "buyers-t2", .. store])).Exit);
        var again = await CliRunner.RunAsync(["segments", "delete", "buyers-t2", .. store]);
        Assert.Equal(ExitCodes.BadInput, again.Exit);
        Assert.Contains("no segment 'buyers-t2'", again.Error, StringComparison.Ordinal);
        Assert.Single((await CliRunner.RunAsync(["segments", "list", .. store])).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("orders([window])", (await CliRunner.RunAsync(["segments", "fields"])).Out, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadRules => new()
    {
        { "orders(90d) >= and consent(\"sms\")", "error: --rule: line 1, column 16: unexpected 'and', expected a value", "                 ^^^" },
        { "ordrs(90d) >= 2", "error: --rule: line 1, column 1: unknown field 'ordrs': did you mean 'orders'?", "  ^^^^^" },
        { "last_order_date >= \"2026-01-01\"", "error: --rule: line 1, column 20: cannot compare last_order_date (a date) with a string", "^^^^^^^^^^^^" },
        { "orders(0d) >= 1", "error: --rule: line 1, column 8: a window of 0d is empty", "         ^^" },
        { string.Concat(Enumerable.Repeat("orders(90d) >= 1 or ", 5200)) + "orders(90d) >= 1", "error: --rule: line 1, column 10001: the rule is 104,016 characters long; at most 10,000 are accepted", "^" },
        { new string('(', 1000) + "orders >= 1" + new string(')', 1000), "error: --rule: line 1, column 65: the rule nests parentheses and not more than 64 levels deep", "^" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task BadRule_Exits2WithLineColumnAndExcerpt_AndStoresNothing(string rule, string message, string caret)
    {
        var store = await SeededStoreAsync(TestStores.Sqlite);
        foreach (var args in new[] { new[] { "segments", "add", "x", "--rule", rule }, ["segments", "check", "--rule", rule] })
        {
            var (exit, output, error) = await CliRunner.RunAsync([.. args, .. store]);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Equal("", output);
            var lines = error.ReplaceLineEndings("\n").Split('\n');
            Assert.StartsWith(message, lines[0], StringComparison.Ordinal);
            Assert.Contains(caret, lines[2], StringComparison.Ordinal);
        }
        Assert.Equal("", (await CliRunner.RunAsync(["segments", "list", .. store])).Out);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadNamesDuplicatesAndMissingSegments_Exit2(string engine)
    {
        var store = await SeededStoreAsync(engine);
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["segments", "add", "vip", "--rule", "orders() >= 2", .. store])).Exit);
        foreach (var (args, message) in new (string[], string)[]
        {
            (["segments", "add", "vip", "--rule", "orders() >= 1"], "error: name: a segment named 'vip' exists"),
            (["segments", "add", "VIP!", "--rule", "orders() >= 1"], "error: name: 'VIP!' is not a slug"),
            (["segments", "add", "x"], "error: --rule: a rule is required"),
            (["segments", "add", "x", "--rule", "orders() >= 1", "--title", new string('t', 201)], "error: --title: the title is 201 characters long"),
            (["segments", "show", "nope"], "error: name: no segment 'nope'"),
            (["segments", "members", "nope"], "error: name: no segment 'nope'"),
            (["segments", "members", "vip", "--limit", "-1"], "error: --limit: is 0 (all) or more"),
            (["segments", "export", "nope"], "error: name: no segment 'nope'"),
            (["segments", "check", "--rule", "orders() >= 1", "--sample", "101"], "error: --sample: is from 0 to 100"),
        })
        {
            var (exit, _, error) = await CliRunner.RunAsync([.. args, .. store]);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.StartsWith(message, error, StringComparison.Ordinal);
        }
        var list = await CliRunner.RunAsync(["segments", "list", .. store]);
        Assert.StartsWith("vip ", list.Out, StringComparison.Ordinal);
        Assert.Single(list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
