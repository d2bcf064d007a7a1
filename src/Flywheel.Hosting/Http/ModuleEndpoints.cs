using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Hosting.Http;

/// <summary>Marks an endpoint with the module whose <c>Map</c> method mapped it (the architecture tests read it).</summary>
public sealed record ModuleMetadata(string Module);

/// <summary>The one way a module maps its endpoints: a route group that carries the module's name and OpenAPI tag.</summary>
public static class ModuleEndpoints
{
    /// <summary>A group under <paramref name="prefix"/> whose endpoints belong to <paramref name="module"/> and are tagged <paramref name="tag"/>.</summary>
    public static RouteGroupBuilder MapModuleGroup(this IEndpointRouteBuilder app, string module, string prefix, string tag) =>
        app.MapModuleGroup(module, prefix).WithTags(tag);

    /// <summary>A group under <paramref name="prefix"/> (may be empty) whose endpoints belong to <paramref name="module"/>.</summary>
    public static RouteGroupBuilder MapModuleGroup(this IEndpointRouteBuilder app, string module, string prefix) =>
        app.MapGroup(prefix).WithMetadata(new ModuleMetadata(module));
}
