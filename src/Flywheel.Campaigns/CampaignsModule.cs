using System.CommandLine;
using Flywheel.Experiments.Contracts;
using Flywheel.Campaigns.Features.Engage;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Customers.Contracts;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Hosting.Startup;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Campaigns;

/// <summary>
/// The Campaigns module's door (Engage: journeys, broadcasts, channels, the send queue and the links in messages). A host
/// calls <see cref="AddCampaigns"/> and <see cref="MapCampaigns"/>; the CLI lists <see cref="Commands"/>; the store applies
/// <see cref="Migrations"/>.
/// </summary>
public static class CampaignsModule
{
    /// <summary>The module's name: its migrations' key in the store and the mark on its endpoints.</summary>
    public const string Name = "campaigns";

    /// <summary>The module's tables as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => CampaignsSchema.Migrations;

    /// <summary>
    /// Registers the module's options (section "Campaigns", validated at start) and one runtime (journey engine, trigger
    /// feed, dispatcher, signed links) built when the host starts; its loop runs as a hosted service beside the request
    /// pipeline, or alone in <c>flywheel worker</c>. Needs Customers' <c>ICustomerSignals</c> and Promotions' coupon issuer.
    /// </summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CampaignsOptions>().Bind(configuration.GetSection(CampaignsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<CampaignsOptions>>().Value);
        services.AddSingleton<HttpClient>();
        services.AddStartedSingleton((provider, ct) => CampaignRuntime.CreateAsync(provider, ct));
        services.AddHostedService<CampaignWorker>();
        // Forgetting a customer (Customers) erases the send log's addresses and bodies in the same transaction.
        services.AddSingleton<IPersonalDataHolder, CampaignPersonalData>();
        return services;
    }

    /// <summary>
    /// Adds what a demo store engages with, after <c>DemoStoreGenerator</c> built it: the journey 新客首单关怀 (paused) and the
    /// broadcast 双11 预热 (planned, nothing enqueued), so nothing is sent until someone activates or plans them; and the SMS
    /// broadcast 双11 预热短信, already run in the demo's past by the real planner and dispatcher (to a channel that records each
    /// delivery and reaches no one), so its results and lift over the holdout come from the demo's orders. Throws if one is
    /// refused: the demo set is fixed.
    /// </summary>
    /// <param name="experiment">
    /// When given, the past SMS broadcast names an experiment instead of holding out 10% itself: called with the demo's clock at the
    /// broadcast's planning time, it starts the experiment and answers its assignments and key (<c>ExperimentsModule.StartDemoAsync</c>);
    /// the experiment's variants other than the first two get the broadcast's second text.
    /// </param>
    public static async Task AddDemoAsync(FlywheelStore store, TimeProvider time, CancellationToken ct,
        Func<TimeProvider, CancellationToken, Task<(IExperimentAssignments Assignments, string Experiment)>>? experiment = null)
    {
        var added = await Demo.DemoCampaigns.AddAsync(store, time, ct, experiment);
        if (!added.IsSuccess) throw new InvalidOperationException($"a demo journey or broadcast was refused: {added.Error}");
    }

    /// <summary>The module's endpoints: journeys, broadcasts, messages, consent, and the <c>/r</c>, <c>/o</c>, <c>/u</c> links in messages.</summary>
    public static IEndpointRouteBuilder MapCampaigns(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapModuleGroup(Name, "").MapCampaignsEndpoints();
        return app;
    }

    /// <summary>The module's commands: <c>journeys</c>, <c>broadcasts</c> and <c>send-test</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli) =>
        [JourneysCommand.Create(cli), BroadcastsCommand.Create(cli), SendTestCommand.Create(cli)];
}
