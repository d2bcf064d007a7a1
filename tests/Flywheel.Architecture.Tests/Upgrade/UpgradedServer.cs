using Flywheel.Server;
using Flywheel.Storage;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Flywheel.Architecture.Tests.Upgrade;

/// <summary>The server over an upgraded store, in memory.</summary>
internal sealed class UpgradedServer : IAsyncDisposable
{
    private readonly FlywheelStore _store;
    private readonly WebApplication _app;

    private UpgradedServer(FlywheelStore store, WebApplication app)
    {
        _store = store;
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public static async Task<UpgradedServer> StartAsync(StoreLocation location)
    {
        var store = (await FlywheelStore.OpenAsync(location, new TestClock(), FlywheelServer.Migrations, CancellationToken.None)).Value;
        var app = FlywheelServer.Build(store, new TestClock(), "http://127.0.0.1:0", new ServerOptions { CampaignWorkers = false }, host => host.UseTestServer());
        await app.StartAsync();
        var server = new UpgradedServer(store, app);
        server.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TestKeys.CreateAsync(store));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store.Dispose();
    }
}
