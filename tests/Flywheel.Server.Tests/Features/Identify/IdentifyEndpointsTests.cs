using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Identify;

public sealed class IdentifyEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_Identify_StitchesEarlierAnonymousEvents(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", Json.Batch([
            """{"event_id":"a1","type":"page_view","time":"2026-10-30T10:00:00+08:00","anonymous_id":"anon-5"}""",
            """{"event_id":"a2","type":"add_to_cart","time":"2026-10-30T10:01:00+08:00","anonymous_id":"anon-5","sku":"SKU-1"}""",
            """{"event_id":"b1","type":"page_view","time":"2026-10-30T10:00:00+08:00","anonymous_id":"anon-other"}""",
        ]));

        var response = await host.PostJsonAsync("/v1/identify", """{"anonymous_id":"anon-5","customer_id":"c-5","time":"2026-10-30T10:03:00+08:00"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await Json.ReadAsync(response)).GetProperty("stitched_events").GetInt32());
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "events", "customer_id = 'c-5'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "events", "customer_id IS NULL"));

        // Later anonymous events of a linked id are stitched as they arrive.
        await host.PostJsonAsync("/v1/events", Json.Batch([
            """{"event_id":"a3","type":"page_view","time":"2026-10-30T11:00:00+08:00","anonymous_id":"anon-5"}""",
        ]));
        Assert.Equal(3, await TestStores.CountAsync(host.Store, "events", "customer_id = 'c-5'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_AnonymousIdLinkedToSomeoneElse_Is409(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/identify", """{"anonymous_id":"anon-1","customer_id":"c-1"}""");
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/identify", """{"anonymous_id":"anon-1","customer_id":"c-2"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/conflict", problem.GetProperty("type").GetString());
        Assert.Contains("c-1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_MissingCustomerId_Is400(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PostJsonAsync("/v1/identify", """{"anonymous_id":"anon-1"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("$.customer_id", (await Json.ReadAsync(response)).GetProperty("errors")[0].GetProperty("path").GetString());
    }
}
