using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

/// <summary><c>flywheel content</c>, <c>keywords</c> and <c>trials</c>: bad input is a non-zero exit naming the place, and nothing is stored.</summary>
public sealed class ContentCommandTests
{
    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.FromHours(8)));

    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FlywheelCli.RunAsync(args, new CliConsole(output, error, false), Clock);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Content_Import_Report_Keywords_Trials()
    {
        var folder = Path.Combine(Path.GetTempPath(), "flywheel-tests", "cli_" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var bad = Path.Combine(folder, "bad.csv");
        await File.WriteAllTextAsync(bad, "content_id,title,kind,platform,published_at,owner,stage,cost\nn1,a,note,xiaohongshu,2026-10-01,kol,interest,1\nn2,b,note,myspace,2026-10-01,kol,interest,1\n");
        var refused = await RunAsync("content", "import", bad, "--data", folder);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("row 2 (line 3).platform", refused.Error, StringComparison.Ordinal);
        var empty = await RunAsync("content", "list", "--data", folder);
        Assert.Equal(0, empty.Exit);
        Assert.Equal("", empty.Out);

        var good = Path.Combine(folder, "good.csv");
        await File.WriteAllTextAsync(good, "content_id,title,kind,platform,published_at,owner,stage,cost,views\nn1,笔记,note,xiaohongshu,2026-10-01,kol,interest,1280.50,10000\n");
        var imported = await RunAsync("content", "import", good, "--data", folder);
        Assert.Equal(0, imported.Exit);
        Assert.Contains("1 added", imported.Out, StringComparison.Ordinal);
        var report = await RunAsync("content", "report", "--from", "2026-10-01", "--to", "2026-10-31", "--data", folder);
        Assert.Equal(0, report.Exit);
        Assert.Contains("n1", report.Out, StringComparison.Ordinal);
        Assert.Contains("no_data", report.Out, StringComparison.Ordinal);

        var badDay = await RunAsync("keywords", "--from", "2026-02-30", "--data", folder);
        Assert.Equal(2, badDay.Exit);
        Assert.Contains("--from", badDay.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("keywords", "--data", folder)).Exit);

        var badTrial = await RunAsync("trials", "create", "t1", "--name", "x", "--sku", "P1", "--seats", "0", "--unit-cost", "59", "--starts", "2026-10-01", "--ends", "2026-10-31", "--data", folder);
        Assert.Equal(2, badTrial.Exit);
        Assert.Contains("--seats", badTrial.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("trials", "apply", "nope", "a1", "--data", folder)).Exit);
        Assert.Equal(0, (await RunAsync("trials", "create", "t1", "--name", "体验官", "--sku", "P1", "--seats", "2", "--unit-cost", "59.90", "--starts", "2026-10-01", "--ends", "2026-10-31", "--data", folder)).Exit);
        Assert.Equal(0, (await RunAsync("trials", "apply", "t1", "a1", "--kind", "koc", "--data", folder)).Exit);
        var wrongMove = await RunAsync("trials", "ship", "t1", "a1", "--data", folder);
        Assert.Equal(2, wrongMove.Exit);
        Assert.Contains("applied", wrongMove.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("trials", "select", "t1", "a1", "--data", folder)).Exit);
        Assert.Equal(0, (await RunAsync("trials", "ship", "t1", "a1", "--data", folder)).Exit);
        Assert.Equal(2, (await RunAsync("trials", "post", "t1", "a1", "ghost", "--data", folder)).Exit);
        Assert.Equal(0, (await RunAsync("trials", "post", "t1", "a1", "n1", "--data", folder)).Exit);
        var trialReport = await RunAsync("trials", "report", "--data", folder);
        Assert.Equal(0, trialReport.Exit);
        Assert.Contains("posted 1", trialReport.Out, StringComparison.Ordinal);
        Assert.Contains("cost 59.90, per post 59.90", trialReport.Out, StringComparison.Ordinal);
    }
}
