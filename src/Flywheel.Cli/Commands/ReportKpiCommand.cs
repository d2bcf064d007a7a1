using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ReportKpiCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("kpi", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
