using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ReportCohortCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("cohort", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
