using System.CommandLine;
using Flywheel.Experiments.Features.ManageExperiments;
using Flywheel.Experiments.Features.Analyze;
using Flywheel.Experiments.Features.SampleSize;
using Flywheel.Hosting.Cli;

namespace Flywheel.Experiments.Features;

/// <summary><c>flywheel experiments ...</c>: the experiment commands, one subcommand per use case.</summary>
internal static class ExperimentsCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("experiments", "A/B tests and holdouts: define, assign, and judge with the stats engine / A/B 实验与对照组");
        command.Add(AnalyzeCommand.Create(cli));
        command.Add(SampleSizeCommand.Create(cli));
        command.Subcommands.Add(ManageExperimentsCommands.Create(cli));
        command.Subcommands.Add(ManageExperimentsCommands.List(cli));
        command.Subcommands.Add(ManageExperimentsCommands.Show(cli));
        command.Subcommands.Add(ManageExperimentsCommands.Start(cli));
        command.Subcommands.Add(ManageExperimentsCommands.Stop(cli));
        command.Subcommands.Add(ManageExperimentsCommands.Assign(cli));
        command.Subcommands.Add(Results.ExperimentResultsCommand.Create(cli));
        return command;
    }
}
