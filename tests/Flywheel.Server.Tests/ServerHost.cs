using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flywheel.Storage;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Server.Tests;

/// <summary>A Flywheel server over a fresh real store (SQLite or PostgreSQL), hosted in memory with TestServer.</summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private ServerHost(FlywheelStore store, WebApplication app, TestClock clock)
    {
        Store = store;
        App = app;
        Clock = clock;
        Client = app.GetTestClient();
    }

    public FlywheelStore Store { get; }
    public WebApplication App { get; }
    public TestClock Clock { get; }
    public HttpClient Client { get; }

    public static async Task<ServerHost> StartAsync(string engine, ServerOptions? options = null, Action<Flywheel.Hosting.Access.AccessOptions>? configure = null)
    {
        var clock = new TestClock();
        var store = await TestStores.OpenAsync(engine, clock);
        var app = FlywheelServer.Build(store, clock, "http://127.0.0.1:0", options ?? new ServerOptions(), host =>
        {
            host.UseTestServer();
            if (configure is not null) host.ConfigureServices(services => services.Configure(configure));
        });
        await app.StartAsync();
        var host = new ServerHost(store, app, clock);
        // Every API call needs a key: the tests' own client is an admin's, unless a test asks for another role (ClientFor).
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestKeys.CreateAsync(store));
        return host;
    }

    /// <summary>A client of the server whose requests carry a new key of <paramref name="role"/> (or none when null).</summary>
    public async Task<HttpClient> ClientForAsync(string? role)
    {
        var client = App.GetTestClient();
        if (role is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestKeys.CreateAsync(Store, role, role));
        return client;
    }

    public Task<HttpResponseMessage> PostJsonAsync(string url, string json) =>
        Client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PutJsonAsync(string url, string json) =>
        Client.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Store.Dispose();
    }
}

internal static class Json
{
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>An event object with the fields most tests need; extra fields are raw JSON "name": value pairs.</summary>
    public static string Event(string id, string type = "page_view", string customer = "c1", string time = "2026-10-30T10:00:00+08:00", string extra = "") =>
        $$"""{"event_id":"{{id}}","type":"{{type}}","time":"{{time}}","customer_id":"{{customer}}"{{(extra.Length > 0 ? "," + extra : "")}}}""";

    public static string Batch(IEnumerable<string> events) => $$"""{"events":[{{string.Join(",", events)}}]}""";

    public static bool IsProblem(HttpResponseMessage response) =>
        response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "application/problem+json" };
}
