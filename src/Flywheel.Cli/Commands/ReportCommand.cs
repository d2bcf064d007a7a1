using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ReportCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("report", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
