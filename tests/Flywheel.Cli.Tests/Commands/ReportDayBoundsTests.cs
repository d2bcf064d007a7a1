using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

/// <summary>Days the index cannot represent (its times are int seconds from 2020) are bad input, not a crash.</summary>
public sealed class ReportDayBoundsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-cli-days-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("kpi")]
    [InlineData("cohort")]
    [InlineData("attribution")]
    [InlineData("funnel", "--steps", "product_view,add_to_cart")]
    public async Task Report_DayBeyond2087_ExitsTwoNamingTheOption(string report, params string[] extra)
    {
        var (exit, _, error) = await CliRunner.RunAsync(["report", report, .. extra, "--from", "2095-01-01", "--to", "2095-01-02", "--data", Path.Combine(_folder, "s")]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--from", error);
        Assert.Contains("outside the supported days", error);
    }
}
