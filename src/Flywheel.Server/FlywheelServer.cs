using Flywheel.Hosting.Access;
using Flywheel.Analytics;
using Flywheel.Campaigns;
using Flywheel.Grow;
using Flywheel.Experiments;
using Flywheel.Customers;
using Flywheel.Hosting.Http;
using Flywheel.Ingestion;
using Flywheel.Promotions;
using Flywheel.Server.Features.Health;
using Flywheel.Storage;
using Flywheel.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Server;

/// <summary>The HTTP server's composition root: the store and the clock, then each module's Add and Map.</summary>
public static class FlywheelServer
{
    /// <summary>Every module's migrations, in the order a store applies them (after the record's own).</summary>
    public static IReadOnlyList<MigrationSet> Migrations { get; } =
        [AccessModule.Migrations, IngestionModule.Migrations, AnalyticsModule.Migrations, CustomersModule.Migrations, PromotionsModule.Migrations, CampaignsModule.Migrations, GrowModule.Migrations, ExperimentsModule.Migrations];

    /// <summary>
    /// Builds (does not start) the server. <paramref name="urls"/> is Kestrel's listen list ("http://127.0.0.1:5080",
    /// several separated by ';'). <paramref name="configureHost"/> lets tests swap Kestrel for an in-memory TestServer.
    /// The caller keeps ownership of <paramref name="store"/>, opened with <see cref="Migrations"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are out of bounds (see <see cref="ServerOptions.Validate"/>).</exception>
    public static WebApplication Build(FlywheelStore store, TimeProvider time, string urls, ServerOptions options, Action<IWebHostBuilder>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = HttpDefaults.CreateBuilder(urls, options, configureHost);
        AddModules(builder.Services, builder.Configuration, store, time, options);
        var app = builder.Build().UseDefaults();
        // Every request is checked against its endpoint's permission (routing has run: the endpoint is known) before it runs.
        app.UseAccess();
        app.MapModuleGroup("host", "").MapHealthEndpoints();
        app.MapAccess();
        app.MapIngestion();
        app.MapAnalytics();
        app.MapCustomers();
        app.MapPromotions();
        app.MapCampaigns();
        app.MapGrow();
        app.MapExperiments();
        app.MapWeb();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Flywheel.Server");
        app.Lifetime.ApplicationStarted.Register(() => Log.Listening(logger, string.Join(", ", app.Urls), store.Location.Description));
        app.Lifetime.ApplicationStopping.Register(() => Log.Stopping(logger, options.ShutdownTimeout));
        return app;
    }

    /// <summary>
    /// Builds (does not start) the background worker: the same modules without the HTTP API, so journeys, triggers, delivery,
    /// lifecycle and segment refresh can run in a process of their own beside API-only servers (<c>serve --no-workers</c>).
    /// </summary>
    public static IHost BuildWorker(FlywheelStore store, TimeProvider time, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        AddModules(builder.Services, builder.Configuration, store, time, options);
        return builder.Build();
    }

    private static void AddModules(IServiceCollection services, IConfiguration configuration, FlywheelStore store, TimeProvider time, ServerOptions options)
    {
        services.AddSingleton(store).AddSingleton(time).AddSingleton(options);
        services.AddAccess(configuration);
        services.AddIngestion(configuration).Configure<IngestionOptions>(o =>
        {
            o.MaxRequestBytes = options.MaxRequestBytes;
            o.MaxEventsPerBatch = options.MaxEventsPerBatch;
            o.MaxOrderLines = options.MaxOrderLines;
            o.TimeZone = options.TimeZone;
        });
        services.AddAnalytics(configuration).Configure<AnalyticsOptions>(o => o.MaxRequestBytes = options.MaxRequestBytes);
        services.AddCustomers(configuration).Configure<CustomersOptions>(o =>
        {
            o.MaxRequestBytes = options.MaxRequestBytes;
            o.LifecycleRefreshInterval = options.LifecycleRefreshInterval;
            o.SegmentRefreshInterval = options.SegmentRefreshInterval;
        });
        services.AddPromotions(configuration).Configure<PromotionsOptions>(o => o.MaxRequestBytes = options.MaxRequestBytes);
        services.AddCampaigns(configuration).Configure<CampaignsOptions>(o =>
        {
            o.MaxRequestBytes = options.MaxRequestBytes;
            o.PublicBaseUrl = options.PublicBaseUrl;
            o.Channels = options.Channels;
            o.SendPolicy = options.SendPolicy;
            o.Workers = options.CampaignWorkers;
            o.PollInterval = options.CampaignPollInterval;
        });
        services.AddGrow(configuration).Configure<GrowOptions>(o => o.PublicBaseUrl ??= options.PublicBaseUrl);
        services.AddExperiments(configuration).Configure<ExperimentsOptions>(o => o.MaxRequestBytes = options.MaxRequestBytes);
    }
}
