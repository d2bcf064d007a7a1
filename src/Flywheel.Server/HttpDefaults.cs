using Flywheel.Hosting.Access;
using System.Text.Json;
using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Server;

/// <summary>What every Flywheel server has whatever modules it wires: Kestrel's limits, logging, JSON, ProblemDetails, OpenAPI.</summary>
internal static class HttpDefaults
{
    public static WebApplicationBuilder CreateBuilder(string urls, ServerOptions options, Action<IWebHostBuilder>? configureHost)
    {
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
        // In-flight requests (a batch mid-commit) get this long to finish on SIGTERM before the host stops.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        services.Configure<JsonOptions>(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = Customize);
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddExceptionHandler<OverflowHandler>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Flywheel API";
            document.Info.Description = "Ingest events, orders and customers into Flywheel. Errors are RFC 9457 ProblemDetails with stable type URIs.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication UseDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The API's description is public: it names operations, never data.
        app.MapOpenApi().WithMetadata(new ModuleMetadata("host")).Requires(Flywheel.Hosting.Access.Permission.Public);
        return app;
    }

    /// <summary>
    /// Problems the framework writes itself (routing's 404/405/415, a parameter that does not bind, an exception) get Flywheel's
    /// type URIs and a detail that names what to fix, like every problem a handler returns.
    /// </summary>
    private static void Customize(ProblemDetailsContext context)
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
    }
}
