using Flywheel.Customers.Segments;

namespace Flywheel.Customers.Tests.Segments;

public sealed class RuleBinderTests
{
    private static readonly FieldRegistry Fields = WithRfm();

    /// <summary>The default fields plus a stand-in for the RFM module's rfm_segment, registered the way that module will.</summary>
    internal static FieldRegistry WithRfm(Func<string, string?>? segmentOf = null)
    {
        var fields = FieldRegistry.CreateDefault();
        fields.Register("rfm_segment", SegmentType.Text, "RFM segment (test stand-in)",
            context => SegmentColumn.Texts(context, i => segmentOf?.Invoke(context.CustomerId(i))),
            FieldSources.Orders | FieldSources.Time, values: ["champions", "loyal", "at_risk", "hibernating"]);
        return fields;
    }

    private static SegmentRule Compile(string rule)
    {
        Assert.True(SegmentRule.TryCompile(rule, Fields, out var compiled, out var error), error?.ToString());
        return compiled;
    }

    private static RuleError Refused(string rule)
    {
        Assert.False(SegmentRule.TryCompile(rule, Fields, out _, out var error));
        return error;
    }

    [Fact]
    public void TheIssueExample_TypeChecks_WithRfmSegmentRegisteredByAnotherModule()
    {
        var rule = Compile("""orders(90d) >= 2 and days_since_last_order <= 30 and first_channel in ("xiaohongshu", "douyin") and rfm_segment = "at_risk" and city_tier <= 2 and consent("sms")""");
        Assert.Equal(["orders(90d)", "days_since_last_order", "first_channel", "rfm_segment", "city_tier", "consent(\"sms\")"], rule.Fields);
        Assert.Equal(FieldSources.Profile | FieldSources.Orders | FieldSources.Events | FieldSources.Time, rule.Sources);
    }

