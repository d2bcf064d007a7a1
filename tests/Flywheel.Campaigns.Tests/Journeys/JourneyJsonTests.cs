using System.Text.Json.Nodes;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Journeys;

namespace Flywheel.Campaigns.Tests.Journeys;

public sealed class JourneyJsonTests
{
    [Fact]
    public void Parses_every_part_of_the_sample()
    {
        var j = Samples.Journey();
        Assert.Equal("abandoned_cart_test", j.Id);
        Assert.Equal("购物车催付 / Abandoned cart", j.Name);
        Assert.Equal(new EventTrigger("add_to_cart", "order_paid", TimeSpan.FromMinutes(30)), j.Trigger);
        Assert.Equal(new ReentryRule(ReentryMode.OncePer, TimeSpan.FromDays(7)), j.Reentry);
        Assert.Equal([new ExitOnEvent("order_paid"), new ExitOnSegment("orders(30d) >= 3")], j.ExitWhen);
        Assert.Equal("consent(\"email\")", j.Conditions);
        Assert.Equal("wait_30m", j.Start);
        Assert.Equal(9, j.Steps.Count);
        Assert.Equal(new WaitStep("wait_30m", TimeSpan.FromMinutes(30), "coupon"), j.Steps[0]);
        Assert.Equal(new IssueCouponStep("coupon", "cart_rescue_10", "split"), j.Steps[1]);
        var split = Assert.IsType<SplitStep>(j.Steps[2]);
        Assert.Equal([new SplitVariant("A", 45, "send"), new SplitVariant("B", 45, "send_b"), new SplitVariant("holdout", 10, null, Holdout: true)], split.Variants);
        var send = Assert.IsType<SendStep>(j.Steps[3]);
        Assert.Equal(ChannelKind.Email, send.Channel);
        Assert.Equal(MessagePurpose.Marketing, send.Purpose);
        Assert.Equal("您的购物车还在等您 {{customer.name}}", send.Template!.Subject);
        var sms = Assert.IsType<SendStep>(j.Steps[4]);
        Assert.Equal((ChannelKind.Sms, MessagePurpose.Transactional, (string?)null), (sms.Channel, sms.Purpose, sms.Template!.Subject));
        Assert.Equal(new BranchStep("branch", new EventSinceEntryCondition("order_paid"), "points", "wait_morning"), j.Steps[5]);
        Assert.Equal(new WaitUntilStep("wait_morning", "10:00", "exit"), j.Steps[6]);
        Assert.Equal(new AddPointsStep("points", 100, "review", "exit"), j.Steps[7]);
        Assert.Equal(new ExitStep("exit"), j.Steps[8]);
    }

