using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.IngestEvents;

public sealed class EventsEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_ValidBatch_StoresEveryEvent(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var body = Json.Batch([
            Json.Event("e1", "page_view", extra: "\"channel\":\"tmall\",\"utm\":null,\"properties\":{\"page\":\"/p/1\"}"),
            Json.Event("e2", "add_to_cart", extra: "\"sku\":\"SKU-1\",\"value\":199.5"),
            Json.Event("e3", "order_paid", extra: "\"value\":\"12.30\""),
        ]);

        var response = await host.PostJsonAsync("/v1/events", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json.ReadAsync(response);
        Assert.Equal(3, result.GetProperty("accepted").GetInt64());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt64());
        Assert.Equal(0, result.GetProperty("rejected").GetInt32());
        Assert.Equal(3, await TestStores.CountAsync(host.Store, "events"));
        Assert.Equal(19950L, Convert.ToInt64(await TestStores.ScalarAsync(host.Store, "SELECT value FROM events WHERE event_id = 'e2'")));
        Assert.Equal(1230L, Convert.ToInt64(await TestStores.ScalarAsync(host.Store, "SELECT value FROM events WHERE event_id = 'e3'")));
        Assert.Contains("/p/1", (string?)await TestStores.ScalarAsync(host.Store, "SELECT properties FROM events WHERE event_id = 'e1'"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_DuplicateEventIds_AreIgnoredAndCounted(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", Json.Batch([Json.Event("e1")]));

        // e1 was stored by the first batch; e2 repeats within this one.
        var response = await host.PostJsonAsync("/v1/events", Json.Batch([Json.Event("e1"), Json.Event("e2"), Json.Event("e2")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json.ReadAsync(response);
        Assert.Equal(1, result.GetProperty("accepted").GetInt64());
        Assert.Equal(2, result.GetProperty("duplicates").GetInt64());
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "events"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_InvalidItems_ReportsEachWithIndexAndPath_AndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", Json.Batch([Json.Event("seed")]));
        var before = await TestStores.SnapshotAsync(host.Store);
        var body = Json.Batch([
            Json.Event("ok1"),
            Json.Event("bad-time", time: "yesterday"),
            Json.Event("ok2"),
            Json.Event("bad-value", extra: "\"value\":\"12.345\""),
            """{"event_id":"bad-type","type":"teleport","time":"2026-10-30T10:00:00+08:00","customer_id":"c1"}""",
            Json.Event("bad-shape", extra: "\"channel\":[\"a\"]"),
            "42",
        ]);

        var response = await host.PostJsonAsync("/v1/events", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/invalid-input", problem.GetProperty("type").GetString());
        Assert.Contains("partial=true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([1, 3, 4, 5, 6], errors.Select(e => e.GetProperty("index").GetInt32()));
        Assert.Equal("$.events[1].time", errors[0].GetProperty("path").GetString());
        Assert.Equal("$.events[3].value", errors[1].GetProperty("path").GetString());
        Assert.Equal("$.events[4].type", errors[2].GetProperty("path").GetString());
        Assert.Equal("$.events[5].channel", errors[3].GetProperty("path").GetString());
        Assert.Equal("$.events[6]", errors[4].GetProperty("path").GetString());
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_PartialTrue_StoresValidItemsAndReportsRejected(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var body = Json.Batch([Json.Event("ok1"), Json.Event("bad", time: "not a time"), Json.Event("ok2")]);

        var response = await host.PostJsonAsync("/v1/events?partial=true", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json.ReadAsync(response);
        Assert.Equal(2, result.GetProperty("accepted").GetInt64());
        Assert.Equal(1, result.GetProperty("rejected").GetInt32());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal("$.events[1].time", error.GetProperty("path").GetString());
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "events"));
        Assert.Equal(1L, Convert.ToInt64(await TestStores.ScalarAsync(host.Store, "SELECT rejected FROM ingests WHERE kind = 'http:events'")));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_10001Events_Is413AndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/events", Json.Batch(Enumerable.Range(0, 10_001).Select(i => Json.Event("e" + i))));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/too-many-items", problem.GetProperty("type").GetString());
        Assert.Contains("10000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_10000Events_AreAllStoredInOneIngest(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PostJsonAsync("/v1/events", Json.Batch(Enumerable.Range(0, 10_000).Select(i => Json.Event("e" + i, customer: "c" + (i % 97)))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10_000, await TestStores.CountAsync(host.Store, "events"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "ingests", "kind = 'http:events'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_IdentifyEvent_LinksAndStitchesEarlierAnonymousEvents(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/events", Json.Batch([
            """{"event_id":"a1","type":"page_view","time":"2026-10-30T10:00:00+08:00","anonymous_id":"anon-9"}""",
            """{"event_id":"a2","type":"product_view","time":"2026-10-30T10:01:00+08:00","anonymous_id":"anon-9"}""",
        ]));

        var response = await host.PostJsonAsync("/v1/events", Json.Batch([
            """{"event_id":"i1","type":"identify","time":"2026-10-30T10:05:00+08:00","anonymous_id":"anon-9","customer_id":"c-77"}""",
        ]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, await TestStores.CountAsync(host.Store, "events", "customer_id = 'c-77'"));
        Assert.Equal("c-77", await TestStores.ScalarAsync(host.Store, "SELECT customer_id FROM identity_links WHERE anonymous_id = 'anon-9'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_IdentifyEventConflict_Is409AndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PostJsonAsync("/v1/identify", """{"anonymous_id":"anon-1","customer_id":"c-1"}""");
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/events", Json.Batch([
            Json.Event("x1"),
            """{"event_id":"i1","type":"identify","time":"2026-10-30T10:05:00+08:00","anonymous_id":"anon-1","customer_id":"c-2"}""",
        ]));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/conflict", problem.GetProperty("type").GetString());
        Assert.Equal("$.events[1].anonymous_id", problem.GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_ConcurrentBatchesWithSharedCustomersInOppositeOrder_AllSucceed(string engine)
    {
        // Regression: on PostgreSQL two batches ensuring the same new customers in opposite orders deadlocked (40P01).
        await using var host = await ServerHost.StartAsync(engine);
        var customers = Enumerable.Range(0, 3000).Select(i => "c" + i).ToList();
        string Body(string prefix, IEnumerable<string> ids) => Json.Batch(ids.Select((c, i) => Json.Event($"{prefix}{i}", customer: c)));

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(k =>
            host.PostJsonAsync("/v1/events", Body($"b{k}-", k % 2 == 0 ? customers : Enumerable.Reverse(customers)))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(12_000, await TestStores.CountAsync(host.Store, "events"));
        Assert.Equal(3000, await TestStores.CountAsync(host.Store, "customers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_BodyWithoutEventsArray_Is400(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PostJsonAsync("/v1/events", """{"event":[]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("$.events", problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }
}
