using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

/// <summary><c>flywheel channels matrix|next-yuan|stages</c>: the handlers the endpoints call, bad input named with a non-zero exit.</summary>
public sealed class ChannelsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-channels-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string[]> SeededStoreAsync()
    {
        string[] store = ["--data", Path.Combine(_folder, "store")];
        var path = Path.Combine(_folder, "orders.csv");
        await File.WriteAllTextAsync(path, """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,line_discount,shipping_fee,refunded_quantity
            o1,u1,2026-10-05T10:00:00+08:00,k1,1,100.00,2026-10-05T10:01:00+08:00,paid,tmall,0,0,0
            o2,u2,2026-10-06T10:00:00+08:00,k1,1,150.00,2026-10-06T10:01:00+08:00,paid,email,0,0,0
            o3,u1,2026-10-07T10:00:00+08:00,k1,1,30.00,2026-10-07T10:01:00+08:00,paid,tmall,0,0,0
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "products.csv"), "sku,name,category,list_price\nk1,Cream,beauty,100.00\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["import", "products", Path.Combine(_folder, "products.csv"), .. store])).Exit);
        var (exit, _, error) = await CliRunner.RunAsync(["import", "orders", path, .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        return store;
    }

    [Fact]
    public async Task MatrixStagesAndNextYuan()
    {
        var store = await SeededStoreAsync();
        var (exit, output, error) = await CliRunner.RunAsync(["channels", "matrix", "--json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal("2026-10-07", json.RootElement.GetProperty("to").GetString());
            Assert.Equal("2026-07-10", json.RootElement.GetProperty("from").GetString());
            var decision = json.RootElement.GetProperty("stages")[2];
            Assert.Equal(("decision", "tmall", 13_000L), (decision.GetProperty("stage").GetString(),
                decision.GetProperty("channels")[0].GetProperty("channel").GetString(), decision.GetProperty("gmv_fen").GetInt64()));
            Assert.Equal(2, decision.GetProperty("channels")[0].GetProperty("orders").GetInt64());
            Assert.Equal(1, decision.GetProperty("channels")[0].GetProperty("repurchase_orders").GetInt64());
        }

        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["channels", "stages", "set", "email", "loyalty", .. store])).Exit);
        var stages = await CliRunner.RunAsync(["channels", "stages", .. store]);
        Assert.Contains("email", stages.Out, StringComparison.Ordinal);
        Assert.Contains("(set; default repurchase)", stages.Out, StringComparison.Ordinal);
        var text = await CliRunner.RunAsync(["channels", "matrix", "--from", "2026-10-01", "--to", "2026-10-31", .. store]);
        Assert.Equal(ExitCodes.Ok, text.Exit);
        Assert.Contains("loyalty 忠诚", text.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["channels", "stages", "reset", "email", .. store])).Exit);
        Assert.NotEqual(ExitCodes.Ok, (await CliRunner.RunAsync(["channels", "stages", "reset", "email", .. store])).Exit);

        var advice = await CliRunner.RunAsync(["channels", "next-yuan", "--budget", "5000", .. store]);
        Assert.True(advice.Exit == ExitCodes.Ok, advice.Error);
        Assert.Contains("budget 5,000 a week", advice.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("channels matrix --from 2026-13-01", "--from")]
    [InlineData("channels matrix --from 2026-10-02 --to 2026-10-01", "--from")]
    [InlineData("channels next-yuan --budget -5", "--budget")]
    [InlineData("channels next-yuan --budget abc", "--budget")]
    [InlineData("channels next-yuan --budget 0.001", "--budget")]
    [InlineData("channels next-yuan --budget 99999999999999999999", "--budget")]
    [InlineData("channels next-yuan --weeks 2", "--weeks")]
    [InlineData("channels next-yuan --model hunch", "--model")]
    [InlineData("channels stages set douyin growth", "stage")]
    public async Task BadInput_NamesThePlace_AndFails(string command, string place)
    {
        var (exit, _, error) = await CliRunner.RunAsync([.. command.Split(' '), "--data", Path.Combine(_folder, "store")]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(place, error, StringComparison.Ordinal);
    }
}
