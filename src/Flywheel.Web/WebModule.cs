using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Web.Features.Assets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Scalar.AspNetCore;

namespace Flywheel.Web;

/// <summary>
/// The browser console (docs/console.md): <c>GET /</c> is its page, <c>GET /console/…</c> its scripts and styles, and
/// <c>GET /console/api</c> the human-readable API reference. They are public
/// (the sign-in page must load without a key) and hold no data: every number on the page comes from the API, through the
/// session cookie of <c>POST /v1/session</c>, under the signed-in key's permissions.
/// </summary>
public static class WebModule
{
    /// <summary>The module's name in endpoint metadata.</summary>
    public const string Name = "web";

    /// <summary>Maps the console page and its assets, served from this assembly's embedded wwwroot/ with the console's security headers.</summary>
    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assets = ConsoleAssets.Load();
        var group = app.MapModuleGroup(Name, "").ExcludeFromDescription();
        group.MapGet("/", IResult (HttpContext context) => AssetEndpoints.Serve(context, assets, "index.html"))
            .Requires(Permission.Public).WithName("Console");
        group.MapGet("/console/{**path}", IResult (HttpContext context, string? path) => AssetEndpoints.Serve(context, assets, path ?? ""))
            .Requires(Permission.Public).WithName("ConsoleAsset");
        // The API page: Scalar's reference of the OpenAPI document, its script served from the package (no CDN). Like the
        // document itself it is public and holds no data; trying an operation from it needs a key like any other call.
        group.MapScalarApiReference("/console/api", options => options
                .WithTitle("Flywheel API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .Requires(Permission.Public);
        return app;
    }
}
