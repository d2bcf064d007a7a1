using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Hosting.Access;

/// <summary>
/// Checks every request against its endpoint's declared permission: no key or a bad or revoked key is 401, a key whose role lacks
/// the permission is 403. One of Flywheel's endpoints that declares nothing is refused (the permission test keeps that from landing).
/// Writes and personal-data exports are then written to the audit log with their outcome, refusals included. A request without a
/// key header may act through the console's session cookie; then every state-changing request must carry the session's antiforgery
/// token, so a form on another site cannot use the cookie (a plain form cannot set the key headers at all).
/// </summary>
internal sealed class AccessMiddleware(RequestDelegate next, ApiKeys keys, ConsoleSessions sessions, AuditLog audit, AccessOptions options)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Threading.RateLimiting.TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await next(context);
            return;
        }
        var required = AccessEndpoints.DeclaredPermission(endpoint);
        if (required is null && !AccessEndpoints.IsModuleEndpoint(endpoint))
        {
            await next(context); // the OpenAPI document and the like: no data
            return;
        }
        if (required == Permission.Public)
        {
            await next(context);
            return;
        }
        var audited = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            || endpoint.Metadata.GetMetadata<ExportsPersonalData>() is not null;

        ApiKey? key = null;
        string? session = null;
        var presented = Presented(context.Request);
        if (presented is not null) key = await keys.FindAsync(presented, context.RequestAborted);
        else if (context.Request.Cookies.TryGetValue(ConsoleSessions.CookieName, out var cookie) && !string.IsNullOrEmpty(cookie))
        {
            session = cookie;
            key = (await sessions.FindAsync(cookie, context.RequestAborted))?.Key;
        }
        if (required is null)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "unguarded_endpoint", "This endpoint declares no permission",
                "the endpoint declares no permission, so it is not served (a test keeps this from landing)");
        }
        else if (key is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "unauthenticated", "An API key is required",
                session is not null ? "the console session has ended (signed out, expired, or its key was revoked): sign in again"
                : presented is null
                    ? "send an API key as 'Authorization: Bearer fw_...' or 'X-Api-Key: fw_...' (create one with: flywheel keys create --role viewer --name NAME)"
                    : "the API key is not valid or was revoked");
        }
        else if (!Roles.Allows(key.Role, required))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "forbidden", "The key's role may not do this",
                $"the key '{key.Name}' has role {key.Role}, which does not have the permission {required} this endpoint needs");
        }
        else if (session is not null && !IsSafe(context.Request.Method)
                 && !ConsoleSessions.IsCsrfToken(session, context.Request.Headers[ConsoleSessions.CsrfHeader].ToString()))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "csrf_token_required", "The antiforgery token is missing or wrong",
                $"a console session's state-changing request must carry the session's antiforgery token in the {ConsoleSessions.CsrfHeader} header (the sign-in answer and GET /v1/session give it)");
        }
        else if (!Admit(key, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RefuseAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
                $"the key '{key.Name}' ({key.Role}) may make {options.Limit(key.Role).PerSecond} requests a second with bursts of {options.Limit(key.Role).Burst}; retry after {retryAfter} s");
        }
        else
        {
            context.SetCaller(key, session);
            try
            {
                await next(context);
            }
            finally
            {
                if (audited) await AuditAsync(context, endpoint, key);
            }
            return;
        }
        if (audited) await AuditAsync(context, endpoint, key);
    }

    /// <summary>Writes the request's outcome to the audit log: who, the route and its first route value (the target), the status.</summary>
    private Task AuditAsync(HttpContext context, Endpoint endpoint, ApiKey? key)
    {
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        var target = context.Request.RouteValues.Select(v => $"{v.Key}={v.Value}").FirstOrDefault();
        return audit.WriteAsync(key?.Id, key?.Name, context.Request.Method, route, target, context.Response.StatusCode, CancellationToken.None);
    }

    /// <summary>Takes a token from the key's bucket (per key, sized by its role); false with the seconds to wait when it is empty.</summary>
    private bool Admit(ApiKey key, out int retryAfter)
    {
        var limit = options.Limit(key.Role);
        var bucket = _buckets.GetOrAdd(key.Id, _ => new System.Threading.RateLimiting.TokenBucketRateLimiter(new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(limit.PeriodSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = bucket.AttemptAcquire(1);
        retryAfter = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        return lease.IsAcquired;
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>The key text of <c>Authorization: Bearer …</c> or <c>X-Api-Key</c>, or null.</summary>
    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return authorization[7..].Trim();
        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header.Trim() : null;
    }

    private static Task RefuseAsync(HttpContext context, int status, string code, string title, string detail) =>
        Problems.Create(status, "https://flywheel.dev/problems/" + code.Replace('_', '-'), title, detail).ExecuteAsync(context);
}
