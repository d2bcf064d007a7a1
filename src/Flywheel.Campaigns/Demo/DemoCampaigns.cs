using System.Globalization;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Storage;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Campaigns.Demo;

/// <summary>
/// What a demo store (<c>flywheel demo</c>) has to engage with: the journey 新客首单关怀 (a thank-you email a day after a
/// customer's first order, with a 10% holdout) and the broadcast 双11 预热 (an email to everyone on 1 November, 10% held out).
/// The journey is saved paused and the broadcast planned but not enqueued, so a demo sends nothing until someone activates
/// or plans it.
/// </summary>
internal static class DemoCampaigns
{
    public const string JourneyId = "first_order_care";
    public const string BroadcastId = "d11_warmup";

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
    public static async Task<Result<int>> AddAsync(FlywheelStore store, TimeProvider time, CancellationToken ct)
    {
        var campaigns = new CampaignStore(store, time);
        if (!JourneyJson.ParseAndValidate(Journey).TryGetValue(out var journey, out var invalid)) return invalid;
        var saved = await campaigns.SaveJourneyAsync(new JourneyDraft(journey.Id, journey.Name, JourneyJson.Write(journey, indented: false), "paused"), null, ct);
        if (!saved.IsSuccess) return saved.Error!;
        if (!BroadcastDefinition.Parse(Broadcast(time.GetUtcNow())).TryGetValue(out var broadcast, out invalid)) return invalid;
        var planned = await campaigns.SaveBroadcastAsync(new BroadcastDraft(BroadcastId, broadcast.Name, broadcast.ToJson(), broadcast.Segment), ct);
        return planned.IsSuccess ? 2 : planned.Error!;
    }
}
