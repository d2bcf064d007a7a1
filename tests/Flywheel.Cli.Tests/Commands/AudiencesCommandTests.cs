using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class AudiencesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-audiences-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] Funnel = ["report", "funnel", "--steps", "product_view,add_to_cart,order_paid", "--window", "7d"];

    /// <summary>
    /// u1 carts and never pays, u2 pays, u3 pays ten days later (outside the window), the anonymous a1 carts and never pays,
    /// u4 only views. Dropped after 2: u1 and u3, plus one anonymous visitor.
    /// </summary>
    private async Task<string[]> SeedAsync(string engine)
    {
        string[] store = engine == TestStores.Sqlite
            ? ["--data", Path.Combine(_folder, "store")]
            : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];
        var events = Path.Combine(_folder, "events.csv");
        await File.WriteAllTextAsync(events, """
            event_id,customer_id,anonymous_id,type,time
            e1,u1,,product_view,2026-05-01T09:00:00+08:00
            e2,u1,,add_to_cart,2026-05-01T09:05:00+08:00
            e3,u2,,product_view,2026-05-02T09:00:00+08:00
            e4,u2,,add_to_cart,2026-05-02T09:01:00+08:00
            e5,u2,,order_paid,2026-05-02T09:30:00+08:00
            e6,u3,,product_view,2026-05-03T09:00:00+08:00
            e7,u3,,add_to_cart,2026-05-03T09:01:00+08:00
            e8,u3,,order_paid,2026-05-13T09:00:00+08:00
            e9,,a1,product_view,2026-05-04T09:00:00+08:00
            e10,,a1,add_to_cart,2026-05-04T09:02:00+08:00
            e11,u4,,product_view,2026-05-05T09:00:00+08:00
            """ + "\n");
        var (exit, _, error) = await CliRunner.RunAsync(["import", "events", events, .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        return store;
    }

    private static async Task<int> CountAsync(string[] store)
    {
        var (exit, output, error) = await CliRunner.RunAsync(["audiences", "list", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("audiences").GetArrayLength();
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SaveFromFunnel_ThenListShowExportDelete(string engine)
    {
        var store = await SeedAsync(engine);
        var (exit, output, error) = await CliRunner.RunAsync([.. Funnel, "--save-audience", "abandoned_cart", "--dropped-after", "2", "--title", "加购未付款",
            "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            var audience = json.RootElement.GetProperty("audience");
            Assert.Equal(("abandoned_cart", 2L, 1L), (audience.GetProperty("name").GetString(), audience.GetProperty("members").GetInt64(),
                audience.GetProperty("anonymous_dropped").GetInt64()));
            Assert.Equal(3, json.RootElement.GetProperty("steps").GetArrayLength());
        }

        var list = await CliRunner.RunAsync(["audiences", "list", .. store]);
        Assert.Equal(ExitCodes.Ok, list.Exit);
        Assert.Contains("abandoned_cart", list.Out, StringComparison.Ordinal);
        Assert.Contains("加购未付款", list.Out, StringComparison.Ordinal);
        Assert.Contains("人数", list.Out, StringComparison.Ordinal);
        var csvList = await CliRunner.RunAsync(["audiences", "list", "--format", "csv", .. store]);
        Assert.Equal("name,title,kind,members,anonymous,created_at,refreshed_at\nabandoned_cart,加购未付款,funnel_dropoff,2,1,2026-11-01T04:00:00Z,2026-11-01T04:00:00Z\n", csvList.Out);

        var show = await CliRunner.RunAsync(["audiences", "show", "abandoned_cart", .. store]);
        Assert.Equal(ExitCodes.Ok, show.Exit);
        Assert.Contains("product_view → add_to_cart → order_paid, window 7d, mode default", show.Out, StringComparison.Ordinal);
        Assert.Contains("reached step 2 (add_to_cart) but not step 3 (order_paid)", show.Out, StringComparison.Ordinal);
        var showJson = await CliRunner.RunAsync(["audiences", "show", "abandoned_cart", "--format", "json", .. store]);
        using (var json = JsonDocument.Parse(showJson.Out))
            Assert.Equal(2, json.RootElement.GetProperty("definition").GetProperty("dropped_after").GetInt32());

        Assert.Equal("customer_id\nu1\nu3\n", (await CliRunner.RunAsync(["audiences", "export", "abandoned_cart", .. store])).Out);
        var file = Path.Combine(_folder, "cart.csv");
        var export = await CliRunner.RunAsync(["audiences", "export", "abandoned_cart", "--out", file, .. store]);
        Assert.Equal(ExitCodes.Ok, export.Exit);
        Assert.Equal("customer_id\nu1\nu3\n", await File.ReadAllTextAsync(file));
        Assert.Contains("wrote 2 members", export.Error, StringComparison.Ordinal);
        var exportJson = await CliRunner.RunAsync(["audiences", "export", "abandoned_cart", "--format", "json", .. store]);
        using (var json = JsonDocument.Parse(exportJson.Out))
            Assert.Equal(["u1", "u3"], json.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("customer_id").GetString()));

        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["audiences", "delete", "abandoned_cart", .. store])).Exit);
        var again = await CliRunner.RunAsync(["audiences", "delete", "abandoned_cart", .. store]);
        Assert.Equal(ExitCodes.BadInput, again.Exit);
        Assert.Contains("no audience named 'abandoned_cart'", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(store));
    }

    [Fact]
    public async Task SaveAgain_Replaces_UnlessCreateOnly()
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var text = await CliRunner.RunAsync([.. Funnel, "--save-audience", "lost", "--dropped-after", "2", .. store]);
        Assert.Equal(ExitCodes.Ok, text.Exit);
        Assert.Contains("Audience 人群 lost: 2 customers saved", text.Out, StringComparison.Ordinal);
        Assert.Contains("1 anonymous visitors dropped too", text.Out, StringComparison.Ordinal);

        var conflict = await CliRunner.RunAsync([.. Funnel, "--save-audience", "lost", "--dropped-after", "1", "--create-only", .. store]);
        Assert.Equal(ExitCodes.BadInput, conflict.Exit);
        Assert.Contains("--save-audience", conflict.Error, StringComparison.Ordinal);
        Assert.Contains("already exists", conflict.Error, StringComparison.Ordinal);
        Assert.Equal("customer_id\nu1\nu3\n", (await CliRunner.RunAsync(["audiences", "export", "lost", .. store])).Out);

        // CSV output stays a single table on stdout; the saved audience is reported on stderr.
        var csv = await CliRunner.RunAsync([.. Funnel, "--save-audience", "lost", "--dropped-after", "1", "--format", "csv", .. store]);
        Assert.Equal(ExitCodes.Ok, csv.Exit);
        Assert.DoesNotContain("Audience", csv.Out, StringComparison.Ordinal);
        Assert.Contains("Audience 人群 lost: 1 customers saved", csv.Error, StringComparison.Ordinal);
        Assert.Equal("customer_id\nu4\n", (await CliRunner.RunAsync(["audiences", "export", "lost", .. store])).Out);
    }

    [Theory]
    [InlineData("--dropped-after", "3", "--dropped-after", "last step")]
    [InlineData("--dropped-after", "0", "--dropped-after", "1 to 2")]
    [InlineData("--dropped-after", "9", "--dropped-after", "1 to 2")]
    [InlineData("--dropped-after", "two", "--dropped-after", "two")]
    [InlineData("--save-audience", "Abandoned Cart", "--save-audience", "a-z")]
    [InlineData("--save-audience", "", "--save-audience", "needs a name")]
    [InlineData("--title", "TITLE", "--title", "at most 200")]
    [InlineData("--steps", "product_view,add_to_kart,order_paid", "--steps", "add_to_kart")]
    public async Task Funnel_BadAudienceInput_ExitsTwoNamingTheOptionAndSavesNothing(string option, string value, string named, string words)
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var args = new Dictionary<string, string>
        {
            ["--steps"] = "product_view,add_to_cart,order_paid", ["--save-audience"] = "abandoned_cart", ["--dropped-after"] = "2", ["--title"] = "t",
        };
        args[option] = value.Replace("TITLE", new string('x', 201), StringComparison.Ordinal);
        var (exit, _, error) = await CliRunner.RunAsync([.. new[] { "report", "funnel" }, .. args.SelectMany(p => new[] { p.Key, p.Value }), .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.Contains(words, error, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(store));
    }

    [Theory]
    [InlineData("--dropped-after", "2")]
    [InlineData("--title", "t")]
    [InlineData("--create-only", null)]
    public async Task Funnel_AudienceOptionWithoutSaveAudience_ExitsTwo(string option, string? value)
    {
        var store = await SeedAsync(TestStores.Sqlite);
        string[] extra = value is null ? [option] : [option, value];
        var (exit, _, error) = await CliRunner.RunAsync([.. Funnel, .. extra, .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--save-audience", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Funnel_SaveAudienceWithoutDroppedAfter_ExitsTwo()
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var (exit, _, error) = await CliRunner.RunAsync([.. Funnel, "--save-audience", "abandoned_cart", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--dropped-after", error, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(store));
    }

    [Theory]
    [InlineData("show", "nobody", "no audience named 'nobody'")]
    [InlineData("export", "nobody", "no audience named 'nobody'")]
    [InlineData("delete", "nobody", "no audience named 'nobody'")]
    [InlineData("show", "Bad", "name: 'Bad' has 'B'")]
    [InlineData("export", "a/b", "name: 'a/b' has '/'")]
    [InlineData("delete", "x y", "name: 'x y' has ' '")]
    public async Task Audiences_BadOrMissingName_ExitsTwo(string verb, string name, string words)
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var file = Path.Combine(_folder, "out.csv");
        var (exit, output, error) = await CliRunner.RunAsync(["audiences", verb, name, .. verb == "export" ? new[] { "--out", file } : [], .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains(words, error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task List_NoAudiences_SaysHowToMakeOne()
    {
        var store = await SeedAsync(TestStores.Sqlite);
        var (exit, output, _) = await CliRunner.RunAsync(["audiences", "list", .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--save-audience", output, StringComparison.Ordinal);
    }
}
