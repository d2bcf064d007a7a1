using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class ImportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_GoodFile_ExitsZeroWithSummary(string engine)
    {
        var store = StoreArgs(engine);
        var path = File("p.csv", "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        var (exit, output, _) = await CliRunner.RunAsync(["import", "products", path, .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("1 rows, 1 new", output, StringComparison.Ordinal);
        var (again, json, _) = await CliRunner.RunAsync(["import", "products", path, "--output", "json", .. store]);
        Assert.Equal(ExitCodes.Ok, again);
        Assert.Contains("\"inserted\":0", json, StringComparison.Ordinal);
        Assert.Contains("\"unchanged\":1", json, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_BadRow_ExitsTwoNamingThePlace(string engine)
    {
        var path = File("p.csv", "sku,name,category,list_price\nk1,Cream,beauty,1.999\n");
        var (exit, _, error) = await CliRunner.RunAsync(["import", "products", path, .. StoreArgs(engine)]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("p.csv:2:4 (list_price)", error, StringComparison.Ordinal);
        Assert.Contains("the store is unchanged", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_MissingFile_ExitsTwo()
    {
        var (exit, _, error) = await CliRunner.RunAsync("import", "events", Path.Combine(_folder, "none.csv"), "--data", Path.Combine(_folder, "s"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("none.csv: file not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_UnknownKind_ExitsTwoWithUsageHint()
    {
        var (exit, _, error) = await CliRunner.RunAsync("import", "coupons", "x.csv");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("coupons", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_UnreachablePostgres_ExitsThreeNamingTheHost()
    {
        var path = File("p.csv", "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        var (exit, _, error) = await CliRunner.RunAsync("import", "products", path, "--db", "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=shop;Timeout=3");
        Assert.Equal(ExitCodes.StoreUnavailable, exit);
        Assert.Contains("cannot reach PostgreSQL at 127.0.0.1:1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Import_BadConnectionString_ExitsTwo()
    {
        var (exit, _, error) = await CliRunner.RunAsync("import", "products", "x.csv", "--db", "Hots=nowhere;;=");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--db", error, StringComparison.Ordinal);
    }
}
