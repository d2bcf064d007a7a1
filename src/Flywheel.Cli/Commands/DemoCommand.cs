using System.CommandLine;

namespace Flywheel.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("demo", "TODO");
        command.SetAction(_ => ExitCodes.Unexpected);
        return command;
    }
}
