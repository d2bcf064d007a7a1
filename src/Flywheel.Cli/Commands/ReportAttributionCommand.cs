using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ReportAttributionCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("attribution", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
