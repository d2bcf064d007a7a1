using System.Net;
using System.Net.Sockets;
using System.Text;
using Flywheel.Tests;

namespace Flywheel.Server.Tests;

/// <summary>The real thing: Kestrel on a loopback port, a batch over a real socket.</summary>
public sealed class KestrelHostTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Kestrel_PostBatchOverLoopbackSocket_StoresEvents(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var port = FreePort();
        await using var app = FlywheelServer.Build(store, clock, $"http://127.0.0.1:{port}", new ServerOptions());
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", await TestKeys.CreateAsync(store, Flywheel.Hosting.Access.Roles.Ingest));
            var body = Json.Batch(Enumerable.Range(0, 500).Select(i => Json.Event("k" + i, customer: "c" + (i % 7))));

            var response = await client.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));
            var health = await client.GetAsync("/health");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(500, (await Json.ReadAsync(response)).GetProperty("accepted").GetInt64());
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(500, await TestStores.CountAsync(store, "events"));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Kestrel_OversizeContentLength_Is413ProblemDetails()
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        var port = FreePort();
        await using var app = FlywheelServer.Build(store, clock, $"http://127.0.0.1:{port}", new ServerOptions { MaxRequestBytes = 2048 });
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", await TestKeys.CreateAsync(store, Flywheel.Hosting.Access.Roles.Ingest));
            var body = Json.Batch(Enumerable.Range(0, 200).Select(i => Json.Event("k" + i)));

            var response = await client.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.True(Json.IsProblem(response));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
