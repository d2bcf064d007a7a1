using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Hosting.Http;

/// <summary>Marks an endpoint with the module whose <c>Map</c> method mapped it (the architecture tests read it).</summary>
public sealed record ModuleMetadata(string Module);

/// <summary>
/// Marks an endpoint that must take a form post: one-click unsubscribe (RFC 8058) arrives as
/// <c>application/x-www-form-urlencoded</c>. Every other endpoint refuses form and plain-text bodies.
/// </summary>
public sealed record AcceptsFormPost;

/// <summary>
/// The one way a module maps its endpoints: a route group that carries the module's name and OpenAPI tag, and refuses writes sent
/// as a form or plain text. A browser sends those cross-site without asking (no CORS preflight), so accepting one would let any web
/// page make a logged-in user's browser write here; the API takes JSON.
/// </summary>
public static class ModuleEndpoints
{
    /// <summary>A group under <paramref name="prefix"/> whose endpoints belong to <paramref name="module"/> and are tagged <paramref name="tag"/>.</summary>
    public static RouteGroupBuilder MapModuleGroup(this IEndpointRouteBuilder app, string module, string prefix, string tag) =>
        app.MapModuleGroup(module, prefix).WithTags(tag);

    /// <summary>A group under <paramref name="prefix"/> (may be empty) whose endpoints belong to <paramref name="module"/>.</summary>
    public static RouteGroupBuilder MapModuleGroup(this IEndpointRouteBuilder app, string module, string prefix)
    {
        var group = app.MapGroup(prefix).WithMetadata(new ModuleMetadata(module));
        group.AddEndpointFilter(RefuseFormWrites);
        return group;
    }

    private static async ValueTask<object?> RefuseFormWrites(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && IsCrossSiteSimple(request.ContentType)
            && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<AcceptsFormPost>() is null)
            return Flywheel.Primitives.Error.UnsupportedFormat(
                $"the body must be JSON sent with Content-Type: application/json (got '{request.ContentType}'); forms and plain text are refused").ToProblem();
        return await next(context);
    }

    private static bool IsCrossSiteSimple(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase));
}
