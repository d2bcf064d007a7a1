using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("serve", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
