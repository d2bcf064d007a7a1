using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Hosting.Access;

/// <summary>The permission an endpoint needs (see <see cref="Permission"/>).</summary>
public sealed record RequiresPermission(string Permission);

/// <summary>Marks an endpoint whose answer holds customers' personal data: every call is audited, reads included.</summary>
public sealed record ExportsPersonalData;

/// <summary>How endpoints declare what they need, and what a handler may ask of the caller.</summary>
public static class AccessEndpoints
{
    private const string CallerItem = "flywheel.caller";
    private const string SessionItem = "flywheel.session";

    /// <summary>Declares the permission every caller of this endpoint (or every endpoint of this group) needs.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (permission is not (Permission.Public or Permission.SignedIn) && !Permission.All.Contains(permission, StringComparer.Ordinal))
            throw new ArgumentException($"unknown permission '{permission}'", nameof(permission));
        return builder.WithMetadata(new RequiresPermission(permission));
    }

    /// <summary>Declares that the endpoint answers with personal data: audited on every call, masked for roles without <see cref="Permission.PersonalData"/>.</summary>
    public static TBuilder ExportsPersonalData<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExportsPersonalData());

    /// <summary>
    /// Declares an expensive query (its work grows with the store): it runs under the server's query time limit and concurrency
    /// slots (<see cref="QueryLimits"/>).
    /// </summary>
    public static TBuilder QueryTimeLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithMetadata(new QueryTimeLimited());
        return builder.AddEndpointFilter(QueryLimits.RunAsync);
    }

    /// <summary>The key of the request (null on public endpoints).</summary>
    public static ApiKey? Caller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(CallerItem, out var key) ? key as ApiKey : null;
    }

    internal static void SetCaller(this HttpContext context, ApiKey key, string? session)
    {
        context.Items[CallerItem] = key;
        if (session is not null) context.Items[SessionItem] = session;
    }

    /// <summary>The console session token the request acts through, or null when it presented a key.</summary>
    internal static string? SessionToken(this HttpContext context) => context.Items.TryGetValue(SessionItem, out var token) ? token as string : null;

    /// <summary>Whether the caller may see personal data in clear (marketer, admin); everyone else gets it masked.</summary>
    public static bool SeesPersonalData(this HttpContext context) => context.Allows(Permission.PersonalData);

    /// <summary>Whether the caller's role has <paramref name="permission"/>: for a part of an endpoint that needs more than the endpoint does.</summary>
    public static bool Allows(this HttpContext context, string permission) =>
        context.Caller() is { } key && Roles.Allows(key.Role, permission);

    /// <summary>The permission an endpoint declares, or null when it declares none.</summary>
    public static string? DeclaredPermission(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Metadata.GetMetadata<RequiresPermission>()?.Permission;
    }

    /// <summary>Whether the endpoint is one of Flywheel's own (mapped in a module group), which must declare a permission.</summary>
    public static bool IsModuleEndpoint(Endpoint endpoint) => endpoint?.Metadata.GetMetadata<ModuleMetadata>() is not null;
}