    [Fact]
    public void TheIssueExample_WithoutTheRfmModule_NamesTheUnknownField()
    {
        Assert.False(SegmentRule.TryCompile("orders(90d) >= 2 and rfm_segment = \"at_risk\"", FieldRegistry.CreateDefault(), out _, out var error));
        Assert.Equal((1, 22), (error.Line, error.Column));
        Assert.StartsWith("unknown field 'rfm_segment'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameFieldTwice_IsOneColumn()
    {
        Assert.Equal(["orders(90d)", "orders"], Compile("orders(90d) >= 1 and orders(90d) <= 5 or orders() > 9 or orders > 10").Fields);
    }

    [Theory]
    [InlineData("ordrs(90d) >= 2", 1, "unknown field 'ordrs': did you mean 'orders'?")]
    [InlineData("citytier <= 2", 1, "unknown field 'citytier': did you mean 'city_tier'?")]
    [InlineData("orders(90d) >= 1 and days_since_last_ordr <= 3", 22, "did you mean 'days_since_last_order'?")]
    [InlineData("wealth > 3", 1, "unknown field 'wealth': see the field list")]
    [InlineData("last_order_date >= \"2026-01-01\"", 20, "cannot compare last_order_date (a date) with a string \"2026-01-01\": write the date without quotes, 2026-01-01, or as date(\"2026-01-01\")")]
    [InlineData("orders(90d) >= \"2\"", 16, "cannot compare orders(90d) (a number) with a string \"2\": write the number without quotes")]
    [InlineData("province = 3", 12, "cannot compare province (a string) with a number 3: put the text in quotes")]
    [InlineData("days_since_last_order <= 30d", 26, "days_since_last_order counts days, so write 30 for 30d")]
    [InlineData("last_order_date >= 30d", 20, "use a days_since_... field")]
    [InlineData("consent(\"sms\") = 1", 18, "cannot compare consent(\"sms\") (true or false) with a number 1")]
    [InlineData("orders(0d) >= 1", 8, "a window of 0d is empty: windows are at least 1h")]
    [InlineData("orders(0h) >= 1", 8, "a window of 0h is empty")]
    [InlineData("orders(21y) >= 1", 8, "21y is longer than the longest window, 20 years")]
    [InlineData("orders(90) >= 1", 8, "the window of orders is a duration such as 90d, 12w, 6m or 24h, not a number (for 90 days write 90d)")]
    [InlineData("orders(90d, 30d) >= 1", 13, "orders takes at most 1 argument: orders([window])")]
    [InlineData("city_tier(2) <= 2", 1, "city_tier takes no arguments")]
    [InlineData("events >= 1", 1, "events needs its event type (a string in quotes): events(event type, [window])")]
    [InlineData("events(7d) >= 1", 8, "the event type of events is a string in quotes, not a duration")]
    [InlineData("events(\"add_to_crat\", 7d) >= 1", 8, "\"add_to_crat\" is not a known event type: did you mean \"add_to_cart\"?")]
    [InlineData("consent(\"sns\")", 9, "\"sns\" is not a known channel: did you mean \"sms\"?")]
    [InlineData("consent(\"sms\", \"ads\")", 16, "\"ads\" is not a known purpose (known: marketing, transactional)")]
    [InlineData("gender = \"mal\"", 10, "gender is never \"mal\": it is one of \"male\", \"female\", \"unknown\" (did you mean \"male\"?)")]
    [InlineData("rfm_segment = \"at-risk\"", 15, "(did you mean \"at_risk\"?)")]
    [InlineData("orders(90d)", 1, "orders(90d) is a number, not a condition on its own: compare it, e.g. orders(90d) >= 1")]
    [InlineData("gmv(30d) and consent(\"sms\")", 1, "gmv(30d) is money (yuan), not a condition on its own: compare it, e.g. gmv(30d) >= 500 (yuan)")]
    [InlineData("gender > \"male\"", 1, "gender is a string: it is compared with =, !=, in or contains, not ordered")]
    [InlineData("consent(\"sms\") > true", 1, "is true or false: it is compared with = or !=")]
    [InlineData("orders(90d) contains \"1\"", 1, "contains works on strings and lists of strings; orders(90d) is a number")]
    [InlineData("city contains 1", 15, "contains takes a string in quotes, not a number")]
    [InlineData("city between \"a\" and \"b\"", 1, "between works on numbers, money and dates; city is a string")]
    [InlineData("age between 40 and 18", 13, "the lower bound is above the upper bound: write between 18 and 40")]
    [InlineData("age between 18 and \"40\"", 20, "cannot compare age (a number) with a string \"40\"")]
    [InlineData("first_channel in (\"douyin\", 3)", 29, "cannot compare first_channel (a string) with a number 3")]
    [InlineData("city_tier in (1, \"2\")", 18, "cannot compare city_tier (a number) with a string \"2\"")]
    [InlineData("consent(\"sms\") in (true)", 1, "write consent(\"sms\") or not consent(\"sms\"), not in (...)")]
    [InlineData("gmv(90d) >= 99.999", 13, "gmv(90d) is money in yuan with at most two decimals (fen); 99.999 has more")]
    [InlineData("channels(30d) = \"douyin\"", 1, "channels(30d) is a list of strings: test it with contains")]
    [InlineData("categories in (\"beauty\")", 1, "categories is a list of strings: test it with contains, not in")]
    public void TypeError_IsRefusedBeforeAnythingRuns(string rule, int column, string message)
    {
        var error = Refused(rule);
        Assert.Equal(column, error.Column);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gmv(90d) >= 500 and aov(90d) between 99.5 and 1000 and refunds(1y) = 0")]
    [InlineData("last_order_date >= 2026-01-01 and first_order_date < date(\"2025-06-18\") and signup_date between 2025-01-01 and 2025-12-31")]
    [InlineData("gender in (\"female\", \"unknown\") and province = \"浙江\" and city contains \"州\" and member_tier != \"gold\"")]
    [InlineData("consent(\"sms\") = true and not consent(\"email\", \"transactional\") and consent(\"wecom\") != false")]
    [InlineData("events(\"custom:live_room_enter\", 24h) >= 1 and last_event_days(\"page_view\") <= 7 and last_event_days() < 30")]
    [InlineData("channels(30d) contains \"douyin\" and categories(180d) not contains \"美妆\" and first_order_channel = \"tmall\"")]
    [InlineData("age >= 18 and days_since_signup > 7 and days_since_first_order >= 0 and last_channel not in (\"sms\") and birth_date < 2000-01-01")]
    [InlineData("GENDER = \"FEMALE\"")]
    // docs/segments.md
    [InlineData("orders(90d) >= 2 and days_since_last_order <= 30 and first_channel in (\"xiaohongshu\", \"douyin\")\n  and rfm_segment = \"at_risk\" and city_tier <= 2 and consent(\"sms\")")]
    [InlineData("events(\"add_to_cart\", 7d) >= 1 and orders(7d) = 0 and consent(\"wecom\")")]
    [InlineData("gender = \"female\" and city_tier <= 2 and aov(1y) >= 300")]
    [InlineData("orders() >= 1 and days_since_last_order > 180 and member_tier in (\"gold\", \"platinum\") and consent(\"email\")")]
    [InlineData("days_since_first_order <= 30 and categories(30d) contains \"美妆\"")]
    [InlineData("events(\"custom:live_room_enter\", 30d) >= 3 and not (channels(30d) contains \"tmall\")")]
    [InlineData("province in (\"浙江\", \"江苏\", \"上海\") and age between 25 and 35 and signup_date >= 2026-01-01")]
    [InlineData("orders(90d) >= 2 and first_channel in (\"xiaohongshu\", \"douyin\") and consent(\"sms\")")]
    [InlineData("gmv(30d) >= 500 and city_tier <= 2")]
    public void WellTypedRules_Compile(string rule) => Compile(rule);

    [Fact]
    public void Register_RefusesDuplicatesKeywordsAndBadNames()
    {
        var fields = FieldRegistry.CreateDefault();
        Assert.Throws<ArgumentException>(() => fields.Register("orders", SegmentType.Number, "again", c => SegmentColumn.Numbers(c, _ => 1)));
        Assert.Throws<ArgumentException>(() => fields.Register("between", SegmentType.Number, "keyword", c => SegmentColumn.Numbers(c, _ => 1)));
        Assert.Throws<ArgumentException>(() => fields.Register("Clv", SegmentType.Money, "upper case", c => SegmentColumn.Money(c, _ => 1)));
        fields.Register("clv", SegmentType.Money, "lifetime value", c => SegmentColumn.Money(c, _ => 100));
        Assert.NotNull(fields.Find("clv"));
    }
}
