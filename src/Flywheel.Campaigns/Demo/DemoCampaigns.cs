using System.Globalization;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Experiments.Contracts;
using Flywheel.Primitives;
using Flywheel.Storage;
using NodaTime;

namespace Flywheel.Campaigns.Demo;

/// <summary>
/// What a demo store (<c>flywheel demo</c>) has to engage with: the journey 新客首单关怀 (a thank-you email a day after a
/// customer's first order, with a 10% holdout) and the broadcast 双11 预热 (an email to everyone on 1 November, 10% held out).
/// The journey is saved paused and the broadcast planned but not enqueued, so a demo sends nothing until someone activates
/// or plans it. Beside them, one campaign already run: the broadcast 双11 预热短信 (an SMS to the store's potential customers,
/// 10% held out) sent in the demo's past, so its results and lift come from the demo's own orders (see <see cref="RunPastAsync"/>).
/// </summary>
internal static class DemoCampaigns
{
    public const string JourneyId = "first_order_care";
    public const string BroadcastId = "d11_warmup";
    public const string PastBroadcastId = "d11_warmup_sms";

    /// <summary>The saved set the past broadcast went to: the RFM group of customers worth growing, as of its send day.</summary>
    public const string PastSegment = "potential";

    public const string Journey = """
        {"id":"first_order_care","name":"新客首单关怀",
         "description":"客户完成首单成为新客：一天后发送感谢邮件；一成留作对照组以衡量增量。(A day after a customer's first order, a thank-you email; 10% held out to measure the lift.)",
         "trigger":{"type":"lifecycle","to":"new"},"reentry":{"mode":"once_ever"},"conditions":"consent(\"email\")","start":"split",
         "steps":[
          {"id":"split","type":"split","variants":[{"name":"treatment","weight":90,"next":"wait_1d"},{"name":"holdout","weight":10,"holdout":true}]},
          {"id":"wait_1d","type":"wait","duration":"1d","next":"thanks_email"},
          {"id":"thanks_email","type":"send","channel":"email","purpose":"marketing",
           "template":{"subject":"{{customer.name}}，感谢您的首单！","text":"{{customer.name}}，感谢您在我们店的第一笔订单。使用中有任何问题，回复本邮件即可。\n退订：{{unsubscribe_url}}"},
           "next":"exit"},
          {"id":"exit","type":"exit"}]}
        """;

    /// <summary>The 双11 warm-up on 1 November 10:00 China time of the year that has not reached it yet.</summary>
    public static string Broadcast(DateTimeOffset now)
    {
        var china = now.ToOffset(TimeSpan.FromHours(8));
        var sendAt = new DateTimeOffset(china.Year, 11, 1, 10, 0, 0, TimeSpan.FromHours(8));
        if (sendAt <= china) sendAt = sendAt.AddYears(1);
        return new JsonObject
        {
            ["name"] = "双11 预热", ["segment"] = "all", ["channel"] = "email", ["purpose"] = "marketing",
            ["template"] = new JsonObject
            {
                ["subject"] = "{{customer.name}}，双11 预热开始",
                ["text"] = "{{customer.name}}，双11 预热已开始，收藏加购享早鸟价。\n退订：{{unsubscribe_url}}",
            },
            ["send_at"] = sendAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["rate_per_minute"] = 6000, ["holdout_percent"] = 10, ["campaign"] = "d11_warmup",
        }.ToJsonString();
    }

    /// <summary>Saves the journey (paused) and the broadcast (planned); the first refusal, if any.</summary>
    public static async Task<Result<int>> AddAsync(FlywheelStore store, TimeProvider time, CancellationToken ct,
        Func<TimeProvider, CancellationToken, Task<(IExperimentAssignments Assignments, string Experiment)>>? experiment = null)
    {
        var campaigns = new CampaignStore(store, time);
        if (!JourneyJson.ParseAndValidate(Journey).TryGetValue(out var journey, out var invalid)) return invalid;
        var saved = await campaigns.SaveJourneyAsync(new JourneyDraft(journey.Id, journey.Name, JourneyJson.Write(journey, indented: false), "paused"), null, ct);
        if (!saved.IsSuccess) return saved.Error!;
        if (!BroadcastDefinition.Parse(Broadcast(time.GetUtcNow())).TryGetValue(out var broadcast, out invalid)) return invalid;
        var planned = await campaigns.SaveBroadcastAsync(new BroadcastDraft(BroadcastId, broadcast.Name, broadcast.ToJson(), broadcast.Segment), ct);
        if (!planned.IsSuccess) return planned.Error!;
        var past = await RunPastAsync(store, time, ct, experiment);
        return past.TryGetValue(out var ran, out var error) ? 2 + ran : error;
    }

