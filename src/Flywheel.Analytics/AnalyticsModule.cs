using System.CommandLine;
using Flywheel.Analytics.Features.Audiences;
using Flywheel.Analytics.Features.Goals;
using Flywheel.Analytics.Features.Reports;
using Flywheel.Analytics.Features.RunFunnel;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Storage;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Analytics;

/// <summary>
/// The Analytics module's door (Understand: KPIs, funnels, cohorts, attribution, goals, audiences). A host calls
/// <see cref="AddAnalytics"/> and <see cref="MapAnalytics"/>; the CLI lists <see cref="Commands"/> and, under <c>report</c>,
/// <see cref="ReportCommands"/>; the store applies <see cref="Migrations"/>. Other modules use only <see cref="Contracts"/>.
/// </summary>
public static class AnalyticsModule
{
    /// <summary>The module's name: its migrations' key in the store and the mark on its endpoints.</summary>
    public const string Name = "analytics";

    /// <summary>The module's tables as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => AnalyticsSchema.Migrations;

    /// <summary>
    /// The event index every analysis reads, built from the record when the host starts (or at first use) and appended on ingest. Needs a
    /// <see cref="FlywheelStore"/> registered by the host; segment-scoped reports use an <see cref="Contracts.ISegmentMembers"/> when one is registered.
    /// </summary>
    public static IServiceCollection AddAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<AnalyticsOptions>>().Value);
        services.AddSingleton(provider => new EventIndexHost(provider.GetRequiredService<FlywheelStore>()));
        services.AddHostedService<Index.IndexWarmer>();
        return services;
    }

    /// <summary>The module's endpoints: metrics, funnels, cohorts, attribution, audiences and goals.</summary>
    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "");
        group.MapAnalyticsEndpoints();
        group.MapAudiencesEndpoints();
        group.MapGoalsEndpoints();
        return app;
    }

    /// <summary>
    /// Adds the demo store's goals (GMV for the month and the quarter holding <paramref name="lastDay"/>, against the month and
    /// quarter before; one whose baseline starts before <paramref name="firstDay"/> is left out); replaces earlier demo goals.
    /// Days are the demo's first and last local days. Returns how many goals it wrote.
    /// </summary>
    public static Task<int> AddDemoGoalsAsync(FlywheelStore store, DateOnly firstDay, DateOnly lastDay, CancellationToken ct) =>
        Goals.DemoGoals.WriteAsync(store, firstDay, lastDay, ct);

    /// <summary>The module's own commands: <c>goals</c> and <c>audiences</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli) => [GoalsCommand.Create(cli), AudiencesCommand.Create(cli)];

    /// <summary>The module's reports, for the CLI's <c>report</c> command: kpi, funnel, cohort, attribution and goals.</summary>
    public static IEnumerable<Command> ReportCommands(CliContext cli) =>
    [
        ReportKpiCommand.Create(cli),
        ReportFunnelCommand.Create(cli),
        ReportCohortCommand.Create(cli),
        ReportAttributionCommand.Create(cli),
        ReportGoalsCommand.Create(cli),
    ];
}
