using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Runtime;

/// <summary>The journey runtime on both engines: triggers, waits, exits, coupons, splits, branches, points and re-entry, with a fake clock.</summary>
public sealed class JourneyEngineTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AbandonedCart_NoPaymentWithin30Minutes_IssuesACouponAndQueuesTheEmailWithTheCart(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        await fx.SaveAsync(JourneyFixture.Template("abandoned_cart"));
        Assert.Equal(1, await fx.EventAsync("add_to_cart", "c1", "SKU-LIP"));
        await fx.EventAsync("add_to_cart", "c1", "SKU-MASK");

        // 29 minutes: nothing is due yet
        fx.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, (await fx.Engine.AdvanceAsync(None)).Entries);
        Assert.Empty(await fx.MessagesAsync("c1"));

        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        var report = await fx.Engine.AdvanceAsync(None);
        Assert.Equal(1, report.Messages);
        var message = Assert.Single(await fx.MessagesAsync("c1"));
        Assert.True(message.Status == "queued", message.LastError);
        Assert.Equal("email", message.Channel);
        Assert.EndsWith("@example.cn", message.Recipient, StringComparison.Ordinal);
        Assert.Contains("小王，您的购物车还在等您", message.Subject, StringComparison.Ordinal);
        Assert.Contains("丝绒口红", message.BodyText, StringComparison.Ordinal);
        Assert.Contains("补水面膜", message.BodyText, StringComparison.Ordinal);
        Assert.Contains("¥288.00", message.BodyText, StringComparison.Ordinal); // 199 + 89
        var coupon = System.Text.RegularExpressions.Regex.Match(message.BodyText!, "优惠券：([A-Za-z0-9-]+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(coupon), message.BodyText);
        Assert.StartsWith("http://127.0.0.1:5000/u/", message.UnsubscribeUrl, StringComparison.Ordinal);
        Assert.Equal("j:abandoned_cart:email:c1:1", message.IdempotencyKey);
        Assert.Equal("completed", (await fx.EntryAsync("abandoned_cart", "c1"))!.Status);

        // running again changes nothing: the entry is done and the message key is taken
        Assert.Equal(0, (await fx.Engine.AdvanceAsync(None)).Messages);
        Assert.Single(await fx.MessagesAsync("c1"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AbandonedCart_PayingBeforeThe30Minutes_CancelsIt(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        await fx.SaveAsync(JourneyFixture.Template("abandoned_cart"));
        await fx.EventAsync("add_to_cart", "c1", "SKU-LIP");
        fx.Clock.Advance(TimeSpan.FromMinutes(10));
        await fx.PayAsync("c1", "o-1", 19900);
        Assert.Equal("exited", (await fx.EntryAsync("abandoned_cart", "c1"))!.Status);
        fx.Clock.Advance(TimeSpan.FromMinutes(30));
        await fx.Engine.AdvanceAsync(None);
        Assert.Empty(await fx.MessagesAsync("c1"));
        // no coupon was taken from the batch either
        var batch = await Flywheel.Promotions.Storage.CouponLedger.GetBatchAsync(fx.Store, "cart_rescue_10", None);
        Assert.Equal(0, batch!.Issued);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Reentry_OncePer7Days_AndTwoWorkers_NeverRunAnEntryTwice(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        await fx.SaveAsync(JourneyFixture.Template("abandoned_cart"));
        Assert.Equal(1, await fx.EventAsync("add_to_cart", "c2", "SKU-LIP"));
        Assert.Equal(0, await fx.EventAsync("add_to_cart", "c2", "SKU-MASK")); // already in
        fx.Clock.Advance(TimeSpan.FromMinutes(31));
        var other = new JourneyEngine(fx.Store, fx.Campaigns, fx.Directory, fx.Links, fx.Clock, "worker-b") { Coupons = Flywheel.Promotions.PromotionsModule.CouponIssuer(fx.Store) };
        await other.ReloadAsync(None);
        var reports = await Task.WhenAll(fx.Engine.AdvanceAsync(None), other.AdvanceAsync(None));
        Assert.Equal(1, reports.Sum(r => r.Messages));
        Assert.Single(await fx.MessagesAsync("c2"));

        fx.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, await fx.EventAsync("add_to_cart", "c2", "SKU-LIP")); // inside 7 days
        fx.Clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal(1, await fx.EventAsync("add_to_cart", "c2", "SKU-LIP"));
        Assert.Equal(2, (await fx.EntryAsync("abandoned_cart", "c2"))!.Occurrence);
    }

    private const string ReviewJourney = """
        {"id":"review","name":"评价邀请","trigger":{"type":"event","event":"order_paid"},"reentry":{"mode":"always"},
         "start":"split","steps":[
          {"id":"split","type":"split","variants":[{"name":"A","weight":80,"next":"wait"},{"name":"holdout","weight":20,"holdout":true}]},
          {"id":"wait","type":"wait","duration":"7d","next":"invite"},
          {"id":"invite","type":"send","channel":"sms","purpose":"marketing","template":{"text":"{{customer.name}}，订单{{order.id}}已签收，评价得100积分"},"next":"check"},
          {"id":"check","type":"branch","condition":{"event_since_entry":"custom:review_submitted"},"then":"points","else":"done"},
          {"id":"points","type":"add_points","points":100,"reason":"review","next":"done"},
          {"id":"done","type":"exit"}]}
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Split_Branch_AndPoints_FollowTheDefinition(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        var journey = JourneyJson.Parse(ReviewJourney).Value;
        Assert.Empty(JourneyValidator.Validate(journey));
        await fx.SaveAsync(journey);
        foreach (var c in new[] { "c1", "c2", "c3" }) await fx.PayAsync(c, "o-" + c, 10000);
        var first = await fx.Engine.AdvanceAsync(None);
        Assert.True(first.Entries == 3 && first.Errors == 0, first.ToString());
        var variants = new Dictionary<string, string>();
        foreach (var c in new[] { "c1", "c2", "c3" })
        {
            var entry = (await fx.EntryAsync("review", c))!;
            variants[c] = entry.Variant!;
            Assert.Equal(JourneyEngine.PickVariant((SplitStep)journey.Steps[0], "review", c, 1), entry.Variant);
            Assert.Equal(entry.Variant == "holdout" ? "completed" : "active", entry.Status);
        }
        fx.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var reviewer = variants.First(v => v.Value == "A").Key;
        await fx.EventAsync("custom:review_submitted", reviewer);
        await fx.Engine.AdvanceAsync(None);
        foreach (var (c, v) in variants)
        {
            var messages = await fx.MessagesAsync(c);
            if (v == "holdout")
            {
                Assert.Empty(messages);
                continue;
            }
            var sms = Assert.Single(messages);
            Assert.Equal("sms", sms.Channel);
            Assert.Contains("o-" + c, sms.BodyText, StringComparison.Ordinal);
        }
        Assert.Equal(1, await TestStores.CountAsync(fx.Store, "events", $"type = 'custom:points_awarded' AND customer_id = '{reviewer}' AND value = 100"));
        Assert.Equal(1, await TestStores.CountAsync(fx.Store, "events", "type = 'custom:points_awarded'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task WaitUntil_UsesEachCustomersOwnTimeZone(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        var journey = JourneyJson.Parse("""
            {"id":"morning","name":"早安","trigger":{"type":"event","event":"page_view"},"reentry":{"mode":"once_ever"},"start":"w","steps":[
              {"id":"w","type":"wait_until","local_time":"10:00","next":"s"},
              {"id":"s","type":"send","channel":"sms","purpose":"marketing","template":{"text":"早上好 {{customer.name}}"},"next":"x"},
              {"id":"x","type":"exit"}]}
            """).Value;
        await fx.SaveAsync(journey);
        await fx.EventAsync("page_view", "c1");
        await fx.EventAsync("page_view", "c3");
        await fx.Engine.AdvanceAsync(None);
        // 14:00 in Shanghai: next 10:00 Shanghai is tomorrow 02:00 UTC; New York (UTC-5) is at 01:00, its 10:00 is 15:00 UTC today
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 2, 0, 0, TimeSpan.Zero), (await fx.EntryAsync("morning", "c1"))!.DueAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero), (await fx.EntryAsync("morning", "c3"))!.DueAt);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task TemplateThatFailsToRender_RecordsWhy_AndTheJourneyGoesOnForOthers(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        // {{coupon.code}} with no coupon step: the render fails for everyone, each message records the reason
        var journey = JourneyJson.Parse("""
            {"id":"broken","name":"坏模板","trigger":{"type":"event","event":"page_view"},"reentry":{"mode":"always"},"start":"s","steps":[
              {"id":"s","type":"send","channel":"sms","purpose":"marketing","template":{"text":"券码 {{coupon.code}}"},"next":"x"},
              {"id":"x","type":"exit"}]}
            """).Value;
        await fx.SaveAsync(journey);
        await fx.EventAsync("page_view", "c1");
        await fx.EventAsync("page_view", "c2");
        var report = await fx.Engine.AdvanceAsync(None);
        Assert.Equal(2, report.Completed);
        foreach (var c in new[] { "c1", "c2" })
        {
            var m = Assert.Single(await fx.MessagesAsync(c));
            Assert.Equal("suppressed", m.Status);
            Assert.Contains("template failed to render", m.LastError, StringComparison.Ordinal);
            Assert.Contains("coupon.code", m.LastError, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task TriggerFeed_ReadsNewEventsOnce_FromTheCursor(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        await fx.SaveAsync(JourneyFixture.Template("abandoned_cart"));
        var feed = new JourneyTriggerFeed(fx.Store, fx.Engine);
        await feed.InitialiseAsync(None); // history before the journey is not replayed
        await using (var session = await Flywheel.Storage.IngestSession.BeginAsync(fx.Store, "test", "feed", None))
        {
            foreach (var (c, i) in new[] { ("c1", 1), ("c2", 2) })
                session.WriteEvent(new Flywheel.Storage.Contracts.EventRow { EventId = "f" + i, Type = "add_to_cart", Time = fx.Clock.GetUtcNow().ToUnixTimeMilliseconds(), CustomerId = c, Sku = "SKU-LIP" });
            await session.CommitAsync(2, 0, None);
        }
        var first = await feed.PollAsync(None);
        Assert.Equal(2, first.Events);
        Assert.Equal(2, first.Entered);
        var again = await feed.PollAsync(None);
        Assert.Equal(0, again.Events);
        // a restarted process (a new feed over the same store) resumes at the saved cursor
        Assert.Equal(0, (await new JourneyTriggerFeed(fx.Store, fx.Engine).PollAsync(None)).Events);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Results_CountConversions_AndLiftAgainstTheHoldout(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        var journey = JourneyJson.Parse(ReviewJourney).Value;
        await fx.SaveAsync(journey);
        foreach (var c in new[] { "c1", "c2", "c3", "c4" }) await fx.PayAsync(c, "o-" + c, 10000);
        await fx.Engine.AdvanceAsync(None);
        fx.Clock.Advance(TimeSpan.FromDays(1));
        await fx.PayAsync("c1", "o-again", 5000);
        var report = (await CampaignResults.ComputeAsync(fx.Store, fx.Campaigns, "journey", "review", TimeSpan.FromDays(7), None)).Value;
        Assert.Equal(4 + 1, report.Variants.Sum(v => v.Entered)); // the second order entered c1 again (reentry always)
        Assert.True(report.Variants.Sum(v => v.Converted) >= 4);
        Assert.Equal(report.Variants.Sum(v => v.Revenue), report.Variants.Sum(v => v.Revenue));
        var control = new VariantResult("holdout", true, 1000, 100, 0, 0.10);
        var treated = new VariantResult("A", false, 1000, 150, 0, 0.15);
        var lift = CampaignResults.LiftOf(treated, control);
        Assert.Equal(5.0, lift.DifferencePoints, 6);
        Assert.True(lift.LowPoints > 2.0 && lift.LowPoints < 2.2, lift.LowPoints.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(lift.Significant);
        Assert.Equal(50.0, lift.RelativePercent!.Value, 6);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ScheduleTrigger_EntersTheAudienceOncePerDay_OnTheListedDaysAfterTheTime(string engine)
    {
        // the audience rule is answered by a stand-in matcher: c1 and c3 match
        RuleMatcher rules = (rule, customer, _) => ValueTask.FromResult(rule == "gmv(90d) >= 100" && customer is "c1" or "c3");
        await using var fx = await JourneyFixture.OpenAsync(engine, rules);
        var journey = JourneyJson.Parse("""
            {"id":"friday","name":"周五上新","trigger":{"type":"schedule","at":"15:00","days":["fri"],"audience":"gmv(90d) >= 100"},
             "reentry":{"mode":"always"},"start":"s","steps":[
              {"id":"s","type":"send","channel":"sms","purpose":"marketing","template":{"text":"周五上新 {{customer.name}}"},"next":"x"},{"id":"x","type":"exit"}]}
            """).Value;
        var engineWithRules = new JourneyEngine(fx.Store, fx.Campaigns, fx.Directory, fx.Links, fx.Clock, "w-s", rules) { Coupons = Flywheel.Promotions.PromotionsModule.CouponIssuer(fx.Store) };
        await fx.SaveAsync(journey);
        await engineWithRules.ReloadAsync(None);
        Assert.Equal(0, await engineWithRules.SweepSchedulesAsync(None)); // 14:00 on a Friday: not yet
        fx.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5));
        Assert.Equal(2, await engineWithRules.SweepSchedulesAsync(None));
        Assert.Equal(0, await engineWithRules.SweepSchedulesAsync(None)); // once a day, even with reentry "always"
        await engineWithRules.AdvanceAsync(None);
        Assert.Single(await fx.MessagesAsync("c1"));
        Assert.Single(await fx.MessagesAsync("c3"));
        Assert.Empty(await fx.MessagesAsync("c2"));
        fx.Clock.Advance(TimeSpan.FromDays(1)); // Saturday: not a listed day
        Assert.Equal(0, await engineWithRules.SweepSchedulesAsync(None));
        fx.Clock.Advance(TimeSpan.FromDays(6)); // next Friday
        Assert.Equal(2, await engineWithRules.SweepSchedulesAsync(None));
    }
}
