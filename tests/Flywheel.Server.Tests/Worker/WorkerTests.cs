using System.Net;
using Flywheel.Tests;
using Microsoft.Extensions.Hosting;

namespace Flywheel.Server.Tests.Worker;

/// <summary>The background loops run in a process of their own: an API-only server takes the events, the worker enters journeys.</summary>
public sealed class WorkerTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Worker_Alone_EntersJourneysForEventsTheApiOnlyServerTook(string engine)
    {
        await using var api = await ServerHost.StartAsync(engine, new ServerOptions { CampaignWorkers = false });
        Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/v1/journeys?activate=true", """{"template":"abandoned_cart"}""")).StatusCode);
        var customer = await api.PutJsonAsync("/v1/customers/w1", """
            {"name":"李娜","email":"w1@example.com",
             "consents":[{"channel":"email","purpose":"marketing","status":"granted","at":"2026-10-01T09:00:00+08:00","source":"tmall"}]}
            """);
        Assert.True(customer.IsSuccessStatusCode, await customer.Content.ReadAsStringAsync());

        using var worker = FlywheelServer.BuildWorker(api.Store, api.Clock, new ServerOptions { CampaignPollInterval = TimeSpan.FromMilliseconds(50) });
        await worker.StartAsync();
        try
        {
            // The worker's trigger feed starts from the newest ingest when it first runs (no replay of history): wait until it has.
            // These loops wait a bounded while for a result; they time nothing.
            for (var i = 0; i < 600 && await TestStores.CountAsync(api.Store, "settings", "key = 'campaigns.trigger_cursor'") == 0; i++) await Task.Delay(50);
            var events = await api.PostJsonAsync("/v1/events", Json.Batch([Json.Event("e1", "add_to_cart", "w1", "2026-11-01T11:00:00+08:00")]));
            Assert.True(events.IsSuccessStatusCode, await events.Content.ReadAsStringAsync());
            long entries = 0;
            for (var i = 0; i < 600 && entries == 0; i++)
            {
                entries = await TestStores.CountAsync(api.Store, "journey_entries", "customer_id = 'w1'");
                if (entries == 0) await Task.Delay(50);
            }
            Assert.Equal(1, entries);
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
