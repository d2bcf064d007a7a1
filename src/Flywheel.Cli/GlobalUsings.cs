global using Flywheel.Hosting.Cli;
global using Flywheel.Hosting.Output;
