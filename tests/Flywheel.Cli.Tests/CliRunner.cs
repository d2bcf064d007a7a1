using Flywheel.Tests;

namespace Flywheel.Cli.Tests;

/// <summary>Runs the real command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FlywheelCli.RunAsync(args, new CliConsole(output, error, ErrorIsTerminal: false), new TestClock());
        return (exit, output.ToString(), error.ToString());
    }
}
