using System.Net;
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
/// Issue 13, abuse limits: an expensive query is stopped at its time limit with a 503 naming the limit, work that ignores the stop keeps
/// its slot until it ends (so abandoned queries cannot pile up), a query beyond the slots is a 429, and the server's report, segment
/// and export endpoints are the ones under the limit. Planted endpoints block on a gate the test opens: nothing depends on timing.
/// </summary>
public sealed class QueryLimitTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(Flywheel.Storage.FlywheelStore store, Action<IEndpointRouteBuilder> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(store).AddAccess(builder.Configuration)
            .Configure<AccessOptions>(o => { o.QueryTimeoutSeconds = 1; o.MaxConcurrentQueries = 1; });
        var app = builder.Build();
        app.UseAccess();
        map(app.MapModuleGroup("planted", "").Requires(Permission.ReportsRead));
        await app.StartAsync();
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", await TestKeys.CreateAsync(store));
        return (app, client);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), "the abandoned query never gave its slot back");
    }

    [Fact]
    public async Task AQueryPastItsTime_Is503_KeepsItsSlotUntilItEnds_AndAQueryBeyondTheSlotsIs429()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        using var gate = new ManualResetEventSlim(false);
        var (app, client) = await StartAsync(store, group =>
        {
            // CPU-bound work that never looks at the request's token, like the in-memory engines.
            group.MapGet("/stubborn", () => { gate.Wait(TimeSpan.FromMinutes(2)); return "done"; }).QueryTimeLimit();
            group.MapGet("/cheap", () => "cheap"); // not a query: no slot, no limit
        });
        await using var _ = app;
        using var __ = client;
        var limits = app.Services.GetRequiredService<QueryLimits>();

        using var stopped = await client.GetAsync("/stubborn");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stopped.StatusCode);
        var problem = await Json.ReadAsync(stopped);
        Assert.EndsWith("query-timeout", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("1 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(1, limits.InUse); // the abandoned work still runs and still holds the only slot
        using (var busy = await client.GetAsync("/stubborn"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.NotNull(busy.Headers.RetryAfter);
            Assert.EndsWith("queries-busy", (await Json.ReadAsync(busy)).GetProperty("type").GetString(), StringComparison.Ordinal);
        }
        using (var cheap = await client.GetAsync("/cheap")) Assert.Equal(HttpStatusCode.OK, cheap.StatusCode);

        gate.Set();
        await WaitUntilAsync(() => limits.InUse == 0);
        using var answered = await client.GetAsync("/stubborn");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("done", await answered.Content.ReadAsStringAsync());
        Assert.Equal(0, limits.InUse);
        await app.StopAsync();
    }

    [Fact]
    public async Task AQueryThatWatchesItsToken_StopsAtTheLimit_AndFreesItsSlot()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var cancelled = new TaskCompletionSource();
        var (app, client) = await StartAsync(store, group =>
            group.MapGet("/polite", async (CancellationToken ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.TrySetResult();
                    throw;
                }
                return "never";
            }).QueryTimeLimit());
        await using var _ = app;
        using var __ = client;
        var limits = app.Services.GetRequiredService<QueryLimits>();

        using var stopped = await client.GetAsync("/polite");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stopped.StatusCode);
        await cancelled.Task.WaitAsync(TimeSpan.FromMinutes(1)); // the handler's own token was cancelled: its database reads stop
        await WaitUntilAsync(() => limits.InUse == 0);
        await app.StopAsync();
    }

    [Fact]
    public async Task TheServersQueries_AreUnderTheLimit()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var limited = ((IEndpointRouteBuilder)host.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<QueryTimeLimited>() is not null)
            .Select(e => $"{e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0]} {e.RoutePattern.RawText}").ToHashSet();
        string[] expected =
        [
            "GET /v1/metrics", "POST /v1/funnels", "POST /v1/cohorts", "POST /v1/attribution", "GET /v1/goals", "GET /v1/rfm",
            "GET /v1/lifecycle", "POST /v1/segments/check", "GET /v1/segments/{name}/members", "GET /v1/segments/{name}/export",
            "GET /v1/audiences/{name}/members", "GET /v1/journeys/{id}/stats", "GET /v1/broadcasts/{id}/stats",
        ];
        Assert.Equal([], expected.Where(e => !limited.Contains(e)).ToList());
        // And a limited endpoint still answers normally within its time.
        using var metrics = await host.Client.GetAsync("/v1/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }
}
