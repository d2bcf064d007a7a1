using System.Text.Json.Nodes;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Runtime;

/// <summary>A store with a few customers, products and a coupon batch, an engine over it, and helpers to write events and orders.</summary>
internal sealed class JourneyFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 14, 0, 0, TimeSpan.FromHours(8)); // 14:00 Shanghai, a Friday

    private JourneyFixture(FlywheelStore store, TestClock clock, CampaignStore campaigns, JourneyEngine engine, TrackingLinks links)
    {
        Store = store;
        Clock = clock;
        Campaigns = campaigns;
        Engine = engine;
        Links = links;
    }

    public FlywheelStore Store { get; }
    public TestClock Clock { get; }
    public CampaignStore Campaigns { get; }
    public JourneyEngine Engine { get; }
    public TrackingLinks Links { get; }
    public CustomerDirectory Directory => new(Store);

    public static async Task<JourneyFixture> OpenAsync(string engine, RuleMatcher? rules = null, string emailDomain = "example.cn",
        Flywheel.Experiments.Contracts.IExperimentAssignments? experiments = null)
    {
        var clock = new TestClock(Start);
        var store = await TestStores.OpenAsync(engine, clock);
        var campaigns = new CampaignStore(store, clock);
        var links = new TrackingLinks(new byte[32], "http://127.0.0.1:5000");
        var journeys = new JourneyEngine(store, campaigns, new CustomerDirectory(store), links, clock, "worker-a", rules) { Coupons = Flywheel.Promotions.PromotionsModule.CouponIssuer(store), Experiments = experiments };
        var fixture = new JourneyFixture(store, clock, campaigns, journeys, links);
        await fixture.SeedAsync(emailDomain);
        return fixture;
    }

    private async Task SeedAsync(string domain)
    {
        await using (var session = await IngestSession.BeginAsync(Store, "test", "seed", CancellationToken.None))
        {
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (id, name, zone, consent) in new[]
        {
            ("c1", "小王", "Asia/Shanghai", true), ("c2", "李娜", "Asia/Shanghai", true), ("c3", "Emily", "America/New_York", true), ("c4", "张伟", "Asia/Shanghai", false),
        })
        {
            var row = new CustomerRow
            {
                CustomerId = id, Name = name, TimeZone = zone, City = "杭州", MemberTier = "gold", BirthDate = "1990-11-20",
                Present = CustomerFields.Name | CustomerFields.TimeZone | CustomerFields.City | CustomerFields.MemberTier | CustomerFields.BirthDate,
            };
            row.Identities.Add(new CustomerIdentity("email", $"{id}-{Guid.NewGuid():N}@{domain}"));
            row.Identities.Add(new CustomerIdentity("phone", "1380000000" + id[1..]));
            foreach (var channel in new[] { "email", "sms", "wecom" })
                row.Consents.Add(new ConsentChange(channel, "marketing", consent ? "granted" : "withdrawn", now - 1000, "signup"));
            Check(session.UpsertCustomer(row));
        }
        session.UpsertProduct(new ProductRow { Sku = "SKU-LIP", Name = "丝绒口红", Category = "美妆>唇部", ListPrice = 19900 });
        session.UpsertProduct(new ProductRow { Sku = "SKU-MASK", Name = "补水面膜", Category = "美妆>面膜", ListPrice = 8900 });
        await session.CommitAsync(4, 0, CancellationToken.None);
        }
        var batch = await CouponLedger.CreateBatchAsync(Store, CouponBatches.Validate(new CouponBatchInput("cart_rescue_10", "购物车挽回券", "no_threshold", 1000,
            null, 0, null, null, null, "merchant", 1000, null, 1, 1, null, null, 7)).Value, CancellationToken.None);
        Assert.True(batch.IsSuccess, batch.Error?.ToString());
    }

    private static void Check<T>(Flywheel.Primitives.Result<T> result) => Assert.True(result.IsSuccess, result.Error?.ToString());

    public async Task<StoredJourney> SaveAsync(Journey journey, string status = "active")
    {
        var saved = await Campaigns.SaveJourneyAsync(new JourneyDraft(journey.Id, journey.Name, JourneyJson.Write(journey), status), null, CancellationToken.None);
        Assert.True(saved.IsSuccess, saved.Error?.ToString());
        await Engine.ReloadAsync(CancellationToken.None);
        return saved.Value;
    }

    /// <summary>Writes an event and hands it to the engine, as the trigger feed would.</summary>
    public async Task<int> EventAsync(string type, string customer, string? sku = null, DateTimeOffset? at = null, string? properties = null)
    {
        var time = at ?? Clock.GetUtcNow();
        var id = "e-" + Guid.NewGuid().ToString("N")[..12];
        await using (var session = await IngestSession.BeginAsync(Store, "test", "events", CancellationToken.None))
        {
            session.WriteEvent(new EventRow { EventId = id, Type = type, Time = time.ToUnixTimeMilliseconds(), CustomerId = customer, Sku = sku, Properties = properties });
            await session.CommitAsync(1, 0, CancellationToken.None);
        }
        return await Engine.OnEventsAsync([new JourneyEvent(id, type, customer, time, sku, null, properties)], CancellationToken.None);
    }

    public async Task PayAsync(string customer, string orderId, long amount, DateTimeOffset? at = null)
    {
        var time = (at ?? Clock.GetUtcNow()).ToUnixTimeMilliseconds();
        await using (var session = await IngestSession.BeginAsync(Store, "test", "orders", CancellationToken.None))
        {
            var order = new OrderRow { OrderId = orderId, CustomerId = customer, Status = "paid", PlacedAt = time, PaidAt = time };
            order.Lines.Add(new OrderLineRow { Sku = "SKU-LIP", Quantity = 1, UnitPrice = amount });
            Check(session.WriteOrder(order, createMissingProducts: true));
            await session.CommitAsync(1, 0, CancellationToken.None);
        }
        await EventAsync("order_paid", customer, "SKU-LIP", DateTimeOffset.FromUnixTimeMilliseconds(time), $$"""{"order_id":"{{orderId}}"}""");
    }

    public async Task<IReadOnlyList<StoredMessage>> MessagesAsync(string? customer = null)
    {
        var page = await Campaigns.ListMessagesAsync(new MessageQuery(CustomerId: customer, Limit: 1000), CancellationToken.None);
        return page.Value.Messages;
    }

    public async Task<JourneyEntry?> EntryAsync(string journey, string customer) => await Campaigns.LastEntryAsync(journey, customer, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        await Task.CompletedTask;
    }

    public static Journey Template(string name) => JourneyTemplates.Find(name)!.Journey;

    public static JsonObject Empty => [];
}
