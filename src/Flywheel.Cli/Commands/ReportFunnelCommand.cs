using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ReportFunnelCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("funnel", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
