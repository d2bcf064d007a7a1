using Flywheel.Cli;

return await FlywheelCli.RunAsync(args, new CliConsole(Console.Out, Console.Error, !Console.IsErrorRedirected), TimeProvider.System);
