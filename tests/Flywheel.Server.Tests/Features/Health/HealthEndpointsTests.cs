using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Health;

public sealed class HealthEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Get_Health_ReportsStatusAndEngine_NotTheBuild(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await Json.ReadAsync(response);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(engine, health.GetProperty("store").GetString());
        // Anonymous callers learn nothing of the build: no version, no commit (flywheel --version tells whoever runs the CLI).
        Assert.Equal(["status", "store"], health.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("version", text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Get_OpenApiDocument_DescribesEveryEndpoint(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await Json.ReadAsync(response);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/health", "/v1/events", "/v1/orders", "/v1/customers/{id}", "/v1/identify" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Get_UnknownRoute_IsProblemDetails(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.Client.GetAsync("/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        Assert.Equal("https://flywheel.dev/problems/not-found", (await Json.ReadAsync(response)).GetProperty("type").GetString());
    }
}
