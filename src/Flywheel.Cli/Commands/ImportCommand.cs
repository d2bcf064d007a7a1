using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ImportCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("import", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