    [Fact]
    public void Write_round_trips()
    {
        var j = Samples.Journey();
        var written = JourneyJson.Write(j);
        var again = JourneyJson.Parse(written);
        Assert.True(again.IsSuccess, again.Error?.ToString());
        Assert.Equal(written, JourneyJson.Write(again.Value));
        Assert.Equal(j.Trigger, again.Value.Trigger);
        Assert.Equal(j.Steps.Where(s => s is not SplitStep), again.Value.Steps.Where(s => s is not SplitStep));
        // Chinese stays readable, snake_case names, durations as text.
        Assert.Contains("购物车催付", written, StringComparison.Ordinal);
        Assert.Contains("\"exit_when\"", written, StringComparison.Ordinal);
        Assert.Contains("\"duration\": \"30m\"", written, StringComparison.Ordinal);
        Assert.Contains("\"every\": \"7d\"", written, StringComparison.Ordinal);
        Assert.Contains("\"event_since_entry\": \"order_paid\"", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_trigger_type_round_trips()
    {
        Trigger[] triggers =
        [
            new EventTrigger("order_paid"),
            new SegmentEntryTrigger("vip"),
            new SegmentExitTrigger("vip"),
            new LifecycleTrigger("at_risk", "active"),
            new DateTrigger(DateAttribute.Birthday, DaysBefore: 3),
            new DateTrigger(DateAttribute.FirstOrder, DaysAfter: 0),
        ];
        foreach (var trigger in triggers)
        {
            var j = Samples.Journey() with { Trigger = trigger };
            var back = JourneyJson.Parse(JourneyJson.Write(j, indented: false));
            Assert.True(back.IsSuccess, back.Error?.ToString());
            Assert.Equal(trigger, back.Value.Trigger);
        }
        var schedule = new ScheduleTrigger("10:00", [DayOfWeek.Monday, DayOfWeek.Wednesday], "consent(\"sms\")");
        var parsed = JourneyJson.Parse(JourneyJson.Write(Samples.Journey() with { Trigger = schedule })).Value.Trigger;
        var s = Assert.IsType<ScheduleTrigger>(parsed);
        Assert.Equal(("10:00", "consent(\"sms\")"), (s.At, s.Audience));
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Wednesday], s.Days);
        Assert.Contains("\"days\":[\"mon\",\"wed\"]", JourneyJson.Write(Samples.Journey() with { Trigger = schedule }, indented: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_reentry_once_ever_and_no_exits()
    {
        var node = Samples.Node();
        node.Remove("reentry");
        node.Remove("exit_when");
        var j = JourneyJson.Parse(node.ToJsonString()).Value;
        Assert.Equal(ReentryRule.OnceEver, j.Reentry);
        Assert.Empty(j.ExitWhen);
    }

    [Theory]
    [InlineData("30m", 30)]
    [InlineData("2h", 120)]
    [InlineData("7d", 10080)]
    [InlineData("1w", 10080)]
    [InlineData("-1h", -60)]
    public void Durations(string text, int minutes)
    {
        Assert.True(JourneyDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMinutes(minutes), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("m")]
    [InlineData("1.5h")]
    [InlineData("3s")]
    [InlineData("-h")]
    [InlineData("30 m")]
    public void Bad_durations(string text) => Assert.False(JourneyDuration.TryParse(text, out _));

    [Fact]
    public void Duration_format_is_shortest() =>
        Assert.Equal(["30m", "2h", "7d", "90m", "-1h"], new[] { 30, 120, 10080, 90, -60 }.Select(m => JourneyDuration.Format(TimeSpan.FromMinutes(m))));

    [Theory]
    [InlineData("steps[0].duration", "\"soon\"", "$.steps[0].duration", "a duration is a whole number and a unit")]
    [InlineData("steps[3].channel", "\"fax\"", "$.steps[3].channel", "unknown channel \"fax\" (expected email, sms, wecom, webhook)")]
    [InlineData("steps[3].purpose", "\"spam\"", "$.steps[3].purpose", "unknown purpose")]
    [InlineData("steps[0].type", "\"sleep\"", "$.steps[0].type", "unknown type \"sleep\"")]
    [InlineData("trigger.type", "\"webhook\"", "$.trigger.type", "unknown type")]
    [InlineData("steps[7].points", "\"lots\"", "$.steps[7].points", "points is a whole number")]
    [InlineData("steps[7].points", "1.5", "$.steps[7].points", "points is a whole number")]
    [InlineData("steps[2].variants[0].holdout", "\"yes\"", "$.steps[2].variants[0].holdout", "holdout is true or false")]
    [InlineData("steps[1].colour", "\"red\"", "$.steps[1].colour", "unknown property \"colour\"")]
    [InlineData("reentry.mode", "\"twice\"", "$.reentry.mode", "unknown mode")]
    [InlineData("name", "42", "$.name", "expected a string")]
    [InlineData("steps", "{}", "$.steps", "expected a list")]
    public void Shape_errors_name_the_path(string field, string json, string path, string message)
    {
        var node = Samples.Node();
        Set(node, field, JsonNode.Parse(json));
        var parsed = JourneyJson.Parse(node.ToJsonString());
        Assert.False(parsed.IsSuccess);
        Assert.Equal(path, parsed.Error!.Path);
        Assert.Contains(message, parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_next_and_required_fields()
    {
        var node = Samples.Node();
        node.Step(6).Remove("next");
        Assert.Equal("$.steps[6].next", JourneyJson.Parse(node.ToJsonString()).Error!.Path);
        node = Samples.Node();
        node.Remove("start");
        Assert.Equal("$.start: start is required", JourneyJson.Parse(node.ToJsonString()).Error!.ToString());
        node = Samples.Node();
        node["exit_when"]![0]!.AsObject()["segment"] = "x";
        Assert.Equal("$.exit_when[0]", JourneyJson.Parse(node.ToJsonString()).Error!.Path);
    }

    [Fact]
    public void Not_json_is_an_error_at_the_root()
    {
        var parsed = JourneyJson.Parse("{ \"id\": ");
        Assert.Equal("$", parsed.Error!.Path);
        Assert.StartsWith("not valid JSON", parsed.Error.Message, StringComparison.Ordinal);
        Assert.Equal("$", JourneyJson.Parse("[]").Error!.Path);
        Assert.Equal("$", JourneyJson.Parse("null").Error!.Path);
        Assert.False(JourneyJson.Parse(Samples.Json.Replace("\"start\": \"wait_30m\",", "\"start\": \"wait_30m\", \"start\": \"coupon\",", StringComparison.Ordinal)).IsSuccess);
    }

    [Fact]
    public void Parse_and_validate_reports_the_first_validation_error()
    {
        var node = Samples.Node();
        node.Step(0)["duration"] = "-1h";
        var parsed = JourneyJson.ParseAndValidate(node.ToJsonString(), Samples.Context);
        Assert.Equal("$.steps[0].duration: a wait is positive: \"-1h\" / 时长须为正", parsed.Error!.ToString());
        Assert.True(JourneyJson.ParseAndValidate(Samples.Json, Samples.Context).IsSuccess);
    }

    internal static void Set(JsonObject root, string dotted, JsonNode? value)
    {
        JsonNode current = root;
        var parts = dotted.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            var last = i == parts.Length - 1;
            if (bracket < 0)
            {
                if (last) current.AsObject()[name] = value;
                else current = current[name]!;
                continue;
            }
            var index = int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (last) current[name]!.AsArray()[index] = value;
            else current = current[name]![index]!;
        }
    }
}
