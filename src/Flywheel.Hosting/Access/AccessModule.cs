using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Hosting.Access;

/// <summary>
/// API access (docs/security.md): keys and roles, the permission check on every request, per-key rate limits and the audit log.
/// A host calls <see cref="AddAccess"/>, <see cref="UseAccess"/> (after routing, before the endpoints) and <see cref="MapAccess"/>;
/// the CLI lists <see cref="Commands"/> (<c>keys</c>, <c>audit</c>), which work on the local store as the machine's user.
/// </summary>
public static class AccessModule
{
    public const string Name = "access";

    public static MigrationSet Migrations => AccessSchema.Migrations;

    public static IServiceCollection AddAccess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<AccessOptions>>().Value);
        services.AddSingleton(provider => new ApiKeys(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton(provider => new AuditLog(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton(provider => new ConsoleSessions(provider.GetRequiredService<FlywheelStore>(), provider.GetRequiredService<ApiKeys>()));
        services.AddSingleton(provider => new QueryLimits(provider.GetRequiredService<AccessOptions>()));
        return services;
    }

    /// <summary>
    /// Checks every request's key (or console session) against its endpoint's permission, rate-limits it, and audits writes; then puts
    /// the query endpoints under their time limit and concurrency slots (<see cref="QueryLimits"/>).
    /// </summary>
    public static IApplicationBuilder UseAccess(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limits = app.ApplicationServices.GetRequiredService<QueryLimits>();
        return app.UseMiddleware<AccessMiddleware>().Use((context, next) => limits.InvokeAsync(context, next));
    }

    /// <summary>
    /// <c>GET /v1/keys</c>, <c>POST /v1/keys</c>, <c>DELETE /v1/keys/{id}</c> and <c>GET /v1/audit</c>, all admin; the console's
    /// <c>POST /v1/session</c> (sign in with a key), <c>GET /v1/session</c> (who am I) and <c>DELETE /v1/session</c> (sign out).
    /// </summary>
    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "/v1", "Access").Requires(Permission.Admin);
        group.MapGet("/keys", async (ApiKeys keys, CancellationToken ct) => TypedResults.Ok((await keys.ListAsync(ct)).Select(Json)))
            .WithName("ListKeys").WithSummary("The API keys: id, name, role, created, revoked (never the secret)");
        group.MapPost("/keys", CreateKeyAsync).WithName("CreateKey").WithSummary("Create an API key; the answer holds the key once")
            .Accepts<KeyRequest>("application/json");
        group.MapDelete("/keys/{id}", async Task<Results<Ok<Dictionary<string, object?>>, ProblemHttpResult>> (string id, ApiKeys keys, CancellationToken ct) =>
            (await keys.RevokeAsync(id, ct)).TryGetValue(out var key, out var error) ? TypedResults.Ok(Json(key)) : error.ToProblem())
            .WithName("RevokeKey").WithSummary("Revoke an API key: its next request fails");
        group.MapGet("/audit", async (AuditLog audit, CancellationToken ct, int limit = 100) =>
                TypedResults.Ok((await audit.ListAsync(limit, ct)).Select(Json)))
            .WithName("ListAudit").WithSummary("The audit log, latest first: who, what, when, outcome");

        var session = app.MapModuleGroup(Name, "/v1/session", "Access");
        session.MapPost("", SignInAsync).Requires(Permission.Public).WithName("SignIn")
            .WithSummary("Sign the console in with an API key: sets an HttpOnly, SameSite=Strict session cookie and answers the session's antiforgery token")
            .Accepts<SignInRequest>("application/json");
        session.MapGet("", (HttpContext context) => TypedResults.Ok(SessionJson(context.Caller()!, context.SessionToken(), null)))
            .Requires(Permission.SignedIn).WithName("Session").WithSummary("Who the caller is: key, role, permissions, and a console session's antiforgery token");
        session.MapDelete("", SignOutAsync).Requires(Permission.SignedIn).WithName("SignOut").WithSummary("End the console session and clear its cookie");
        return app;
    }

    /// <summary>The body of POST /v1/session.</summary>
    public sealed record SignInRequest(string Key);

    private static async Task<Results<Ok<Dictionary<string, object?>>, ProblemHttpResult>> SignInAsync(
        HttpContext context, ConsoleSessions sessions, AuditLog audit, AccessOptions options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(context.Request, 4 * 1024, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;
        if (body.Root.ValueKind != JsonValueKind.Object || !body.Root.TryGetProperty("key", out var given) || given.ValueKind != JsonValueKind.String)
            return Problems.Invalid(Error.Invalid("$.key", "key is the API key as a string, e.g. {\"key\": \"fw_...\"}"));
        var signedIn = await sessions.SignInAsync(given.GetString()!, TimeSpan.FromHours(options.SessionHours), ct);
        if (signedIn is not { } made)
            return Problems.Create(StatusCodes.Status401Unauthorized, "https://flywheel.dev/problems/unauthenticated", "An API key is required",
                "the API key is not valid or was revoked");
        context.Response.Cookies.Append(ConsoleSessions.CookieName, made.Token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = made.Session.ExpiresAt,
            IsEssential = true,
        });
        await audit.WriteAsync(made.Session.Key.Id, made.Session.Key.Name, context.Request.Method, "/v1/session", null, StatusCodes.Status200OK, CancellationToken.None);
        return TypedResults.Ok(SessionJson(made.Session.Key, made.Token, made.Session.ExpiresAt));
    }

    private static async Task<NoContent> SignOutAsync(HttpContext context, ConsoleSessions sessions, CancellationToken ct)
    {
        if (context.SessionToken() is { } token) await sessions.SignOutAsync(token, ct);
        context.Response.Cookies.Delete(ConsoleSessions.CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        return TypedResults.NoContent();
    }

    private static Dictionary<string, object?> SessionJson(ApiKey key, string? session, DateTimeOffset? expires) => new()
    {
        ["key_id"] = key.Id, ["name"] = key.Name, ["role"] = key.Role,
        ["permissions"] = Roles.Grants.TryGetValue(key.Role, out var granted) ? Permission.All.Where(granted.Contains).ToList() : [],
        ["session"] = session is not null,
        ["csrf_token"] = session is null ? null : ConsoleSessions.CsrfTokenOf(session),
        ["expires_at"] = expires,
    };

    /// <summary>The body of POST /v1/keys.</summary>
    public sealed record KeyRequest(string Role, string Name);

    private static async Task<Results<Created<Dictionary<string, object?>>, ProblemHttpResult>> CreateKeyAsync(HttpRequest request, ApiKeys keys, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, 64 * 1024, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;
        string? Text(string name) => body.Root.ValueKind == JsonValueKind.Object && body.Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var created = await keys.CreateAsync(Text("role") ?? "", Text("name") ?? "", ct);
        if (!created.TryGetValue(out var made, out var error)) return Problems.Invalid(error);
        var json = Json(made.Key);
        json["key"] = made.Secret;
        return TypedResults.Created($"/v1/keys/{made.Key.Id}", json);
    }

    private static Dictionary<string, object?> Json(ApiKey k) => new()
    {
        ["id"] = k.Id, ["name"] = k.Name, ["role"] = k.Role, ["created_at"] = k.CreatedAt, ["revoked_at"] = k.RevokedAt,
    };

    private static Dictionary<string, object?> Json(AuditEntry e) => new()
    {
        ["id"] = e.Id, ["at"] = e.At, ["key_id"] = e.KeyId, ["key_name"] = e.KeyName, ["method"] = e.Method, ["route"] = e.Route,
        ["target"] = e.Target, ["status"] = e.Status,
    };

    /// <summary><c>flywheel keys create|list|revoke</c> and <c>flywheel audit</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var console = cli.Console;
        var role = new Option<string>("--role") { Description = $"The key's role: {string.Join(", ", Roles.All)}", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var name = new Option<string>("--name") { Description = "Who or what uses the key, e.g. \"运营-小王\" or \"shop backend\"", Required = true };
        var create = new Command("create", "Create an API key (shown once; the store keeps only a salted hash)") { role, name };
        create.SetAction((parse, ct) => cli.WithStoreAsync(parse, async store =>
        {
            var made = await new ApiKeys(store).CreateAsync(parse.GetValue(role)!, parse.GetValue(name)!, ct);
            if (!made.TryGetValue(out var key, out var error)) return await cli.FailAsync(error);
            await console.Out.WriteLineAsync(key.Secret);
            await console.Error.WriteLineAsync($"created key {key.Key.Id} ({key.Key.Role}, \"{key.Key.Name}\"): keep it now, it cannot be shown again");
            return ExitCodes.Ok;
        }, ct, create: true));
        var list = new Command("list", "List API keys (id, role, name, created, revoked)");
        list.SetAction((parse, ct) => cli.WithStoreAsync(parse, async store =>
        {
            foreach (var k in await new ApiKeys(store).ListAsync(ct))
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{k.Id}  {k.Role,-8}  {ApiKeys.Format(k.CreatedAt)}  {(k.Revoked ? "revoked " + ApiKeys.Format(k.RevokedAt) : "active"),-25}  {k.Name}"));
            return ExitCodes.Ok;
        }, ct));
        var id = new Argument<string>("id") { Description = "The key's id (the 16 hex digits after fw_)" };
        var revoke = new Command("revoke", "Revoke an API key: its next request fails") { id };
        revoke.SetAction((parse, ct) => cli.WithStoreAsync(parse, async store =>
        {
            var revoked = await new ApiKeys(store).RevokeAsync(parse.GetValue(id)!, ct);
            if (!revoked.TryGetValue(out var key, out var error)) return await cli.FailAsync(error);
            await console.Out.WriteLineAsync($"revoked {key.Id} ({key.Role}, \"{key.Name}\")");
            return ExitCodes.Ok;
        }, ct));
        var keys = new Command("keys", "API keys for the HTTP API: create, list, revoke") { create, list, revoke };

        var limit = new Option<int>("--limit") { Description = "Entries to show, latest first", DefaultValueFactory = _ => 50 };
        var audit = new Command("audit", "The audit log of API writes and personal-data exports: who, what, when, outcome") { limit };
        audit.SetAction((parse, ct) => cli.WithStoreAsync(parse, async store =>
        {
            foreach (var e in await new AuditLog(store).ListAsync(parse.GetValue(limit), ct))
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{ApiKeys.Format(e.At)}  {e.Status}  {e.Method,-6} {e.Route}  {e.Target ?? "-"}  {e.KeyId ?? "-"} {e.KeyName ?? ""}"));
            return ExitCodes.Ok;
        }, ct));
        return [keys, audit];
    }
}
