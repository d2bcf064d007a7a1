using System.Text.Json.Nodes;
using Flywheel.Campaigns.Journeys;
using Flywheel.Customers.Segments;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Tests.Journeys;

/// <summary>A journey using every step type, and helpers to break it one field at a time.</summary>
internal static class Samples
{
    // Steps: 0 wait_30m, 1 coupon, 2 split, 3 send, 4 send_b, 5 branch, 6 wait_morning, 7 points, 8 exit.
    public const string Json = """
    {
      "id": "abandoned_cart_test",
      "name": "购物车催付 / Abandoned cart",
      "description": "test journey",
      "trigger": { "type": "event", "event": "add_to_cart", "unless": "order_paid", "within": "30m" },
      "reentry": { "mode": "once_per", "every": "7d" },
      "exit_when": [ { "event": "order_paid" }, { "segment": "orders(30d) >= 3" } ],
      "conditions": "consent(\"email\")",
      "start": "wait_30m",
      "steps": [
        { "id": "wait_30m", "type": "wait", "duration": "30m", "next": "coupon" },
        { "id": "coupon", "type": "issue_coupon", "batch": "cart_rescue_10", "next": "split" },
        { "id": "split", "type": "split", "variants": [
            { "name": "A", "weight": 45, "next": "send" },
            { "name": "B", "weight": 45, "next": "send_b" },
            { "name": "holdout", "weight": 10, "holdout": true } ] },
        { "id": "send", "type": "send", "channel": "email", "purpose": "marketing",
          "template": { "subject": "您的购物车还在等您 {{customer.name}}", "text": "{{#each cart.lines}}{{name}} {{@index}}{{/each}} {{coupon.code}}", "html": "<p>{{yuan cart.total}}</p>" },
          "next": "branch" },
        { "id": "send_b", "type": "send", "channel": "sms", "purpose": "transactional", "template": { "text": "券码 {{coupon.code}}" }, "next": "branch" },
        { "id": "branch", "type": "branch", "condition": { "event_since_entry": "order_paid" }, "then": "points", "else": "wait_morning" },
        { "id": "wait_morning", "type": "wait_until", "local_time": "10:00", "next": "exit" },
        { "id": "points", "type": "add_points", "points": 100, "reason": "review", "next": "exit" },
        { "id": "exit", "type": "exit" }
      ]
    }
    """;

    public static readonly JourneyValidationContext Context = new() { CompileRule = Flywheel.Customers.Contracts.SegmentRules.Checker(FieldRegistry.CreateDefault()) };

    public static Journey Journey() => JourneyJson.Parse(Json).Value;

    public static JsonObject Node() => JsonNode.Parse(Json)!.AsObject();

    public static JsonObject Step(this JsonObject journey, int index) => journey["steps"]![index]!.AsObject();

    /// <summary>Parses the sample after <paramref name="change"/>; the parse must succeed.</summary>
    public static Journey With(Action<JsonObject> change)
    {
        var node = Node();
        change(node);
        var parsed = JourneyJson.Parse(node.ToJsonString());
        Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
        return parsed.Value;
    }

    /// <summary>The validation errors of the sample after <paramref name="change"/>.</summary>
    public static IReadOnlyList<Error> Errors(Action<JsonObject> change, JourneyValidationContext? context = null) =>
        JourneyValidator.Validate(With(change), context ?? Context);

    /// <summary>Asserts exactly one error, at <paramref name="path"/>, whose message contains <paramref name="text"/>.</summary>
    public static Error Single(IReadOnlyList<Error> errors, string path, string text)
    {
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        return error;
    }
}
