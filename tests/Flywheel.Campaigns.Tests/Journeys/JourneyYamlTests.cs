using Flywheel.Campaigns.Journeys;

namespace Flywheel.Campaigns.Tests.Journeys;

public sealed class JourneyYamlTests
{
    private const string Yaml = """
        id: abandoned_cart_test
        name: 购物车催付 / Abandoned cart
        description: test journey
        trigger: { type: event, event: add_to_cart, unless: order_paid, within: 30m }
        reentry:
          mode: once_per
          every: 7d
        exit_when:
          - event: order_paid
          - segment: orders(30d) >= 3
        conditions: consent("email")
        start: wait_30m
        steps:
          - { id: wait_30m, type: wait, duration: 30m, next: coupon }
          - { id: coupon, type: issue_coupon, batch: cart_rescue_10, next: split }
          - id: split
            type: split
            variants:
              - { name: A, weight: 45, next: send }
              - { name: B, weight: 45, next: send_b }
              - { name: holdout, weight: 10, holdout: true }
          - id: send
            type: send
            channel: email
            purpose: marketing
            template:
              subject: "您的购物车还在等您 {{customer.name}}"
              text: "{{#each cart.lines}}{{name}} {{@index}}{{/each}} {{coupon.code}}"
              html: "<p>{{yuan cart.total}}</p>"
            next: branch
          - { id: send_b, type: send, channel: sms, purpose: transactional, template: { text: "券码 {{coupon.code}}" }, next: branch }
          - id: branch
            type: branch
            condition: { event_since_entry: order_paid }
            then: points
            else: wait_morning
          - { id: wait_morning, type: wait_until, local_time: "10:00", next: exit }
          - { id: points, type: add_points, points: 100, reason: review, next: exit }
          - { id: exit, type: exit }
        """;

    [Fact]
    public void Yaml_parses_to_the_same_journey_as_json()
    {
        var yaml = JourneyYaml.Parse(Yaml);
        Assert.True(yaml.IsSuccess, yaml.Error?.ToString());
        Assert.Equal(JourneyJson.Write(Samples.Journey()), JourneyJson.Write(yaml.Value));
        Assert.Equal(new AddPointsStep("points", 100, "review", "exit"), yaml.Value.Steps[7]);
    }

    [Fact]
    public void Yaml_errors_name_the_same_json_path()
    {
        var yaml = JourneyYaml.Parse(Yaml.Replace("duration: 30m", "duration: soon", StringComparison.Ordinal));
        Assert.Equal("$.steps[0].duration", yaml.Error!.Path);
        var json = JourneyJson.Parse(Samples.Json.Replace("\"duration\": \"30m\"", "\"duration\": \"soon\"", StringComparison.Ordinal));
        Assert.Equal(json.Error, yaml.Error);
    }

    [Fact]
    public void Yaml_validation_errors_match_json()
    {
        var yaml = JourneyYaml.ParseAndValidate(Yaml.Replace("duration: 30m", "duration: -1h", StringComparison.Ordinal), Samples.Context);
        Assert.Equal("$.steps[0].duration: a wait is positive: \"-1h\" / 时长须为正", yaml.Error!.ToString());
    }

    [Fact]
    public void Unquoted_numbers_are_numbers_but_text_fields_accept_them()
    {
        var yaml = JourneyYaml.Parse(Yaml.Replace("batch: cart_rescue_10", "batch: 2024", StringComparison.Ordinal).Replace("points: 100", "points: \"100\"", StringComparison.Ordinal));
        Assert.Equal("$.steps[7].points", yaml.Error!.Path);
        var ok = JourneyYaml.Parse(Yaml.Replace("batch: cart_rescue_10", "batch: 2024", StringComparison.Ordinal));
        Assert.Equal("2024", Assert.IsType<IssueCouponStep>(ok.Value.Steps[1]).Batch);
    }

    [Fact]
    public void Bad_yaml_and_duplicate_keys()
    {
        var bad = JourneyYaml.Parse("id: [unclosed");
        Assert.Equal("$", bad.Error!.Path);
        Assert.Contains("not valid YAML: line ", bad.Error.Message, StringComparison.Ordinal);
        var twice = JourneyYaml.Parse("id: a\nid: b\n");
        Assert.False(twice.IsSuccess);
        Assert.Equal("$", JourneyYaml.Parse("").Error!.Path);
    }
}
