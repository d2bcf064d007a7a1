using System.CommandLine;
using Flywheel.Experiments.Contracts;
using Flywheel.Experiments.Demo;
using Flywheel.Experiments.Features;
using Flywheel.Experiments.Features.Results;
using Flywheel.Experiments.Features.Assign;
using Flywheel.Experiments.Features.ManageExperiments;
using Flywheel.Experiments.Features.Analyze;
using Flywheel.Experiments.Features.SampleSize;
using Flywheel.Experiments.Storage;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flywheel.Experiments;

/// <summary>
/// The Experiments module's one door (Learn): A/B tests and holdouts. Units are assigned by a hash of the experiment's salt and
/// the unit id, exposures recorded once, metrics read per unit over the exposure window and judged by the statistics in
/// <c>Domain/Statistics</c> (frequentist, Bayesian, sequential, SRM, CUPED). A host calls <see cref="AddExperiments"/> and
/// <see cref="MapExperiments"/>; the CLI lists <see cref="Commands"/>; the store applies <see cref="Migrations"/>. See docs/experiments.md.
/// </summary>
public static class ExperimentsModule
{
    /// <summary>The module's name: its migrations' key in the store and the mark on its endpoints.</summary>
    public const string Name = "experiments";

    /// <summary>The module's tables as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => ExperimentsSchema.Migrations;

    /// <summary>
    /// The demo's experiment 双11预热短信文案 (<c>d11_sms_copy</c>: two SMS texts and a 10% holdout), created and started at
    /// <paramref name="clock"/>'s now, with assignments that record exposures at that clock's time: the Campaigns demo runs its past
    /// SMS broadcast through them (<c>flywheel demo</c> wires the two), so the broadcast's recipients are the experiment's units.
    /// </summary>
    /// <exception cref="InvalidOperationException">The demo experiment was refused (it exists already).</exception>
    public static async Task<(IExperimentAssignments Assignments, string Experiment)> StartDemoAsync(FlywheelStore store, TimeProvider clock, CancellationToken ct)
    {
        var started = await DemoExperiment.StartAsync(store, clock, ct);
        if (!started.TryGetValue(out var assignments, out var error)) throw new InvalidOperationException($"the demo experiment was refused: {error}");
        return (assignments, DemoExperiment.Key);
    }

    /// <summary>Registers the module's options (section "Experiments", validated at start), handlers and the assignment contract.</summary>
    public static IServiceCollection AddExperiments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ExperimentsOptions>().Bind(configuration.GetSection(ExperimentsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ExperimentStore>();
        services.AddSingleton<SegmentTargeting>();
        services.AddSingleton<ExperimentAssignments>();
        services.AddSingleton<IExperimentAssignments>(provider => provider.GetRequiredService<ExperimentAssignments>());
        services.AddSingleton<ManageExperimentsHandler>();
        services.AddSingleton<ExperimentResultsHandler>();
        services.AddSingleton<AnalyzeHandler>();
        services.AddSingleton<SampleSizeHandler>();
        return services;
    }

    /// <summary>The module's endpoints under <c>/v1</c>.</summary>
    public static IEndpointRouteBuilder MapExperiments(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "/v1", "Experiments");
        ManageExperimentsEndpoints.Map(group);
        ExperimentResultsEndpoint.Map(group);
        AnalyzeEndpoint.Map(group);
        SampleSizeEndpoint.Map(group);
        return app;
    }

    /// <summary>The module's command: <c>experiments</c> (analyze, list, show, create, start, stop, assign, results, size).</summary>
    public static IEnumerable<Command> Commands(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return [ExperimentsCommand.Create(cli)];
    }
}
