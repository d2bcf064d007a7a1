using Flywheel.Analytics.Hosting;
using Flywheel.Customers;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;
using Flywheel.Hosting.Http;
using Flywheel.Hosting.Startup;
using Flywheel.Server.Features.Analytics;
using Flywheel.Server.Features.Audiences;
using Flywheel.Server.Features.Campaigns;
using Flywheel.Server.Features.Clv;
using Flywheel.Server.Features.Customers;
using Flywheel.Server.Features.Goals;
using Flywheel.Server.Features.Segments;
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
    /// <summary>The event index every analysis reads, built from the record at first use and appended on ingest.</summary>
    public static IServiceCollection AddAnalytics(this IServiceCollection services)
    {
        services.AddSingleton(provider => new EventIndexHost(provider.GetRequiredService<FlywheelStore>()));
        return services;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder host)
    {
        var app = host.MapModuleGroup("analytics", "");
        app.MapAnalyticsEndpoints();
        app.MapAudiencesEndpoints();
        app.MapGoalsEndpoints();
        return host;
    }

    /// <summary>
    /// Profiles, lifecycle, RFM/CLV insights and segments. The stored CLV fit loads and segments start following ingests when the
    /// host starts; RFM, lifecycle and CLV register their segment fields before any rule is compiled.
    /// </summary>
    public static IServiceCollection AddCustomers(this IServiceCollection services)
    {
        services.AddStartupTask(async (provider, ct) =>
        {
            await provider.GetRequiredService<CustomerInsights>().LoadFitAsync(provider.GetRequiredService<FlywheelStore>(), ct);
            // Memberships follow every ingest from here on; the refresher catches up with what happened before.
            provider.GetRequiredService<SegmentService>().KeepCurrent();
        });
        services.AddSingleton(provider => new ProfileHost(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton(provider => new LifecycleService(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton(provider =>
        {
            var index = provider.GetRequiredService<EventIndexHost>();
            return new CustomerInsights(() => index.Current);
        });
        services.AddSingleton(provider =>
        {
            var fields = FieldRegistry.CreateDefault();
            provider.GetRequiredService<CustomerInsights>().RegisterFields(fields);
            return fields;
        });
        services.AddSingleton(provider => new SegmentService(provider.GetRequiredService<FlywheelStore>(), provider.GetRequiredService<FieldRegistry>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<EventIndexHost>().GetAsync));
        services.AddHostedService<LifecycleRefresher>();
        services.AddHostedService<SegmentRefresher>();
        return services;
    }

    public static IEndpointRouteBuilder MapCustomers(this IEndpointRouteBuilder host)
    {
        var app = host.MapModuleGroup("customers", "");
        InsightEndpoints.MapInsightEndpoints(app);
        ClvEndpoints.MapClvEndpoints(app);
        app.MapSegmentsEndpoints();
        return host;
    }

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