    /// <summary>
    /// The day the past broadcast went out: 35 days before the store's today when the orders go back 45 days or more (so a
    /// week's attribution window and the weeks after are in the data), else the middle of the orders' days; null when the
    /// orders span less than two days (or there are none).
    /// </summary>
    public static async Task<LocalDate?> PastSendDayAsync(FlywheelStore store, DateTimeZone zone, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MIN(paid_at) FROM orders WHERE paid_at IS NOT NULL";
        if (await command.ExecuteScalarAsync(ct) is not { } value || value is DBNull) return null;
        var first = Instant.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture)).InZone(zone).Date;
        var today = Instant.FromDateTimeOffset(now).InZone(zone).Date;
        var span = Period.DaysBetween(first, today);
        if (span < 2) return null;
        return span >= 45 ? today.PlusDays(-35) : first.PlusDays(span / 2);
    }

    /// <summary>The coupon text the demo experiment's variant b sends instead of the early-bird text.</summary>
    public const string CouponText = "【飞轮好物】{{customer.name}}，双11 限时券已到账：满299减40，48小时内有效。回T退订";

    /// <summary>
    /// The past SMS broadcast's definition: at 10:00 store time on <paramref name="day"/>, 10% held out — by itself, or, when it names
    /// <paramref name="experiment"/> (whose holdout is the control group), with the variant <c>b</c> sending <see cref="CouponText"/>.
    /// </summary>
    public static string PastBroadcast(LocalDate day, DateTimeZone zone, string? experiment = null)
    {
        var sendAt = day.At(new LocalTime(10, 0)).InZoneLeniently(zone).ToDateTimeOffset();
        var o = new JsonObject
        {
            ["name"] = "双11 预热短信", ["segment"] = PastSegment, ["channel"] = "sms", ["purpose"] = "marketing",
            ["template"] = new JsonObject { ["text"] = "【飞轮好物】{{customer.name}}，双11 预热开启，收藏加购享早鸟价。回T退订" },
            ["send_at"] = sendAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["campaign"] = "d11_warmup_sms",
        };
        if (experiment is null) o["holdout_percent"] = 10;
        else
        {
            o["experiment"] = experiment;
            o["variants"] = new JsonObject { ["b"] = new JsonObject { ["template"] = new JsonObject { ["text"] = CouponText } } };
        }
        return o.ToJsonString();
    }

    /// <summary>
    /// Runs the broadcast 双11 预热短信 in the demo's past with the real engine on a clock set back to its send day: the
    /// planner resolves its segment as of that day, holds out 10% and queues the rest; the dispatcher sends them (consent,
    /// suppression, quiet hours and caps as in production) through a channel that records each delivery and reaches no one;
    /// then the broadcast is done. Its results are what the stats query makes of the demo's orders. 0 when the orders are
    /// too short to hold a past send day, else 1.
    /// </summary>
    public static async Task<Result<int>> RunPastAsync(FlywheelStore store, TimeProvider time, CancellationToken ct,
        Func<TimeProvider, CancellationToken, Task<(IExperimentAssignments Assignments, string Experiment)>>? experiment = null)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? CustomerDirectory.DefaultZone;
        if (await PastSendDayAsync(store, zone, time.GetUtcNow(), ct) is not { } day) return 0;
        if (!BroadcastDefinition.Parse(PastBroadcast(day, zone)).TryGetValue(out var definition, out var invalid)) return invalid;
        var clock = new PastClock(definition.SendAt!.Value.AddMinutes(-30));
        // The experiment starts when the broadcast is planned, on the demo's clock, so its exposures are the planner's assignments.
        var started = experiment is null ? default((IExperimentAssignments Assignments, string Experiment)?) : await experiment(clock, ct);
        var json = PastBroadcast(day, zone, started?.Experiment);
        var campaigns = new CampaignStore(store, clock);
        var links = await TrackingLinks.ForStoreAsync(store, new CampaignsOptions().PublicBaseUrl, ct);
        var planner = new BroadcastPlanner(store, campaigns, links, clock) { Experiments = started?.Assignments };
        var created = await planner.CreateAsync(PastBroadcastId, json, ct);
        if (!created.IsSuccess) return created.Error!;
        var planned = await planner.PlanAsync(PastBroadcastId, ct);
        if (!planned.IsSuccess) return planned.Error!;

        clock.Now = definition.SendAt.Value;
        var dispatcher = new Dispatcher(campaigns, new ChannelRegistry([new RecordingChannel(ChannelKind.Sms)]), new CustomerDirectory(store),
            new SendPolicy { BatchSize = 1_000, Concurrency = 4 }, clock, "demo");
        while (true)
        {
            var report = await dispatcher.RunOnceAsync(ct);
            if (report.Errors > 0) return Error.Invalid("demo", $"the demo broadcast's dispatch failed: {string.Join("; ", report.ErrorMessages)}");
            if (report.Claimed > 0) continue;
            // Nothing due now: move the clock to the next message still waiting (one deferred past a customer's quiet hours).
            if (await NextDueAsync(store, ct) is not { } next) break;
            clock.Now = next > clock.Now ? next : clock.Now.AddMinutes(1);
        }
        var done = await campaigns.SetBroadcastStatusAsync(PastBroadcastId, "done", "sending", ct);
        return done.IsSuccess ? 1 : done.Error!;
    }

    private static async Task<DateTimeOffset?> NextDueAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MIN(due_at) FROM messages WHERE source_kind = 'broadcast' AND source_id = @id AND status IN ('queued', 'failed')";
        command.AddParameter("@id", PastBroadcastId);
        return await command.ExecuteScalarAsync(ct) is { } value and not DBNull
            ? DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>The demo's clock, set back to the past broadcast's day and moved forward by hand.</summary>
    private sealed class PastClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A channel that accepts every message and reaches no one: the demo's send log is its only trace.</summary>
    private sealed class RecordingChannel(ChannelKind kind) : IChannel
    {
        public ChannelKind Kind => kind;

        public Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct) =>
            Task.FromResult(DeliveryResult.Delivered("demo:" + message.IdempotencyKey));
    }
}
