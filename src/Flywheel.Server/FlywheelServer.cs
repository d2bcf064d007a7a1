using System.Text.Json;
using Flywheel.Customers.Segments;
using Flywheel.Server.Features.Analytics;
using Flywheel.Server.Features.Audiences;
using Flywheel.Server.Features.Health;
using Flywheel.Server.Features.Identify;
using Flywheel.Server.Features.IngestEvents;
using Flywheel.Server.Features.IngestOrders;
using Flywheel.Server.Features.Segments;
using Flywheel.Server.Features.UpsertCustomer;
using Flywheel.Server.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Server;

/// <summary>The HTTP server's composition root: the store, the clock and the endpoint groups of each feature.</summary>
public static class FlywheelServer
{
    /// <summary>
    /// Builds (does not start) the server. <paramref name="urls"/> is Kestrel's listen list ("http://127.0.0.1:5080",
    /// several separated by ';'). <paramref name="configureHost"/> lets tests swap Kestrel for an in-memory TestServer.
    /// The caller keeps ownership of <paramref name="store"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are out of bounds (see <see cref="ServerOptions.Validate"/>).</exception>
    public static WebApplication Build(FlywheelStore store, TimeProvider time, string urls, ServerOptions options, Action<IWebHostBuilder>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(FlywheelServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The body limit is enforced by RequestBody so a too-large body gets a ProblemDetails, not Kestrel's bare 413.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        configureHost?.Invoke(builder.WebHost);

        // Per-request framework logs would cost more than the ingest itself at 10+ batches a second.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        var services = builder.Services;
        services.AddSingleton(store);
        services.AddSingleton(time);
        services.AddSingleton(options);
        services.AddSingleton(new Flywheel.Customers.Profiles.ProfileHost(store));
        services.AddSingleton(new Flywheel.Customers.Lifecycle.LifecycleService(store));
        services.AddSingleton(new Flywheel.Promotions.Catalog.PromotionCatalog(store));
        services.AddHostedService<Flywheel.Server.Features.Customers.LifecycleRefresher>();
        var indexHost = new Flywheel.Analytics.Hosting.EventIndexHost(store);
        services.AddSingleton(indexHost);
        // RFM, lifecycle and CLV register their segment fields here, before the server starts; they read the whole index.
        var fields = FieldRegistry.CreateDefault();
        var insights = new Flywheel.Customers.CustomerInsights(() => indexHost.Current);
        insights.RegisterFields(fields);
        insights.LoadFitAsync(store, CancellationToken.None).GetAwaiter().GetResult();
        services.AddSingleton(insights);
        var segments = new SegmentService(store, fields, time, indexHost.GetAsync);
        services.AddSingleton(fields);
        services.AddSingleton(segments);
        services.AddHostedService<SegmentRefresher>();
        // Journeys, broadcasts and delivery share one runtime; its loop runs beside the request pipeline.
        var campaignHttp = new HttpClient();
        var campaignRuntime = Flywheel.Server.Features.Campaigns.CampaignRuntime.CreateAsync(store, time, options, segments, fields, campaignHttp, CancellationToken.None)
            .GetAwaiter().GetResult();
        services.AddSingleton(campaignRuntime);
        services.AddHostedService<Flywheel.Server.Features.Campaigns.CampaignWorker>();
        // In-flight requests (a batch mid-commit) get this long to finish on SIGTERM before the host stops.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        services.Configure<JsonOptions>(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (problem.Type is null or "" || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
                problem.Type = problem.Status switch
                {
                    StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed => Problems.NotFound,
                    StatusCodes.Status413PayloadTooLarge => Problems.PayloadTooLarge,
                    StatusCodes.Status415UnsupportedMediaType => Problems.UnsupportedMediaType,
                    >= 500 => Problems.Internal,
                    _ => Problems.InvalidInput,
                };
            // Routing answers 415 itself (the endpoints declare application/json), before a handler could explain.
            if (problem.Status == StatusCodes.Status415UnsupportedMediaType && problem.Detail is null)
                problem.Detail = $"the body must be JSON sent with Content-Type: application/json (got '{context.HttpContext.Request.ContentType}')";
            if (problem.Status >= 500 && problem.Detail is null)
                problem.Detail = "the server failed unexpectedly; nothing of this request was committed. The error is in the server log; retrying is safe";
        });
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Flywheel API";
            document.Info.Description = "Ingest events, orders and customers into Flywheel. Errors are RFC 9457 ProblemDetails with stable type URIs.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapEventsEndpoints();
        app.MapOrdersEndpoints();
        app.MapCustomersEndpoints();
        app.MapIdentifyEndpoints();
        app.MapAnalyticsEndpoints();
        app.MapAudiencesEndpoints();
        Flywheel.Server.Features.Goals.GoalsEndpoints.MapGoalsEndpoints(app);
        Flywheel.Server.Features.Customers.InsightEndpoints.MapInsightEndpoints(app);
        Flywheel.Server.Features.Coupons.CouponsEndpoints.MapCouponsEndpoints(app);
        Flywheel.Server.Features.Clv.ClvEndpoints.MapClvEndpoints(app);
        app.MapSegmentsEndpoints();

        // Memberships follow every ingest from here on; the refresher catches up with what happened before.
        segments.KeepCurrent();
        app.Lifetime.ApplicationStopped.Register(segments.Dispose);
        Flywheel.Server.Features.Promotions.PromotionsEndpoints.MapPromotionsEndpoints(app);
        Flywheel.Server.Features.Campaigns.CampaignsEndpoints.MapCampaignsEndpoints(app);
        app.Lifetime.ApplicationStopped.Register(campaignHttp.Dispose);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Flywheel.Server");
        app.Lifetime.ApplicationStarted.Register(() => Log.Listening(logger, string.Join(", ", app.Urls), store.Location.Description));
        app.Lifetime.ApplicationStopping.Register(() => Log.Stopping(logger, options.ShutdownTimeout));
        return app;
    }
}
