using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Tests.Channels;
using Flywheel.Campaigns.Tests.Delivery;
using Flywheel.Ingestion.Demo;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Runtime;

/// <summary>
/// The abandoned-cart journey on the demo store (the store <c>flywheel demo</c> builds): a demo customer with email consent
/// adds to cart, the trigger feed picks the event up from the store, 30 minutes pass on the fake clock, and a real email with
/// the cart and a coupon reaches the SMTP server. Demo addresses are rewritten to a unique test domain first, so the Maildir
/// check cannot see another run's mail.
/// </summary>
public sealed class DemoStoreJourneyTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AbandonedCart_OnTheDemoStore_EmailArrives(string engine)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 11, 20, 13, 0, 0, TimeSpan.FromHours(8)));
        using var store = await TestStores.OpenAsync(engine, clock);
        await DemoStoreGenerator.GenerateAsync(store, new DemoOptions(Customers: 300, Days: 30), clock, null, None);
        var domain = Guid.NewGuid().ToString("N")[..10] + ".example.cn";
        await ExecuteAsync(store, $"UPDATE customer_identities SET value = REPLACE(value, '@demo.flywheel.example', '@{domain}') WHERE kind = 'email'");
        var customer = (string)(await TestStores.ScalarAsync(store,
            "SELECT c.customer_id FROM customer_consents c JOIN customer_identities i ON i.customer_id = c.customer_id AND i.kind = 'email' " +
            "WHERE c.channel = 'email' AND c.purpose = 'marketing' AND c.status = 'granted' ORDER BY c.customer_id LIMIT 1"))!;
        var sku = (string)(await TestStores.ScalarAsync(store, "SELECT sku FROM products ORDER BY sku LIMIT 1"))!;
        var product = (string)(await TestStores.ScalarAsync(store, $"SELECT name FROM products WHERE sku = '{sku}'"))!;

        var campaigns = new CampaignStore(store, clock);
        var engineRun = new JourneyEngine(store, campaigns, new CustomerDirectory(store), new TrackingLinks(new byte[32], "http://127.0.0.1:5080"), clock, "demo") { Coupons = Flywheel.Promotions.PromotionsModule.CouponIssuer(store) };
        var batch = CouponBatches.Validate(new CouponBatchInput("cart_rescue_10", "购物车挽回券", "no_threshold", 1000, null, 0, null, null, null, "merchant",
            1000, null, 1, 1, null, null, 7)).Value;
        Assert.True((await CouponLedger.CreateBatchAsync(store, batch, None)).IsSuccess);
        var journey = JourneyTemplates.Find("abandoned_cart")!.Journey;
        await campaigns.SaveJourneyAsync(new JourneyDraft(journey.Id, journey.Name, JourneyJson.Write(journey), "active"), null, None);
        await engineRun.ReloadAsync(None);
        var feed = new JourneyTriggerFeed(store, engineRun);
        await feed.InitialiseAsync(None);

        await using (var session = await IngestSession.BeginAsync(store, "events", "app", None))
        {
            session.WriteEvent(new EventRow { EventId = "demo-atc-1", Type = "add_to_cart", Time = clock.GetUtcNow().ToUnixTimeMilliseconds(), CustomerId = customer, Sku = sku });
            await session.CommitAsync(1, 0, None);
        }
        Assert.Equal(1, (await feed.PollAsync(None)).Entered);
        clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, (await engineRun.AdvanceAsync(None)).Messages);
        var dispatcher = new Dispatcher(campaigns, new ChannelRegistry([new EmailChannel(DeliveryHarness.SmtpOptions(), clock)]), new CustomerDirectory(store),
            new SendPolicy(), clock, "demo-dispatcher", engineRun.StillEligibleAsync);
        var report = await dispatcher.RunOnceAsync(None);
        Assert.True(report.Delivered == 1, report.ToString());
        var recipient = $"{customer.ToLowerInvariant()}@{domain}";
        var mail = await MaildirMessage.WaitForAsync(DeliveryHarness.Maildir, recipient);
        var text = mail.Part("text/plain")!;
        Assert.Contains(product, text, StringComparison.Ordinal);
        Assert.Matches("优惠券：[A-Za-z0-9-]+", text);
    }

    private static async Task ExecuteAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(None);
    }
}
