using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

public sealed class CustomersCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-customers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Forget_ErasesThenSaysNothingMore_AndAnUnknownIdExits2(string engine)
    {
        string[] store = engine == TestStores.Sqlite
            ? ["--data", Path.Combine(_folder, "store")]
            : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];
        await File.WriteAllTextAsync(Path.Combine(_folder, "customers.csv"), """
            customer_id,name,city,email,phone,sms_consent
            u1,周杰,台州,zj@example.com,13700001111,granted
            u2,林一,温州,ly@example.com,,
            """);
        var imported = await CliRunner.RunAsync(["import", "customers", Path.Combine(_folder, "customers.csv"), .. store]);
        Assert.True(imported.Exit == ExitCodes.Ok, imported.Error);

        var (exit, output, error) = await CliRunner.RunAsync(["customers", "forget", "u1", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.StartsWith("forgot customer u1 at 2026-11-01 04:00:00Z;", output, StringComparison.Ordinal);
        Assert.Contains("identities", output, StringComparison.Ordinal);
        Assert.DoesNotContain("zj@example.com", output, StringComparison.Ordinal);

        var again = await CliRunner.RunAsync(["customers", "forget", "u1", "--format", "json", .. store]);
        Assert.True(again.Exit == ExitCodes.Ok, again.Error);
        using (var json = JsonDocument.Parse(again.Out))
        {
            Assert.True(json.RootElement.GetProperty("already_forgotten").GetBoolean());
            Assert.Equal(0, json.RootElement.GetProperty("erased_total").GetInt64());
            Assert.Equal(0, json.RootElement.GetProperty("erased").GetProperty("messages").GetInt64()); // the send log's holder ran too
        }

        var unknown = await CliRunner.RunAsync(["customers", "forget", "nobody", .. store]);
        Assert.Equal(ExitCodes.BadInput, unknown.Exit);
        Assert.Equal("error: id: no customer 'nobody'", unknown.Error.Trim());
        Assert.Equal("", unknown.Out);

        var u2 = await CliRunner.RunAsync(["customers", "forget", "u2", "--format", "json", .. store]);
        using (var json = JsonDocument.Parse(u2.Out))
            Assert.Equal(1, json.RootElement.GetProperty("erased").GetProperty("identities").GetInt64());
    }
}
