using Flywheel.Cli.Tests.FirstDay;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

/// <summary>Issue 13: <c>flywheel keys</c> on the local store, the first admin key of a new store, and serve refusing to listen beyond loopback without a key.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly Scratch _scratch = new("keys");

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Keys_CreateListRevoke_AndTheFirstAdminKeyIsShownOnce(string engine)
    {
        var store = _scratch.NewStore(engine);
        var products = _scratch.Write("products.csv", "sku,name,category,list_price\nk1,Cream,beauty,10.00\n");
        var (exit, _, error) = await CliRunner.RunAsync(["import", "products", products, .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("first admin API key", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(["import", "products", products, .. store]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.DoesNotContain("first admin API key", error, StringComparison.Ordinal);

        (exit, var key, error) = await CliRunner.RunAsync(["keys", "create", "--role", "viewer", "--name", "运营-小王", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Matches("^fw_[0-9a-f]{16}_[A-Za-z0-9~-]{43}$", key.Trim());
        var id = key.Trim().Split('_')[1];
        (exit, var list, _) = await CliRunner.RunAsync(["keys", "list", .. store]);
        Assert.Contains($"{id}  viewer", list, StringComparison.Ordinal);
        Assert.Contains("运营-小王", list, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Trim(), list, StringComparison.Ordinal);

        (exit, _, error) = await CliRunner.RunAsync(["keys", "revoke", id, .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        (_, list, _) = await CliRunner.RunAsync(["keys", "list", .. store]);
        Assert.Contains("revoked", list.Split('\n').Single(l => l.StartsWith(id, StringComparison.Ordinal)), StringComparison.Ordinal);

        (exit, _, error) = await CliRunner.RunAsync(["keys", "create", "--role", "root", "--name", "x", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        (exit, _, error) = await CliRunner.RunAsync(["keys", "revoke", "0000000000000000", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no API key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BeyondLoopback_WithoutAnActiveKey_IsRefused()
    {
        var store = _scratch.NewStore(TestStores.Sqlite);
        var products = _scratch.Write("products.csv", "sku,name,category,list_price\nk1,Cream,beauty,10.00\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "products", products, .. store])).Exit);
        var (_, list, _) = await CliRunner.RunAsync(["keys", "list", .. store]);
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["keys", "revoke", line[..16], .. store])).Exit);

        var (exit, _, error) = await CliRunner.RunAsync(["serve", "--urls", "http://0.0.0.0:0", .. store]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no active API key", error, StringComparison.Ordinal);
        Assert.Contains("flywheel keys create", error, StringComparison.Ordinal);
    }
}
