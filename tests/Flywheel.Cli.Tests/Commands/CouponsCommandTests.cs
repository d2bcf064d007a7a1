using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class CouponsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-coupons-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] StoreArgs(string engine) => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(_folder, "store")]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    private static Task<(int Exit, string Out, string Error)> Run(string[] store, params string[] args) => CliRunner.RunAsync([.. store, .. args]);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AddGenerateClaimRedeemReleaseShow(string engine)
    {
        var store = StoreArgs(engine);
        var added = await Run(store, "coupons", "batch", "add", "--id", "d11", "--name", "满300减50", "--kind", "store", "--store", "s1",
            "--amount-off", "50", "--threshold", "300", "--quantity", "100", "--budget", "80", "--valid-days", "7", "--claim-limit", "1");
        Assert.Equal((0, ""), (added.Exit, added.Error));

        var outFile = Path.Combine(_folder, "codes.txt");
        var generated = await Run(store, "coupons", "generate", "d11", "20", "--out", outFile);
        Assert.Equal(0, generated.Exit);
        Assert.Equal(20, (await File.ReadAllLinesAsync(outFile)).Length);

        var claimed = await Run(store, "coupons", "claim", "d11", "--customer", "c1", "--key", "k1");
        Assert.Equal(0, claimed.Exit);
        var code = JsonDocument.Parse(claimed.Out).RootElement.GetProperty("code").GetString()!;
        var again = await Run(store, "coupons", "claim", "d11", "--customer", "c1", "--key", "k2");
        Assert.Equal(2, again.Exit);
        Assert.Contains("per_customer_claim_limit", again.Error, StringComparison.Ordinal);

        var redeemed = await Run(store, "coupons", "redeem", code, "--order", "o1", "--customer", "c1", "--discount", "49.90", "--key", "r1");
        Assert.Equal(0, redeemed.Exit);
        Assert.Equal(4990, JsonDocument.Parse(redeemed.Out).RootElement.GetProperty("discount").GetInt64());

        var shown = JsonDocument.Parse((await Run(store, "coupons", "show", "d11")).Out).RootElement;
        Assert.Equal((21, 4990), (shown.GetProperty("issued").GetInt64(), shown.GetProperty("spent").GetInt64()));

        Assert.Equal(0, (await Run(store, "coupons", "release", code, "--order", "o1", "--reason", "refund", "--key", "rel1")).Exit);
        shown = JsonDocument.Parse((await Run(store, "coupons", "show", "d11")).Out).RootElement;
        Assert.Equal(0, shown.GetProperty("spent").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadInput_Exit2_NothingChanges(string engine)
    {
        var store = StoreArgs(engine);
        Assert.Equal(0, (await Run(store, "coupons", "batch", "add", "--id", "b", "--name", "n", "--kind", "platform", "--amount-off", "10",
            "--quantity", "5", "--valid-days", "3")).Exit);
        var code = JsonDocument.Parse((await Run(store, "coupons", "claim", "b", "--customer", "c1", "--key", "k1")).Out).RootElement.GetProperty("code").GetString()!;
        var before = (await Run(store, "coupons", "show", "b")).Out;

        var bad = await Run(store, "coupons", "batch", "add", "--id", "x", "--name", "n", "--kind", "weird", "--amount-off", "10", "--quantity", "5", "--valid-days", "3");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("kind", bad.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await Run(store, "coupons", "redeem", code, "--order", "o1", "--customer", "c1", "--discount", "-1", "--key", "r")).Exit);
        Assert.Equal(2, (await Run(store, "coupons", "redeem", code, "--order", "o1", "--customer", "c1", "--discount", "1")).Exit);
        Assert.Equal(2, (await Run(store, "coupons", "redeem", code, "--order", "o1", "--customer", "c2", "--discount", "1", "--key", "r2")).Exit);
        Assert.Equal(2, (await Run(store, "coupons", "generate", "b", "5")).Exit);
        Assert.Equal(2, (await Run(store, "coupons", "show", "nope")).Exit);
        Assert.Equal(before, (await Run(store, "coupons", "show", "b")).Out);
    }
}
