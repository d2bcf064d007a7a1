using System.Net;
using System.Text;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Server.Tests.Access;

/// <summary>
/// Issue 13: every endpoint the server maps declares the permission it needs, and the server enforces it for every role: no key
/// is 401, a role without the permission 403, a role with it gets through (whatever the endpoint then answers to a dummy request).
/// OWASP API1 (object level) and API5 (function level) as a matrix over the endpoint data source, so a new endpoint is covered.
/// </summary>
public sealed class PermissionMatrixTests
{
    private static IReadOnlyList<RouteEndpoint> Endpoints(WebApplication app) =>
        [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)];

    /// <summary>Endpoints of Flywheel's modules that declare no permission (empty when every one does).</summary>
    internal static IEnumerable<string> Unguarded(IEnumerable<RouteEndpoint> endpoints) =>
        endpoints.Where(e => AccessEndpoints.IsModuleEndpoint(e) && AccessEndpoints.DeclaredPermission(e) is null)
            .Select(e => $"{string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)} {e.RoutePattern.RawText}");

    [Fact]
    public async Task EveryMappedEndpoint_DeclaresAPermission()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var endpoints = Endpoints(host.App);
        Assert.True(endpoints.Count > 60, $"the server maps {endpoints.Count} endpoints; expected every module's");
        Assert.Empty(Unguarded(endpoints));
    }

    [Fact]
    public async Task AnEndpointWithoutAPermission_IsFoundByTheCheck_AndRefusedByTheServer()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(store).AddAccess(builder.Configuration);
        await using var app = builder.Build();
        app.UseAccess();
        app.MapModuleGroup("planted", "").MapGet("/planted", () => "secret");
        app.MapModuleGroup("planted", "").MapGet("/declared", () => "fine").Requires(Permission.ReportsRead);
        await app.StartAsync();

        Assert.Equal(["GET /planted"], Unguarded(Endpoints(app)));
        using var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", await TestKeys.CreateAsync(store));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/planted")).StatusCode); // even an admin: nothing undeclared is served
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/declared")).StatusCode);
        await app.StopAsync();
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task EveryEndpoint_ForEveryRole_AnswersByItsPermission(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var clients = new Dictionary<string, HttpClient> { ["(none)"] = await host.ClientForAsync(null) };
        foreach (var role in Roles.All) clients[role] = await host.ClientForAsync(role);
        var wrong = new List<string>();
        foreach (var endpoint in Endpoints(host.App).Where(AccessEndpoints.IsModuleEndpoint))
        {
            var permission = AccessEndpoints.DeclaredPermission(endpoint)!;
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0];
            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                _ => "matrix-x",
            }))));
            foreach (var (who, client) in clients)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var expected = permission == Permission.Public ? "served"
                    : who == "(none)" ? "401"
                    : Roles.Allows(who, permission) ? "served" : "403";
                var actual = status == 401 ? "401" : status == 403 && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    && (await response.Content.ReadAsStringAsync()).Contains("role", StringComparison.Ordinal) ? "403" : "served";
                if (status >= 500) actual = $"{status}";
                if (actual != expected) wrong.Add($"{method} {path} as {who} ({permission}): expected {expected}, got {status}");
            }
        }
        Assert.Empty(wrong);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task RevokedKey_FailsOnItsNextRequest_AndWritesAreAudited(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var keys = new ApiKeys(host.Store);
        var made = (await keys.CreateAsync(Roles.Marketer, "运营-小王", CancellationToken.None)).Value;
        using var client = host.App.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", made.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/goals")).StatusCode);
        var created = await client.PostAsync("/v1/goals", new StringContent("""{"name":"paid","steps":["product_view","paid"]}""", Encoding.UTF8, "application/json"));

        await keys.RevokeAsync(made.Key.Id, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/goals")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/goals")).StatusCode);

        var audit = await new AuditLog(host.Store).ListAsync(10, CancellationToken.None);
        var entry = Assert.Single(audit, e => e.Method == "POST" && e.Route == "/v1/goals");
        Assert.Equal(made.Key.Id, entry.KeyId);
        Assert.Equal("运营-小王", entry.KeyName);
        Assert.Equal((int)created.StatusCode, entry.Status);
        // The store never holds the key itself.
        Assert.DoesNotContain(made.Secret.Split('_')[2], await TestStores.SnapshotAsync(host.Store), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverTheRateLimit_Is429WithRetryAfter()
    {
        var options = new ServerOptions();
        // One token an hour after a burst of three: the fourth request is over the limit however slow the machine is.
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite, options, configure: access => access.RateLimits[Roles.Viewer] = new RateLimit(1, 3, 3600));
        using var client = await host.ClientForAsync(Roles.Viewer);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/goals")).StatusCode);
        var limited = await client.GetAsync("/v1/goals");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null, "429 without Retry-After");
    }
}
