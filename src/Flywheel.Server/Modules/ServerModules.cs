using Flywheel.Analytics.Hosting;
using Flywheel.Customers;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;
using Flywheel.Hosting.Http;
using Flywheel.Hosting.Startup;
using Flywheel.Server.Features.Campaigns;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Server.Modules;

/// <summary>
/// The doors of the modules whose endpoints still live in this project (docs/adr/0009-modules.md lists them): each has the
/// name and shape its module's own <c>Add</c>/<c>Map</c> will have, so the composition root reads as it will once they move,
/// and moving one changes only its <c>using</c>.
/// </summary>
internal static class ServerModules
{
    /// <summary>Journeys, broadcasts and delivery: one runtime, built when the host starts; its loop runs beside the request pipeline.</summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services)
    {
        services.AddSingleton<HttpClient>();
        services.AddStartedSingleton((provider, ct) => CampaignRuntime.CreateAsync(provider, ct));
        services.AddHostedService<CampaignWorker>();
        return services;
    }

    public static IEndpointRouteBuilder MapCampaigns(this IEndpointRouteBuilder host)
    {
        CampaignsEndpoints.MapCampaignsEndpoints(host.MapModuleGroup("campaigns", ""));
        return host;
    }
}
