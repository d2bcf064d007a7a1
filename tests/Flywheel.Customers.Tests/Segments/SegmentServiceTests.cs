using System.Collections.Concurrent;
using Flywheel.Analytics.Contracts;
using Flywheel.Customers.Segments;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Customers.Tests.Segments;

/// <summary>Memberships kept current by committed ingests, on a real store of each engine with the server's index host.</summary>
public sealed class SegmentServiceTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private sealed class Harness : IAsyncDisposable
    {
        public required FlywheelStore Store { get; init; }
        public required TestClock Clock { get; init; }
        public required SegmentService Segments { get; init; }
        public ConcurrentQueue<SegmentMembershipChanged> Raised { get; } = new();

        /// <summary>While set, the up-to-date index is withheld (as while a large store's index takes an ingest in); the current one is not.</summary>
        public TaskCompletionSource? IndexHeld { get; set; }

        public static async Task<Harness> StartAsync(string engine)
        {
            var clock = new TestClock();
            var store = await TestStores.OpenAsync(engine, clock);
            var host = new EventIndexHost(store);
            Harness? harness = null;
            var segments = new SegmentService(store, FieldRegistry.CreateDefault(), clock, async (stale, ct) =>
            {
                if (!stale && harness?.IndexHeld is { } held) await held.Task.WaitAsync(ct);
                return await host.GetAsync(stale, ct);
            });
            harness = new Harness { Store = store, Clock = clock, Segments = segments };
            segments.MembershipChanged += harness.Raised.Enqueue;
            segments.KeepCurrent();
            return harness;
        }

        public long Ms(double daysAgo) => Clock.Now.AddDays(-daysAgo).ToUnixTimeMilliseconds();

        public async Task IngestAsync(Action<IngestSession> write)
        {
            await using var session = await IngestSession.BeginAsync(Store, "test", "segments", Ct);
            write(session);
            await session.CommitAsync(1, 0, Ct);
        }

        public async Task<StoredSegment> CreateAsync(string name, string rule)
        {
            Assert.True(SegmentRule.TryCompile(rule, Segments.Fields, out var compiled, out var error), error?.ToString());
            return (await Segments.CreateAsync(name, null, compiled, Ct)).Value;
        }

        public async Task<IReadOnlyList<string>> MembersAsync(string name)
        {
            await Segments.CatchUpAsync(Ct);
            return await SegmentStore.MembersAsync(Store, name, 100, null, Ct);
        }

        public ValueTask DisposeAsync()
        {
            Segments.Dispose();
            Store.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static OrderRow Order(string id, string customer, long paidAt, long price, string status = "paid", int refunded = 0)
    {
        var order = new OrderRow { OrderId = id, CustomerId = customer, Status = status, PlacedAt = paidAt, PaidAt = paidAt, Channel = "douyin" };
        order.Lines.Add(new OrderLineRow { Sku = "k1", Quantity = 1, UnitPrice = price, RefundedQuantity = refunded });
        return order;
    }

    private static CustomerRow Customer(string id, params string[] granted)
    {
        var row = new CustomerRow { CustomerId = id, CityTier = "tier2", Present = CustomerFields.CityTier };
        foreach (var channel in granted) row.Consents.Add(new ConsentChange(channel, "marketing", "granted", 1, "test"));
        return row;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ANewOrderMovesACustomerIn_ARefundMovesThemOut_TimeMovesThemOut(string engine)
    {
        await using var h = await Harness.StartAsync(engine);
        await h.IngestAsync(s =>
        {
            s.UpsertCustomer(Customer("u1", "sms"));
            s.UpsertCustomer(Customer("u2"));
            s.WriteOrder(Order("o1", "u1", h.Ms(40), 10_000), createMissingProducts: true);
            s.WriteOrder(Order("o2", "u2", h.Ms(10), 10_000), createMissingProducts: true);
            s.WriteOrder(Order("o3", "u2", h.Ms(5), 10_000), createMissingProducts: true);
        });
        var created = await h.CreateAsync("repeat-sms", "orders(90d) >= 2 and consent(\"sms\") and city_tier <= 2");
        Assert.Equal(0, created.MemberCount); // u2 buys often but gave no consent
        Assert.Empty(h.Raised);

        await h.IngestAsync(s => s.WriteOrder(Order("o4", "u1", h.Ms(1), 20_000), createMissingProducts: true));
        Assert.Equal(["u1"], await h.MembersAsync("repeat-sms"));
        Assert.True(await h.Segments.IsMemberAsync("repeat-sms", "u1", Ct));
        var entered = Assert.Single(h.Raised);
        Assert.Equal("repeat-sms", entered.Segment);
        Assert.Equal(["u1"], entered.Entered);
        Assert.Empty(entered.Exited);
        Assert.Equal(h.Clock.Now, entered.At);
        Assert.Equal("exact", h.Segments.LastUpdate!.Kind);
        Assert.Equal(1L, (await SegmentStore.GetAsync(h.Store, "repeat-sms", Ct))!.MemberCount);

        // Refunded in full: no longer a purchase.
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.IngestAsync(s => s.WriteOrder(Order("o4", "u1", h.Ms(1), 20_000, "refunded", refunded: 1), createMissingProducts: true));
        Assert.Empty(await h.MembersAsync("repeat-sms"));
        Assert.Equal(["+u1", "-u1"], (await SegmentStore.ChangesAsync(h.Store, "repeat-sms", 0, 10, Ct)).Select(c => (c.Entered ? "+" : "-") + c.CustomerId));

        // Back in with another order; then 90 days pass and the first order of the pair leaves the window.
        await h.IngestAsync(s => s.WriteOrder(Order("o5", "u1", h.Ms(0.5), 5_000), createMissingProducts: true));
        Assert.Equal(["u1"], await h.MembersAsync("repeat-sms"));
        h.Clock.Advance(TimeSpan.FromDays(60));
        await h.Segments.RefreshAllAsync(Ct);
        Assert.Empty(await h.MembersAsync("repeat-sms"));
        Assert.Equal("full", h.Segments.LastUpdate!.Kind);
        var last = (await SegmentStore.ChangesAsync(h.Store, "repeat-sms", 0, 10, Ct))[^1];
        Assert.Equal(("u1", false, h.Clock.Now), (last.CustomerId, last.Entered, last.At));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ANewOrder_MovesTheCustomerBeforeTheIndexHasIt_AndEventsWaitForTheIndex(string engine)
    {
        await using var h = await Harness.StartAsync(engine);
        await h.IngestAsync(s =>
        {
            s.UpsertCustomer(Customer("u1", "sms"));
            s.UpsertCustomer(Customer("u2", "sms"));
            s.WriteOrder(Order("o1", "u1", h.Ms(20), 10_000), createMissingProducts: true);
            s.WriteEvent(new EventRow { EventId = "e1", Type = "page_view", Time = h.Ms(30), CustomerId = "u1", Channel = "xiaohongshu" });
        });
        await h.CreateAsync("repeat", "orders(90d) >= 2 and first_channel = \"xiaohongshu\" and consent(\"sms\")");
        await h.CreateAsync("carts", "events(\"add_to_cart\", 7d) >= 1");
        var moved = new TaskCompletionSource<SegmentMembershipChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Segments.MembershipChanged += change => moved.TrySetResult(change);

        h.IndexHeld = new TaskCompletionSource();
        await h.IngestAsync(s => s.WriteOrder(Order("o2", "u1", h.Ms(1), 10_000), createMissingProducts: true));
        var change = await moved.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("repeat", "u1"), (change.Segment, Assert.Single(change.Entered)));
        Assert.Equal("fast", h.Segments.LastUpdate!.Kind);
        Assert.True(await h.Segments.IsMemberAsync("repeat", "u1", Ct));

        // An event may not be in the current index yet: the cart waits for the exact step.
        await h.IngestAsync(s => s.WriteEvent(new EventRow { EventId = "e2", Type = "add_to_cart", Time = h.Ms(1), CustomerId = "u2" }));
        await Task.Delay(200);
        Assert.Single(h.Raised);
        var catchUp = h.Segments.CatchUpAsync(Ct);
        Assert.False(catchUp.IsCompleted);
        h.IndexHeld.SetResult();
        h.IndexHeld = null;
        await catchUp;
        Assert.Equal(["u2"], await h.MembersAsync("carts"));
        Assert.Equal(["u1"], await h.MembersAsync("repeat"));
        Assert.Equal(2, h.Raised.Count); // the exact step confirmed the fast one: no exit and re-entry
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task EventsConsentsAndStitching_MoveCustomers(string engine)
    {
        await using var h = await Harness.StartAsync(engine);
        await h.IngestAsync(s =>
        {
            s.UpsertCustomer(Customer("u1", "sms"));
            s.UpsertCustomer(Customer("u2", "sms"));
        });
        await h.CreateAsync("cart-sms", "events(\"add_to_cart\", 7d) >= 1 and consent(\"sms\")");

        await h.IngestAsync(s => s.WriteEvent(new EventRow { EventId = "e1", Type = "add_to_cart", Time = h.Ms(1), CustomerId = "u1", Channel = "douyin" }));
        Assert.Equal(["u1"], await h.MembersAsync("cart-sms"));

        // u1 withdraws consent: out.
        await h.IngestAsync(s => s.RecordConsent("u1", new ConsentChange("sms", "marketing", "withdrawn", h.Ms(0), "unsubscribe")));
        Assert.Empty(await h.MembersAsync("cart-sms"));

        // An anonymous visitor's cart becomes u2's when they identify.
        await h.IngestAsync(s => s.WriteEvent(new EventRow { EventId = "e2", Type = "add_to_cart", Time = h.Ms(2), AnonymousId = "device-7" }));
        Assert.Empty(await h.MembersAsync("cart-sms"));
        await h.IngestAsync(s => s.Identify("device-7", "u2", h.Ms(0), null));
        Assert.Equal(["u2"], await h.MembersAsync("cart-sms"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AnOrderThatChangesHands_MovesItsPreviousOwnerToo(string engine)
    {
        await using var h = await Harness.StartAsync(engine);
        await h.IngestAsync(s => s.WriteOrder(Order("o1", "u1", h.Ms(3), 10_000), createMissingProducts: true));
        await h.CreateAsync("buyers", "orders(30d) >= 1");
        Assert.Equal(["u1"], await h.MembersAsync("buyers"));

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.IngestAsync(s => s.WriteOrder(Order("o1", "u2", h.Ms(3), 10_000), createMissingProducts: true));
        Assert.Equal(["u2"], await h.MembersAsync("buyers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SegmentsSavedByAnotherProcess_AreKeptToo_AndReplaceRecordsWhoMoved(string engine)
    {
        await using var h = await Harness.StartAsync(engine);
        await h.IngestAsync(s =>
        {
            s.WriteOrder(Order("o1", "u1", h.Ms(3), 10_000), createMissingProducts: true);
            s.WriteOrder(Order("o2", "u2", h.Ms(3), 90_000), createMissingProducts: true);
        });
        // The CLI: its own service over a freshly built index, no subscription.
        using (var cli = new SegmentService(h.Store, FieldRegistry.CreateDefault(), h.Clock,
                   (_, ct) => Flywheel.Analytics.Index.EventIndexBuilder.BuildAsync(h.Store, null, ct)))
        {
            Assert.True(SegmentRule.TryCompile("gmv(30d) >= 500", cli.Fields, out var rule, out _));
            Assert.Equal(["u2"], (await cli.CountAsync(rule, 10, Ct)).Value.Sample);
            Assert.True((await cli.CreateAsync("big", "大单", rule, Ct)).IsSuccess);
            Assert.Equal("conflict", (await cli.CreateAsync("big", null, rule, Ct)).Error!.Code);
        }
        await h.IngestAsync(s => s.WriteOrder(Order("o3", "u1", h.Ms(1), 45_000), createMissingProducts: true));
        Assert.Equal(["u1", "u2"], await h.MembersAsync("big"));

        Assert.True(SegmentRule.TryCompile("gmv(30d) >= 800", h.Segments.Fields, out var higher, out _));
        var replaced = await h.Segments.ReplaceAsync("big", "大单 800+", higher, Ct);
        Assert.Equal((1L, "大单 800+"), (replaced.Value.MemberCount, replaced.Value.Title));
        Assert.Equal(["u1"], h.Raised.Last().Exited);
        Assert.Equal("not_found", (await h.Segments.ReplaceAsync("nope", null, higher, Ct)).Error!.Code);
        Assert.Equal("invalid", (await h.Segments.CreateAsync("Bad Name", null, higher, Ct)).Error!.Code);

        Assert.True(await h.Segments.DeleteAsync("big", Ct));
        await h.IngestAsync(s => s.WriteOrder(Order("o4", "u3", h.Ms(1), 99_000), createMissingProducts: true));
        await h.Segments.CatchUpAsync(Ct);
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "segment_members"));
    }
}
