using Flywheel.Hosting.Cli;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>Issue 12, "a newcomer's first ten minutes": a typo gets the closest command, not only "unrecognised".</summary>
public sealed class NewcomerTests
{
    [Theory]
    [InlineData(new[] { "reprot", "kpi" }, "flywheel report")]
    [InlineData(new[] { "report", "kpii" }, "flywheel report kpi")]
    [InlineData(new[] { "report", "cohrot" }, "flywheel report cohort")]
    [InlineData(new[] { "segmnts", "list" }, "flywheel segments")]
    [InlineData(new[] { "rep" }, "flywheel report")]
    [InlineData(new[] { "imprt", "orders", "x.csv" }, "flywheel import")]
    public async Task Typo_SuggestsTheClosestCommand(string[] args, string suggestion)
    {
        var (exit, output, error) = await CliRunner.RunAsync(args);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains($"did you mean '{suggestion}'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FarFromEveryCommand_SuggestsNothing()
    {
        var (exit, _, error) = await CliRunner.RunAsync("xyzzy");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.DoesNotContain("did you mean", error, StringComparison.Ordinal);
        Assert.Contains("flywheel --help", error, StringComparison.Ordinal);
    }
}
