using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Campaigns.Tests.Channels;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Delivery.DeliveryHarness;

namespace Flywheel.Campaigns.Tests.Delivery;

/// <summary>The dispatcher against real stores (both engines), the loopback SMTP server and a local HTTP receiver.</summary>
public sealed class DispatcherTests
{
    /// <summary>Monday 16 November 2026, 10:00 in Shanghai: daytime, start of ISO week 47.</summary>
    private static readonly DateTimeOffset Monday10 = new(2026, 11, 16, 10, 0, 0, TimeSpan.FromHours(8));

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task MarketingEmail_IsDeliveredToTheSmtpServer(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        var email = NewEmail();
        await h.AddCustomerAsync("c1", email);
        await h.EnqueueAsync(Message("k1", "c1", email, h.Now));

        var report = await h.Dispatcher(h.Email()).RunOnceAsync(None);

        Assert.Equal((1, 1), (report.Claimed, report.Delivered));
        var stored = await h.GetAsync("k1");
        Assert.Equal("delivered", stored.Status);
        Assert.Equal(EmailChannel.MessageIdFor("k1", "news@shop.example"), stored.ProviderMessageId);
        var mail = await MaildirMessage.WaitForAsync(Maildir, email);
        Assert.Equal("双十一专属优惠", mail.Header("Subject"));
        Assert.Equal("k1", mail.Header(EmailChannel.MessageHeader));
        Assert.Equal(stored.ProviderMessageId, mail.Header("Message-ID"));
        Assert.Equal("<https://shop.example/u/x>", mail.Header("List-Unsubscribe"));
        Assert.Equal("你好 c1，预售开始了。", mail.Part("text/plain"));
        Assert.Equal(1, await TestStores.CountAsync(h.Store, "frequency_slots", "customer_id = 'c1' AND window_key = 'd:2026-11-16'"));
        Assert.Equal(1, await TestStores.CountAsync(h.Store, "frequency_slots", "customer_id = 'c1' AND window_key = 'w:2026-W47'"));
        // Nothing due any more.
        Assert.Equal(0, (await h.Dispatcher(h.Email()).RunOnceAsync(None)).Claimed);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task DailyCap_ThirdMarketingSuppressed_TransactionalStillGoes_NextDayAllowedAgain(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        var email = NewEmail();
        await h.AddCustomerAsync("c1", email);
        await h.EnqueueAsync(Message("m1", "c1", email, h.Now), Message("m2", "c1", email, h.Now), Message("m3", "c1", email, h.Now),
            Message("t1", "c1", email, h.Now, purpose: "transactional"));
        var dispatcher = h.Dispatcher(h.Email());

        var report = await DrainAsync(dispatcher);

        Assert.Equal((4, 3, 1), (report.Claimed, report.Delivered, report.Suppressed));
        var marketing = new[] { await h.GetAsync("m1"), await h.GetAsync("m2"), await h.GetAsync("m3") };
        Assert.Equal(2, marketing.Count(m => m.Status == "delivered"));
        var capped = Assert.Single(marketing, m => m.Status == "suppressed");
        Assert.StartsWith("frequency cap", capped.LastError);
        Assert.Contains("d:2026-11-16", capped.LastError);
        Assert.Equal("delivered", (await h.GetAsync("t1")).Status);
        Assert.Equal(2, await h.Campaigns.FrequencyUsedAsync("c1", "d:2026-11-16", None));
        await WaitForMailsAsync(email, 3);

        // The next local day has room again (the week holds 2 of 5).
        h.Clock.Advance(TimeSpan.FromDays(1));
        await h.EnqueueAsync(Message("m4", "c1", email, h.Now));
        Assert.Equal(1, (await DrainAsync(dispatcher)).Delivered);
        Assert.Equal("delivered", (await h.GetAsync("m4")).Status);
        Assert.Equal(3, await h.Campaigns.FrequencyUsedAsync("c1", "w:2026-W47", None));
        await WaitForMailsAsync(email, 4);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task WeeklyCap_SixthMarketingOfTheWeekSuppressed(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        await h.AddCustomerAsync("c1", null);
        var dispatcher = h.Dispatcher(h.Webhook(receiver));
        // Mon 2, Tue 2, Wed 2: the week's fifth goes on Wednesday, the sixth is capped by the week, not the day.
        for (var day = 0; day < 3; day++)
        {
            await h.EnqueueAsync(Message($"d{day}a", "c1", "crm", h.Now, channel: "webhook"), Message($"d{day}b", "c1", "crm", h.Now, channel: "webhook"));
            await DrainAsync(dispatcher);
            h.Clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(5, receiver.Count);
        var wednesday = new[] { await h.GetAsync("d2a"), await h.GetAsync("d2b") };
        var capped = Assert.Single(wednesday, m => m.Status == "suppressed");
        Assert.StartsWith("frequency cap", capped.LastError);
        Assert.Equal(5, await h.Campaigns.FrequencyUsedAsync("c1", "w:2026-W47", None));
        Assert.Equal(1, await h.Campaigns.FrequencyUsedAsync("c1", "d:2026-11-18", None));

        // Monday of the next ISO week starts afresh.
        h.Clock.Advance(TimeSpan.FromDays(4));
        await h.EnqueueAsync(Message("next", "c1", "crm", h.Now, channel: "webhook"));
        Assert.Equal(1, (await DrainAsync(dispatcher)).Delivered);
        Assert.Equal(1, await h.Campaigns.FrequencyUsedAsync("c1", "w:2026-W48", None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task QuietHours_MarketingDeferredToMorning_TransactionalSentAtNight(string engine)
    {
        var night = new DateTimeOffset(2026, 11, 22, 22, 30, 0, TimeSpan.FromHours(8));
        using var h = await OpenAsync(engine, night);
        var email = NewEmail();
        await h.AddCustomerAsync("c1", email);
        await h.EnqueueAsync(Message("late", "c1", email, h.Now), Message("receipt", "c1", email, h.Now, purpose: "transactional"));
        var dispatcher = h.Dispatcher(h.Email());

        var report = await DrainAsync(dispatcher);

        Assert.Equal((1, 1), (report.Deferred, report.Delivered));
        var deferred = await h.GetAsync("late");
        Assert.Equal(("queued", 0), (deferred.Status, deferred.Attempts));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8)), deferred.DueAt);
        Assert.Contains("quiet hours", deferred.LastError);
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "frequency_slots", $"message_id = {deferred.MessageId}"));
        Assert.Equal("delivered", (await h.GetAsync("receipt")).Status);
        await WaitForMailsAsync(email, 1);

        // 08:59: still night, and not yet due anyway.
        h.Clock.Now = new DateTimeOffset(2026, 11, 23, 8, 59, 0, TimeSpan.FromHours(8));
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
        h.Clock.Now = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(1, (await dispatcher.RunOnceAsync(None)).Delivered);
        var sent = await h.GetAsync("late");
        Assert.Equal(("delivered", 1), (sent.Status, sent.Attempts));
        Assert.Equal(1, await h.Campaigns.FrequencyUsedAsync("c1", "d:2026-11-23", None));
        await WaitForMailsAsync(email, 2);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task QuietHours_FollowTheCustomersOwnZone(string engine)
    {
        // 10:00 in Shanghai is 21:00 (Sunday) in New York.
        using var h = await OpenAsync(engine, new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8)));
        await using var receiver = new HttpReceiver();
        await h.AddCustomerAsync("sh", null);
        await h.AddCustomerAsync("ny", null, zone: "America/New_York");
        await h.EnqueueAsync(Message("to-sh", "sh", "crm", h.Now, channel: "webhook"), Message("to-ny", "ny", "crm", h.Now, channel: "webhook"));

        var report = await DrainAsync(h.Dispatcher(h.Webhook(receiver)));

        Assert.Equal((1, 1), (report.Delivered, report.Deferred));
        Assert.Equal("delivered", (await h.GetAsync("to-sh")).Status);
        var ny = await h.GetAsync("to-ny");
        Assert.Equal("queued", ny.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(-5)), ny.DueAt);
        // Sent at 09:00 New York time, it counts against the customer's own local day (Monday the 23rd there).
        h.Clock.Now = ny.DueAt;
        Assert.Equal(1, (await h.Dispatcher(h.Webhook(receiver)).RunOnceAsync(None)).Delivered);
        Assert.Equal(1, await h.Campaigns.FrequencyUsedAsync("ny", "d:2026-11-23", None));
        Assert.Equal(2, receiver.Count);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task OptOutAfterEnqueue_SuppressedAtSendTime_NothingArrives(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        var email = NewEmail();
        await h.AddCustomerAsync("c1", email);
        await h.EnqueueAsync(Message("k1", "c1", email, h.Now));
        await h.SetConsentAsync("c1", "email", "marketing", "withdrawn");

        var report = await h.Dispatcher(h.Email()).RunOnceAsync(None);

        Assert.Equal((1, 0), (report.Suppressed, report.Delivered));
        var stored = await h.GetAsync("k1");
        Assert.Equal("suppressed", stored.Status);
        Assert.StartsWith("no consent", stored.LastError);
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "frequency_slots"));
        await Task.Delay(300);
        Assert.Equal(0, MailsTo(email));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SuppressionList_AddressOrCustomer_SuppressedAtSendTime(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        var a = NewEmail();
        var b = NewEmail();
        await h.AddCustomerAsync("ca", a);
        await h.AddCustomerAsync("cb", b);
        // Stored with capitals; the list holds addresses lower-case.
        await h.EnqueueAsync(Message("ka", "ca", a.ToUpperInvariant(), h.Now), Message("kb", "cb", b, h.Now, purpose: "transactional"));
        await h.Campaigns.AddSuppressionAsync("email", a, "hard bounce", None);
        await h.Campaigns.AddSuppressionAsync(CampaignValues.AnyChannel, "cb", "asked to be forgotten", None);

        var report = await h.Dispatcher(h.Email()).RunOnceAsync(None);

        Assert.Equal((2, 0), (report.Suppressed, report.Delivered));
        Assert.StartsWith("suppressed:", (await h.GetAsync("ka")).LastError);
        Assert.Contains("customer cb", (await h.GetAsync("kb")).LastError);
        await Task.Delay(300);
        Assert.Equal(0, MailsTo(a) + MailsTo(a.ToUpperInvariant()) + MailsTo(b));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task NoAddress_NotEligible_NoChannel_AreSettledWithReasons(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        await h.AddCustomerAsync("noaddr", null);
        await h.AddCustomerAsync("bought", NewEmail());
        await h.AddCustomerAsync("sms", null);
        await h.SetConsentAsync("sms", "sms", "marketing", "granted");
        await h.EnqueueAsync(Message("k-noaddr", "noaddr", null, h.Now), Message("k-bought", "bought", null, h.Now),
            Message("k-sms", "sms", "+8613800000000", h.Now, channel: "sms"), Message("k-ghost", "ghost", "x@customer.example", h.Now));
        var asked = 0;
        var dispatcher = h.Dispatcher(h.Email(), stillEligible: (m, _) =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult(m.CustomerId == "bought" ? "exited: customer paid order o-1" : null);
        });

        var report = await dispatcher.RunOnceAsync(None);

        Assert.Equal((3, 1, 0), (report.Suppressed, report.Dead, report.Delivered));
        Assert.StartsWith("no address", (await h.GetAsync("k-noaddr")).LastError);
        Assert.Equal(("suppressed", "exited: customer paid order o-1"), ((await h.GetAsync("k-bought")).Status, (await h.GetAsync("k-bought")).LastError));
        Assert.StartsWith("no consent", (await h.GetAsync("k-ghost")).LastError);
        var sms = await h.GetAsync("k-sms");
        Assert.Equal("dead", sms.Status);
        Assert.Contains("no Sms channel is configured", sms.LastError);
        Assert.Equal(2, asked); // asked only after the suppression, consent and address checks passed
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task HookThrows_CountedAsError_MessageComesBackAfterTheLease_UnknownChannelDead(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        await h.AddCustomerAsync("c1", null);
        await h.EnqueueAsync(Message("k1", "c1", "crm", h.Now, "transactional", "webhook"), Message("k2", "c1", "x", h.Now, "transactional", "pigeon"));
        var fail = true;
        var dispatcher = h.Dispatcher(h.Webhook(receiver), stillEligible: (_, _) =>
            fail ? throw new InvalidOperationException("journey store away") : ValueTask.FromResult<string?>(null));

        var report = await dispatcher.RunOnceAsync(None);

        Assert.Equal((2, 1, 1), (report.Claimed, report.Errors, report.Dead));
        Assert.Contains("journey store away", Assert.Single(report.ErrorMessages));
        Assert.Equal("sending", (await h.GetAsync("k1")).Status);
        Assert.StartsWith("unknown channel 'pigeon'", (await h.GetAsync("k2")).LastError);
        fail = false;
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
        h.Clock.Advance(new SendPolicy().LeaseDuration);
        Assert.Equal(1, (await dispatcher.RunOnceAsync(None)).Delivered);
        Assert.Equal(("delivered", 2), ((await h.GetAsync("k1")).Status, (await h.GetAsync("k1")).Attempts));
        Assert.Equal(1, receiver.Count);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SmtpDown_RetriesWithBackoff_ThenDeadLetterWithTheLastError(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        var email = NewEmail();
        await h.AddCustomerAsync("c1", email);
        await h.EnqueueAsync(Message("k1", "c1", email, h.Now));
        var dispatcher = h.Dispatcher(h.Email(port: HttpReceiver.FreePort()));
        var backoff = new SendPolicy().Backoff;

        for (var attempt = 1; attempt < 5; attempt++)
        {
            var report = await dispatcher.RunOnceAsync(None);
            Assert.Equal(1, report.Retried);
            var failed = await h.GetAsync("k1");
            Assert.Equal(("failed", attempt), (failed.Status, failed.Attempts));
            Assert.Equal(h.Now + backoff[attempt - 1], failed.DueAt);
            Assert.StartsWith($"attempt {attempt}: SMTP", failed.LastError);
            // The slots stay with the message while it is retried.
            Assert.Equal(1, await h.Campaigns.FrequencyUsedAsync("c1", "d:2026-11-16", None));
            h.Clock.Advance(backoff[attempt - 1] - TimeSpan.FromSeconds(1));
            Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
            h.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var last = await dispatcher.RunOnceAsync(None);
        Assert.Equal(1, last.Dead);
        var dead = await h.GetAsync("k1");
        Assert.Equal(("dead", 5), (dead.Status, dead.Attempts));
        Assert.StartsWith("attempt 5 of 5: SMTP", dead.LastError);
        Assert.Equal(0, await h.Campaigns.FrequencyUsedAsync("c1", "d:2026-11-16", None));
        h.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
        Assert.Equal(1, await TestStores.CountAsync(h.Store, "messages", "status = 'dead'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Http500ThenOk_DeliveredOnTheRetry_Once(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver { Respond = n => n == 1 ? new Reply(500, "busy") : new Reply(200, """{"id":"wh-9"}""") };
        await h.AddCustomerAsync("c1", null);
        await h.EnqueueAsync(Message("k1", "c1", "crm", h.Now, channel: "webhook"));
        var dispatcher = h.Dispatcher(h.Webhook(receiver));

        Assert.Equal(1, (await dispatcher.RunOnceAsync(None)).Retried);
        var failed = await h.GetAsync("k1");
        Assert.Equal("failed", failed.Status);
        Assert.Contains("HTTP 500", failed.LastError);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await dispatcher.RunOnceAsync(None)).Delivered);

        var delivered = await h.GetAsync("k1");
        Assert.Equal(("delivered", 2, "wh-9"), (delivered.Status, delivered.Attempts, delivered.ProviderMessageId));
        Assert.Equal(2, receiver.Count);
        Assert.Equal(2, KeysSeen(receiver)["k1"]); // the same key both times: a provider could drop a repeat
        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
        Assert.Equal(2, receiver.Count);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PermanentFailure_DeadAtOnce(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await h.AddCustomerAsync("c1", "not an address");
        await h.EnqueueAsync(Message("k1", "c1", null, h.Now, purpose: "transactional"));

        Assert.Equal(1, (await h.Dispatcher(h.Email()).RunOnceAsync(None)).Dead);
        var dead = await h.GetAsync("k1");
        Assert.Equal(("dead", 1), (dead.Status, dead.Attempts));
        Assert.StartsWith("permanent: invalid address", dead.LastError);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Crash_LeaseExpires_SecondDispatcherDeliversEachOnce_FirstsLateAnswersRefused(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        var customers = Enumerable.Range(0, 20).Select(i => ($"c{i:D2}", (string?)null)).ToArray();
        await h.AddCustomersAsync(customers);
        await h.EnqueueAsync([.. customers.Select(c => Message("k-" + c.Item1, c.Item1, "crm", h.Now, channel: "webhook"))]);
        var policy = new SendPolicy { LeaseDuration = TimeSpan.FromMinutes(5) };

        // The first dispatcher claims the whole batch, then hangs before any send reaches the provider (a crashed process).
        var stuck = new StuckChannel(h.Webhook(receiver));
        var first = h.Dispatcher(stuck, policy, owner: "host-a:crashed");
        var firstRun = first.RunOnceAsync(None);
        await stuck.WaitForAsync(policy.Concurrency);
        Assert.Equal(0, receiver.Count);

        // Within the lease nobody else may take them.
        var second = h.Dispatcher(h.Webhook(receiver), policy, owner: "host-b:alive");
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, (await second.RunOnceAsync(None)).Claimed);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var report = await DrainAsync(second);
        Assert.Equal((20, 20), (report.Claimed, report.Delivered));

        // The first comes back to life: its sends now report success, but every completion is refused.
        stuck.Release();
        var late = await firstRun;
        Assert.Equal((20, 20, 0), (late.Claimed, late.LeaseLost, late.Delivered));

        var seen = KeysSeen(receiver);
        Assert.Equal(20, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(20, await TestStores.CountAsync(h.Store, "messages", "status = 'delivered'"));
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "messages", "status <> 'delivered'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Crash_ClaimedAndDropped_ReclaimedAfterTheLease_ExactlyOnceOverSmtp(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        var emails = Enumerable.Range(0, 5).Select(_ => NewEmail()).ToArray();
        await h.AddCustomersAsync([.. emails.Select((e, i) => ($"c{i}", (string?)e))]);
        await h.EnqueueAsync([.. emails.Select((e, i) => Message($"k{i}", $"c{i}", e, h.Now))]);
        var crashed = (await h.Campaigns.ClaimAsync("host-a:crashed", h.Now, 100, TimeSpan.FromMinutes(5), None)).Value;
        Assert.Equal(5, crashed.Count);

        var dispatcher = h.Dispatcher(h.Email(), owner: "host-b:alive");
        Assert.Equal(0, (await dispatcher.RunOnceAsync(None)).Claimed);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(5, (await DrainAsync(dispatcher)).Delivered);
        foreach (var m in crashed)
            Assert.False((await h.Campaigns.MarkDeliveredAsync(m.MessageId, "host-a:crashed", "late", None)).Value);

        foreach (var email in emails) await WaitForMailsAsync(email, 1);
        await Task.Delay(200);
        Assert.All(emails, e => Assert.Equal(1, MailsTo(e)));
        for (var i = 0; i < 5; i++)
            Assert.Equal(("delivered", 2), ((await h.GetAsync($"k{i}")).Status, (await h.GetAsync($"k{i}")).Attempts));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CrashLoop_MessageThatNeverCompletes_IsDeadLetteredByItsAttempts(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await h.AddCustomerAsync("c1", NewEmail());
        await h.EnqueueAsync(Message("k1", "c1", null, h.Now, purpose: "transactional"));
        var policy = new SendPolicy { MaxAttempts = 3 };
        for (var i = 0; i < 3; i++)
        {
            Assert.Single((await h.Campaigns.ClaimAsync($"crash-{i}", h.Now, 10, policy.LeaseDuration, None)).Value);
            h.Clock.Advance(policy.LeaseDuration);
        }

        Assert.Equal(1, (await h.Dispatcher(h.Email(), policy).RunOnceAsync(None)).Dead);
        var dead = await h.GetAsync("k1");
        Assert.Equal(("dead", 4), (dead.Status, dead.Attempts));
        Assert.Contains("gave up after 3 attempts", dead.LastError);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FourDispatchersInParallel_500Messages_EachDeliveredExactlyOnce(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        var customers = Enumerable.Range(0, 100).Select(i => ($"c{i:D3}", (string?)null)).ToArray();
        await h.AddCustomersAsync(customers);
        await h.EnqueueAsync([.. Enumerable.Range(0, 500).Select(i => Message($"k{i:D3}", customers[i % 100].Item1, "crm", h.Now, "transactional", "webhook"))]);
        var policy = new SendPolicy { BatchSize = 25 };
        var dispatchers = Enumerable.Range(0, 4).Select(i => h.Dispatcher(h.Webhook(receiver), policy, owner: $"host-{i}:{Guid.NewGuid():N}")).ToArray();

        var reports = await Store.StoreFixtures.AllAtOnceAsync(4, i => DrainAsync(dispatchers[i]));

        Assert.Equal(500, reports.Sum(r => r.Delivered));
        Assert.Equal(500, reports.Sum(r => r.Claimed));
        Assert.All(reports, r => Assert.Equal(0, r.Errors + r.LeaseLost));
        var seen = KeysSeen(receiver);
        Assert.Equal(500, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(500, await TestStores.CountAsync(h.Store, "messages", "status = 'delivered' AND attempts = 1"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FourDispatchersInParallel_OneCustomer_CapHolds(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        await h.AddCustomerAsync("c1", null);
        await h.EnqueueAsync([.. Enumerable.Range(0, 12).Select(i => Message($"k{i:D2}", "c1", "crm", h.Now, channel: "webhook"))]);
        var policy = new SendPolicy { BatchSize = 3 };
        var dispatchers = Enumerable.Range(0, 4).Select(i => h.Dispatcher(h.Webhook(receiver), policy, owner: $"host-{i}")).ToArray();

        var reports = await Store.StoreFixtures.AllAtOnceAsync(4, i => DrainAsync(dispatchers[i]));

        Assert.Equal((2, 10), (reports.Sum(r => r.Delivered), reports.Sum(r => r.Suppressed)));
        Assert.Equal(2, receiver.Count);
        Assert.Equal(10, await TestStores.CountAsync(h.Store, "messages", "status = 'suppressed' AND last_error LIKE 'frequency cap%'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task RunAsync_PollsOnTheClock_UntilCancelled(string engine)
    {
        using var h = await OpenAsync(engine, Monday10);
        await using var receiver = new HttpReceiver();
        await h.AddCustomerAsync("c1", null);
        await h.EnqueueAsync(Message("k1", "c1", "crm", h.Now, "transactional", "webhook"));
        using var stop = new CancellationTokenSource();
        var run = h.Dispatcher(h.Webhook(receiver), new SendPolicy { PollInterval = TimeSpan.FromMilliseconds(20) }).RunAsync(stop.Token);

        Assert.Equal(1, await receiver.WaitForCountAsync(1));
        await h.EnqueueAsync(Message("k2", "c1", "crm", h.Now, "transactional", "webhook"));
        Assert.Equal(2, await receiver.WaitForCountAsync(2));
        for (var i = 0; i < 250 && (await h.GetAsync("k2")).Status != "delivered"; i++) await Task.Delay(20);
        Assert.Equal("delivered", (await h.GetAsync("k2")).Status);
        await stop.CancelAsync();
        await run;
        Assert.Equal(2, receiver.Count);
    }

    [Fact]
    public async Task Constructor_RejectsAnInvalidPolicy_NamingTheField()
    {
        using var h = await OpenAsync(TestStores.Sqlite, Monday10);
        var e = Assert.Throws<ArgumentException>(() => h.Dispatcher(h.Email(), new SendPolicy { BatchSize = 0, MaxAttempts = 0 }));
        Assert.Contains("delivery.batch_size", e.Message);
        Assert.Contains("delivery.max_attempts", e.Message);
        Assert.Throws<ArgumentException>(() => h.Dispatcher(h.Email(), owner: " "));
        Assert.StartsWith(Environment.MachineName + ":", Dispatcher.NewOwnerName());
        Assert.NotEqual(Dispatcher.NewOwnerName(), Dispatcher.NewOwnerName());
    }

    private static async Task WaitForMailsAsync(string recipient, int count)
    {
        for (var i = 0; i < 100 && MailsTo(recipient) < count; i++) await Task.Delay(50);
        Assert.Equal(count, MailsTo(recipient));
    }

    /// <summary>Holds every send until <see cref="Release"/>, then answers "delivered" without reaching the provider.</summary>
    private sealed class StuckChannel(IChannel inner) : IChannel
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public ChannelKind Kind => inner.Kind;

        public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
        {
            Interlocked.Increment(ref _waiting);
            await _release.Task;
            return DeliveryResult.Delivered("late-" + message.MessageId);
        }

        public async Task WaitForAsync(int waiting)
        {
            for (var i = 0; i < 500 && Volatile.Read(ref _waiting) < waiting; i++) await Task.Delay(10);
            Assert.True(Volatile.Read(ref _waiting) >= waiting);
        }

        public void Release() => _release.SetResult();
    }
}
