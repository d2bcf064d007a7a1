using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Tests.Channels;
using Flywheel.Campaigns.Tests.Delivery;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Runtime;

/// <summary>
/// The must-show: add-to-cart → 30 minutes on a fake clock → a real email with the cart and a coupon arrives at the
/// SMTP server on loopback; paying before the 30 minutes cancels it. The journey engine, the dispatcher (with caps, quiet
/// hours and consent) and the email channel run together on both engines.
/// </summary>
public sealed class AbandonedCartEndToEndTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A fixture on a fresh mail domain with the abandoned-cart journey active, its dispatcher, and the customer's address.</summary>
    private static async Task<(JourneyFixture Fx, Dispatcher Dispatcher, string Recipient)> StartAsync(string engine, string customer)
    {
        var domain = Guid.NewGuid().ToString("N")[..10] + ".example.cn";
        var fx = await JourneyFixture.OpenAsync(engine, emailDomain: domain);
        await fx.SaveAsync(JourneyFixture.Template("abandoned_cart"));
        var dispatcher = new Dispatcher(fx.Campaigns, new ChannelRegistry([new EmailChannel(DeliveryHarness.SmtpOptions(), fx.Clock)]), fx.Directory,
            new SendPolicy(), fx.Clock, "dispatcher-" + Guid.NewGuid().ToString("N")[..8], fx.Engine.StillEligibleAsync);
        return (fx, dispatcher, (await fx.Directory.GetAsync(customer, None))!.Email!);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AddToCart_Then30Minutes_ARealEmailArrivesWithTheCartAndACoupon(string engine)
    {
        var (fx, dispatcher, recipient) = await StartAsync(engine, "c1");
        await using var _ = fx;

        await fx.EventAsync("add_to_cart", "c1", "SKU-LIP");
        fx.Clock.Advance(TimeSpan.FromMinutes(20));
        await fx.Engine.AdvanceAsync(None);
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Delivered);
        Assert.Equal(0, DeliveryHarness.MailsTo(recipient));

        fx.Clock.Advance(TimeSpan.FromMinutes(11)); // 14:31 in Shanghai, outside quiet hours
        Assert.Equal(1, (await fx.Engine.AdvanceAsync(None)).Messages);
        var report = await dispatcher.RunOnceAsync(None);
        Assert.True(report.Delivered == 1, report.ToString());

        var mail = await MaildirMessage.WaitForAsync(DeliveryHarness.Maildir, recipient);
        Assert.Contains("您的购物车还在等您", mail.Header("Subject"), StringComparison.Ordinal);
        var text = mail.Part("text/plain")!;
        Assert.Contains("丝绒口红", text, StringComparison.Ordinal);
        Assert.Contains("¥199.00", text, StringComparison.Ordinal);
        var stored = Assert.Single(await fx.MessagesAsync("c1"));
        Assert.Equal("delivered", stored.Status);
        var code = System.Text.RegularExpressions.Regex.Match(text, "优惠券：([A-Za-z0-9-]+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(code), text);
        // the code in the mail is the one the coupon ledger issued to this customer
        Assert.Equal(1, await TestStores.CountAsync(fx.Store, "coupons", $"code = '{code}' AND customer_id = 'c1'"));
        Assert.Contains("<" + stored.UnsubscribeUrl + ">", mail.Header("List-Unsubscribe"), StringComparison.Ordinal);

        // nothing more is sent: the entry is complete and the message is delivered once
        await fx.Engine.AdvanceAsync(None);
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
        Assert.Equal(1, DeliveryHarness.MailsTo(recipient));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PayingBeforeThe30Minutes_NoEmailIsSent(string engine)
    {
        var (fx, dispatcher, recipient) = await StartAsync(engine, "c2");
        await using var _ = fx;
        await fx.EventAsync("add_to_cart", "c2", "SKU-LIP");
        fx.Clock.Advance(TimeSpan.FromMinutes(12));
        await fx.PayAsync("c2", "o-77", 19900);
        fx.Clock.Advance(TimeSpan.FromMinutes(40));
        await fx.Engine.AdvanceAsync(None);
        await dispatcher.RunOnceAsync(None);
        Assert.Empty(await fx.MessagesAsync("c2"));
        Assert.Equal(0, DeliveryHarness.MailsTo(recipient));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PayingAfterTheMessageIsQueued_ButBeforeItIsSent_CancelsIt(string engine)
    {
        var (fx, dispatcher, recipient) = await StartAsync(engine, "c1");
        await using var _ = fx;
        await fx.EventAsync("add_to_cart", "c1", "SKU-LIP");
        fx.Clock.Advance(TimeSpan.FromMinutes(31));
        await fx.Engine.AdvanceAsync(None);
        Assert.Equal("queued", Assert.Single(await fx.MessagesAsync("c1")).Status);
        await fx.PayAsync("c1", "o-78", 19900);
        await dispatcher.RunOnceAsync(None);
        Assert.Equal("cancelled", Assert.Single(await fx.MessagesAsync("c1")).Status);
        Assert.Equal(0, DeliveryHarness.MailsTo(recipient));
    }
}
