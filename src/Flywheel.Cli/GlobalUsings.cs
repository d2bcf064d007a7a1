global using Flywheel.Hosting.Cli;
