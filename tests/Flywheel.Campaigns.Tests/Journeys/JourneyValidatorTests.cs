using System.Text.Json.Nodes;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Journeys;
using static Flywheel.Campaigns.Tests.Journeys.Samples;

namespace Flywheel.Campaigns.Tests.Journeys;

public sealed class JourneyValidatorTests
{
    [Fact]
    public void The_sample_is_valid()
    {
        Assert.Empty(JourneyValidator.Validate(Journey(), Context));
        Assert.Empty(JourneyValidator.Validate(Journey()));
    }

    [Fact]
    public void Duplicate_step_ids()
    {
        var errors = Errors(j => j.Step(7)["id"] = "send");
        // The second "send" is reported; "points" is gone, so the branch's then now points at an unknown step.
        Assert.Contains(errors, e => e.Path == "$.steps[7].id" && e.Message.Contains("duplicate step id \"send\" (also $.steps[3])", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "$.steps[5].then" && e.Message.Contains("unknown step \"points\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_targets()
    {
        Single(Errors(j => j.Step(6)["next"] = "nowhere"), "$.steps[6].next", "unknown step \"nowhere\" / 找不到步骤");
        var errors = Errors(j => j.Step(5)["else"] = "nowhere");
        Assert.Contains(errors, e => e.Path == "$.steps[5].else" && e.Message.StartsWith("unknown step \"nowhere\"", StringComparison.Ordinal));
        // wait_morning is now unreachable too.
        Assert.Contains(errors, e => e.Path == "$.steps[6]" && e.Message.Contains("cannot be reached", StringComparison.Ordinal));
        Assert.Contains(Errors(j => j.Step(2)["variants"]![1]!["next"] = "gone"), e => e.Path == "$.steps[2].variants[1].next");
    }

    [Fact]
    public void Unknown_start()
    {
        var errors = Errors(j => j["start"] = "begin");
        Assert.Equal("$.start", Assert.Single(errors).Path);
    }

    [Fact]
    public void A_cycle_is_reported_with_its_path()
    {
        // points -> exit becomes points -> wait_30m: wait_30m -> coupon -> split -> send -> branch -> points -> wait_30m.
        var errors = Errors(j => j.Step(7)["next"] = "wait_30m");
        var error = Single(errors, "$.steps[7].next", "the steps form a cycle: wait_30m -> coupon -> split -> send -> branch -> points -> wait_30m");
        Assert.Equal("invalid", error.Code);
    }

    [Fact]
    public void A_two_step_cycle()
    {
        const string json = """
        { "id": "loop", "name": "loop", "trigger": { "type": "event", "event": "login" }, "start": "a",
          "steps": [ { "id": "a", "type": "wait", "duration": "1d", "next": "b" }, { "id": "b", "type": "wait", "duration": "1d", "next": "a" } ] }
        """;
        var errors = JourneyValidator.Validate(JourneyJson.Parse(json).Value, Context);
        Single(errors, "$.steps[1].next", "a -> b -> a");
        Assert.False(new JourneyGraph(JourneyJson.Parse(json).Value).TopologicalOrder().IsSuccess);
    }

    [Fact]
    public void A_self_loop()
    {
        var errors = Errors(j => j.Step(6)["next"] = "wait_morning");
        Single(errors, "$.steps[6].next", "wait_morning -> wait_morning");
    }

    [Fact]
    public void Unreachable_step()
    {
        var errors = Errors(j => j["steps"]!.AsArray().Add(JsonNode.Parse("""{ "id": "orphan", "type": "exit" }""")));
        Single(errors, "$.steps[9]", "step \"orphan\" cannot be reached from start \"wait_30m\"");
    }

    [Theory]
    [InlineData("trigger.event", "add_to_kart", "$.trigger.event")]
    [InlineData("trigger.unless", "order-paid", "$.trigger.unless")]
    [InlineData("exit_when[0].event", "paid", "$.exit_when[0].event")]
    [InlineData("steps[5].condition.event_since_entry", "custom:", "$.steps[5].condition.event_since_entry")]
    [InlineData("steps[5].condition.event_since_entry", "custom:Review", "$.steps[5].condition.event_since_entry")]
    public void Unknown_event_types(string field, string value, string path)
    {
        var error = Single(Errors(j => JourneyJsonTests.Set(j, field, value)), path, $"unknown event type \"{value}\"");
        Assert.Contains("custom:<name>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_events_are_valid() =>
        Assert.Empty(Errors(j => j.Step(5)["condition"]!["event_since_entry"] = "custom:review_submitted"));

    [Fact]
    public void The_event_type_check_is_the_contexts()
    {
        var strict = Context with { IsValidEventType = t => t == "order_paid" };
        Single(Errors(_ => { }, strict), "$.trigger.event", "unknown event type \"add_to_cart\"");
    }

    [Theory]
    [InlineData("-1h", "a wait is positive: \"-1h\"")]
    [InlineData("0m", "a wait is positive: \"0m\"")]
    [InlineData("366d", "a wait is at most 365d: \"366d\"")]
    [InlineData("53w", "a wait is at most 365d: \"371d\"")]
    public void Bad_waits(string duration, string message) =>
        Single(Errors(j => j.Step(0)["duration"] = duration), "$.steps[0].duration", message);

    [Fact]
    public void A_year_is_the_longest_wait() => Assert.Empty(Errors(j => j.Step(0)["duration"] = "365d"));

    [Theory]
    [InlineData("10")]
    [InlineData("25:00")]
    [InlineData("9:30")]
    [InlineData("10:00:00")]
    [InlineData("ten")]
    public void Wait_until_needs_hh_mm(string time) =>
        Single(Errors(j => j.Step(6)["local_time"] = time), "$.steps[6].local_time", $"a local time is HH:mm (24-hour), e.g. \"10:00\": \"{time}\"");

    [Fact]
    public void Wait_until_has_exactly_one_target()
    {
        Single(Errors(j => j.Step(6)["event_property"] = "balance_starts_at"), "$.steps[6]", "exactly one of local_time");
        Single(Errors(j => j.Step(6).Remove("local_time")), "$.steps[6]", "exactly one of local_time");
        Assert.Empty(Errors(j =>
        {
            j.Step(6).Remove("local_time");
            j.Step(6)["event_property"] = "balance_starts_at";
        }));
        Single(Errors(j =>
        {
            j.Step(6).Remove("local_time");
            j.Step(6)["event_property"] = "balance_starts_at";
            j["trigger"] = new JsonObject { ["type"] = "lifecycle", ["to"] = "new" };
        }), "$.steps[6].event_property", "event_property reads the trigger event, but this journey's trigger is lifecycle");
    }

    [Fact]
    public void A_journey_without_a_send_step_is_fine()
    {
        const string json = """
        { "id": "points_only", "name": "积分", "trigger": { "type": "event", "event": "custom:review_submitted" }, "start": "points",
          "steps": [ { "id": "points", "type": "add_points", "points": 50, "next": "done" }, { "id": "done", "type": "exit" } ] }
        """;
        Assert.Empty(JourneyValidator.Validate(JourneyJson.Parse(json).Value, Context));
    }

    [Fact]
    public void Split_weights_sum_to_100()
    {
        var zero = Errors(j => j.Step(2)["variants"]![2]!["weight"] = 0);
        Assert.Equal(["$.steps[2].variants[2].weight", "$.steps[2].variants"], zero.Select(e => e.Path));
        Assert.Contains("a weight is 1-100, not 0", zero[0].Message, StringComparison.Ordinal);
        var errors = Errors(j => j.Step(2)["variants"]!.AsArray().RemoveAt(2));
        Single(errors, "$.steps[2].variants", "split weights sum to 100, not 90");
    }

    [Fact]
    public void A_split_without_holdout_is_fine_and_holdout_has_no_next()
    {
        Assert.Empty(Errors(j =>
        {
            j.Step(2)["variants"]!.AsArray().RemoveAt(2);
            j.Step(2)["variants"]![0]!["weight"] = 55;
        }));
        Single(Errors(j => j.Step(2)["variants"]![2]!["next"] = "exit"), "$.steps[2].variants[2].next", "a holdout variant ends the journey");
        var noNext = Errors(j => j.Step(2)["variants"]![1]!.AsObject().Remove("next"));
        Assert.Equal(["$.steps[2].variants[1].next", "$.steps[4]"], noNext.Select(e => e.Path)); // send_b is unreachable now
        Assert.Contains("a variant needs next", noNext[0].Message, StringComparison.Ordinal);
        var twoHoldouts = Errors(j => j.Step(2)["variants"]![1]!["holdout"] = true);
        Assert.Contains(twoHoldouts, e => e.Path == "$.steps[2].variants" && e.Message.Contains("at most one holdout", StringComparison.Ordinal));
        Assert.Contains(twoHoldouts, e => e.Path == "$.steps[2].variants[1].next");
        Single(Errors(j => j.Step(2)["variants"]![1]!["name"] = "A"), "$.steps[2].variants[1].name", "duplicate variant name \"A\"");
    }

    [Fact]
    public void A_send_needs_a_template()
    {
        Single(Errors(j => j.Step(4).Remove("template")), "$.steps[4].template", "a send step needs a template");
        Single(Errors(j => j.Step(3)["template"]!.AsObject().Remove("subject")), "$.steps[3].template.subject", "an email needs a subject");
        Single(Errors(j => j.Step(4)["template"]!["text"] = " "), "$.steps[4].template.text", "text is required");
        Single(Errors(j => j.Step(4)["template"]!["html"] = "<p>x</p>"), "$.steps[4].template.html", "html is for email and webhook, not sms");
    }

    [Fact]
    public void An_unknown_channel_in_code_is_reported()
    {
        var journey = Journey();
        var steps = journey.Steps.ToArray();
        steps[4] = ((SendStep)steps[4]) with { Channel = (ChannelKind)42 };
        Assert.Contains(JourneyValidator.Validate(journey with { Steps = steps }, Context), e => e.Path == "$.steps[4].channel" && e.Message.StartsWith("unknown channel", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_template_variables()
    {
        var error = Single(Errors(j => j.Step(3)["template"]!["subject"] = "{{customer.nmae}}，您好"), "$.steps[3].template.subject", "unknown template variable {{customer.nmae}}");
        Assert.Contains("customer.name", error.Message, StringComparison.Ordinal);
        Single(Errors(j => j.Step(4)["template"]!["text"] = "{{coupon.code}} {{coupon.cod}} {{totl}}"), "$.steps[4].template.text", "unknown template variables {{coupon.cod}}, {{totl}}");
        Single(Errors(j => j.Step(3)["template"]!["html"] = "{{rmb cart.total}}"), "$.steps[3].template.html", "{{rmb}}");
    }

    [Fact]
    public void The_template_check_is_the_contexts()
    {
        var engine = Context with { UnknownVariables = text => text.Contains("券码", StringComparison.Ordinal) ? ["engine_says_no"] : [] };
        Single(Errors(_ => { }, engine), "$.steps[4].template.text", "{{engine_says_no}}");
    }

    [Fact]
    public void Segment_rules_that_do_not_compile()
    {
        var error = Single(Errors(j => j["conditions"] = "consent(\"email\" and"), "$.conditions", "the segment rule does not compile: line 1, column");
        Assert.NotNull(error);
        Single(Errors(j => j["exit_when"]![1]!["segment"] = "no_such_field > 3"), "$.exit_when[1].segment", "does not compile");
        Single(Errors(j => j.Step(5)["condition"] = new JsonObject { ["segment"] = "orders(30d) >=" }), "$.steps[5].condition.segment", "does not compile");
        // Without a compiler rules are only checked to be non-empty.
        Assert.Empty(Errors(j => j["conditions"] = "consent(\"email\" and", Samples.Context with { CompileRule = null }));
        Single(Errors(j => j["conditions"] = " ", Samples.Context with { CompileRule = null }), "$.conditions", "a segment rule is required");
    }

    [Fact]
    public void Coupons_and_points()
    {
        Single(Errors(j => j.Step(1)["batch"] = ""), "$.steps[1].batch", "batch names a coupon batch");
        Single(Errors(_ => { }, Context with { CouponBatchExists = b => b == "other" }), "$.steps[1].batch", "unknown coupon batch \"cart_rescue_10\"");
        Single(Errors(j => j.Step(7)["points"] = 0), "$.steps[7].points", "points are positive, not 0");
        Single(Errors(j => j.Step(7)["points"] = -5), "$.steps[7].points", "points are positive, not -5");
    }

    [Fact]
    public void Trigger_checks()
    {
        Single(Errors(j => j["trigger"]!.AsObject().Remove("within")), "$.trigger.within", "unless needs within");
        Single(Errors(j => j["trigger"]!["within"] = "400d"), "$.trigger.within", "within is at most 365d");
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "lifecycle", ["to"] = "sleeping" }), "$.trigger.to", "unknown lifecycle stage \"sleeping\"");
        Assert.Empty(Errors(j => j["trigger"] = new JsonObject { ["type"] = "lifecycle", ["to"] = "at_risk", ["from"] = "active" }));
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "date", ["attribute"] = "birthday", ["days_after"] = 1 }), "$.trigger.days_after", "days_before, not days_after");
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "date", ["attribute"] = "first_order", ["days_after"] = 400 }), "$.trigger.days_after", "0-365");
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "schedule", ["at"] = "7pm", ["audience"] = "consent(\"sms\")" }), "$.trigger.at", "HH:mm");
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "schedule", ["at"] = "19:00", ["audience"] = "bogus((" }), "$.trigger.audience", "does not compile");
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "segment_entry", ["segment"] = "vip" }, Context with { SegmentExists = s => s == "vvip" }), "$.trigger.segment", "unknown segment \"vip\"");
        Assert.Empty(Errors(j => j["trigger"] = new JsonObject { ["type"] = "segment_exit", ["segment"] = "repeat-xhs" }));
        Single(Errors(j => j["trigger"] = new JsonObject { ["type"] = "segment_exit", ["segment"] = "orders(90d) >= 2" }), "$.trigger.segment", "not a rule");
    }

    [Fact]
    public void Reentry_checks()
    {
        Single(Errors(j => j["reentry"]!.AsObject().Remove("every")), "$.reentry.every", "once_per needs every");
        Single(Errors(j => j["reentry"]!["mode"] = "always"), "$.reentry.every", "every goes with mode once_per");
        Single(Errors(j => j["reentry"]!["every"] = "-7d"), "$.reentry.every", "every is positive");
    }

    [Fact]
    public void Ids()
    {
        Single(Errors(j => j["id"] = "has space"), "$.id", "a journey id is 1-64 letters");
        Single(Errors(j => j["name"] = ""), "$.name", "name is required");
    }

    [Fact]
    public void Many_problems_are_all_reported()
    {
        var errors = Errors(j =>
        {
            j.Step(0)["duration"] = "-1h";
            j.Step(7)["points"] = 0;
            j["trigger"]!["event"] = "nope";
        });
        Assert.Equal(["$.trigger.event", "$.steps[0].duration", "$.steps[7].points"], errors.Select(e => e.Path));
    }
}
