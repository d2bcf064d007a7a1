using System.CommandLine;
using Flywheel.Grow.Demo;
using Flywheel.Grow.Features;
using Flywheel.Grow.Features.ChannelMatrix;
using Flywheel.Grow.Features.Stages;
using Flywheel.Grow.Features.NextYuan;
using Flywheel.Grow.Features.Creators;
using Flywheel.Grow.Features.Content;
using Flywheel.Grow.Features.Keywords;
using Flywheel.Grow.Features.Trials;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Features.PackageCards;
using Flywheel.Grow.Storage;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flywheel.Grow;

/// <summary>
/// The Grow module's one door: the channel matrix along the customer lifecycle with where the next yuan goes, the content and
/// KOL/KOC ledger from cost to GMV, tracking links and package-insert QR codes, trial-ambassador programmes and search keywords.
/// A host calls <see cref="AddGrow"/> and <see cref="MapGrow"/>; the CLI lists <see cref="Commands"/>; the store applies
/// <see cref="Migrations"/>. See docs/grow.md.
/// </summary>
public static class GrowModule
{
    /// <summary>The module's name: its migrations' key in the store and the mark on its endpoints.</summary>
    public const string Name = "grow";

    /// <summary>The module's tables as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => GrowSchema.Migrations;

    /// <summary>
    /// Adds what a demo store shows for Grow (creators of every tier, collaborations with links and codes, content with platform
    /// metrics, package cards, a trial programme) after <c>DemoStoreGenerator</c> built the store; returns a line that says what.
    /// </summary>
    public static async Task<string> AddDemoAsync(FlywheelStore store, TimeProvider time, CancellationToken ct) =>
        (await GrowDemo.AddAsync(store, time, ct)).ToString();

    /// <summary>Registers the module's options (section "Grow", validated at start) and handlers.</summary>
    public static IServiceCollection AddGrow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GrowOptions>().Bind(configuration.GetSection(GrowOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChannelStagesHandler>();
        services.AddSingleton<ChannelMatrixHandler>();
        services.AddSingleton<NextYuanHandler>();
        services.AddSingleton<CreatorStore>();
        services.AddSingleton<ICollaborationLinkOrders>(provider => new LinkOrders(provider.GetRequiredService<LinkStore>()));
        services.TryAddSingleton<ICollaborationLinkOrders, NoLinkOrders>();
        services.AddSingleton<CreatorsHandler>();
        services.AddSingleton<ImportContentHandler>();
        services.AddSingleton<ContentReportHandler>();
        services.AddSingleton<KeywordsHandler>();
        services.AddSingleton<TrialsHandler>();
        services.AddSingleton(provider => new LinkStore(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton<LinksHandler>();
        services.AddSingleton<ClickRecorder>().AddHostedService(provider => provider.GetRequiredService<ClickRecorder>());
        services.AddSingleton<IdentifiedScans>().AddHostedService(provider => provider.GetRequiredService<IdentifiedScans>());
        return services;
    }

    /// <summary>The module's endpoints under <c>/v1</c> (and the public redirect <c>/l/{code}</c>).</summary>
    public static IEndpointRouteBuilder MapGrow(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "/v1", "Grow");
        ChannelStagesEndpoint.Map(group);
        ChannelMatrixEndpoint.Map(group);
        NextYuanEndpoint.Map(group);
        CreatorsEndpoints.Map(group);
        ContentEndpoints.Map(group);
        KeywordsEndpoint.Map(group);
        TrialsEndpoints.Map(group);
        LinksEndpoints.Map(group, app.MapModuleGroup(Name, ""));
        return app;
    }

    /// <summary>The module's commands: <c>channels</c>, <c>content</c>, <c>creators</c>, <c>links</c>, <c>trials</c>, <c>keywords</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return [ChannelsCommand.Create(cli), CreatorsCommand.Create(cli), ContentCommands.Create(cli), KeywordsCommand.Create(cli), TrialsCommand.Create(cli), LinksCommand.Create(cli)];
    }
}
