using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Journeys;

namespace Flywheel.Campaigns.Tests.Journeys;

public sealed class JourneyTemplatesTests
{
    private static readonly string[] NameList = ["abandoned_cart", "welcome", "win_back", "birthday", "review_invite", "presale_balance", "group_buy_expiring", "package_card_welcome"];

    public static TheoryData<string> Names => new(NameList);

    [Fact]
    public void The_catalogue_has_eight_templates_with_titles()
    {
        Assert.Equal(NameList, JourneyTemplates.All.Select(t => t.Name));
        foreach (var t in JourneyTemplates.All)
        {
            Assert.Equal(t.Name, t.Journey.Id);
            Assert.False(string.IsNullOrWhiteSpace(t.TitleZh) || string.IsNullOrWhiteSpace(t.TitleEn) || string.IsNullOrWhiteSpace(t.Description));
            Assert.Contains(t.TitleZh, t.Journey.Name, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Validates_cleanly(string name)
    {
        var journey = JourneyTemplates.Find(name)!.Journey;
        Assert.Empty(JourneyValidator.Validate(journey, Samples.Context));
        Assert.Empty(JourneyValidator.Validate(journey));
        Assert.True(new JourneyGraph(journey).TopologicalOrder().IsSuccess);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Round_trips(string name)
    {
        var journey = JourneyTemplates.Find(name)!.Journey;
        var written = JourneyJson.Write(journey);
        var back = JourneyJson.Parse(written);
        Assert.True(back.IsSuccess, back.Error?.ToString());
        Assert.Equal(written, JourneyJson.Write(back.Value));
        Assert.Equal(journey.Trigger, back.Value.Trigger);
        Assert.Equal(journey.Steps.Count, back.Value.Steps.Count);
    }

    [Fact]
    public void Abandoned_cart()
    {
        var j = JourneyTemplates.Find("abandoned_cart")!.Journey;
        Assert.Equal(new EventTrigger("add_to_cart", "order_paid", TimeSpan.FromMinutes(30)), j.Trigger);
        Assert.Contains(new ExitOnEvent("order_paid"), j.ExitWhen);
        var graph = new JourneyGraph(j);
        Assert.IsType<IssueCouponStep>(graph.StartStep);
        var send = j.Steps.OfType<SendStep>().Single();
        Assert.Equal(ChannelKind.Email, send.Channel);
        Assert.Contains("您的购物车还在等您", send.Template!.Subject, StringComparison.Ordinal);
        Assert.Contains("{{#each cart.lines}}", send.Template.Text, StringComparison.Ordinal);
        Assert.Contains("{{coupon.code}}", send.Template.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Welcome_win_back_birthday()
    {
        var welcome = JourneyTemplates.Find("welcome")!.Journey;
        Assert.Equal(new LifecycleTrigger("new"), welcome.Trigger);
        Assert.Equal(["issue_coupon", "send", "exit"], welcome.Steps.Select(s => s.Type));

        var winBack = JourneyTemplates.Find("win_back")!.Journey;
        Assert.Equal(new LifecycleTrigger("at_risk"), winBack.Trigger);
        var holdout = winBack.Steps.OfType<SplitStep>().Single().Variants.Single(v => v.Holdout);
        Assert.Equal(10, holdout.Weight);
        Assert.Equal(ChannelKind.Sms, winBack.Steps.OfType<SendStep>().Single().Channel);

        var birthday = JourneyTemplates.Find("birthday")!.Journey;
        Assert.Equal(new DateTrigger(DateAttribute.Birthday, DaysBefore: 0), birthday.Trigger);
        Assert.Equal("10:00", Assert.IsType<WaitUntilStep>(new JourneyGraph(birthday).StartStep).LocalTime);
        Assert.Contains(birthday.Steps, s => s is IssueCouponStep);
    }

    [Fact]
    public void Review_presale_group_buy()
    {
        var review = JourneyTemplates.Find("review_invite")!.Journey;
        Assert.Equal(new EventTrigger("order_paid"), review.Trigger);
        Assert.Equal(TimeSpan.FromDays(7), Assert.IsType<WaitStep>(new JourneyGraph(review).StartStep).Duration);
        var branch = review.Steps.OfType<BranchStep>().Single();
        Assert.Equal(new EventSinceEntryCondition("custom:review_submitted"), branch.Condition);
        Assert.Equal(100, Assert.IsType<AddPointsStep>(review.FindStep(branch.Then)).Points);

        var presale = JourneyTemplates.Find("presale_balance")!.Journey;
        Assert.Equal(new EventTrigger("custom:presale_deposit_paid"), presale.Trigger);
        Assert.Contains(new ExitOnEvent("order_paid"), presale.ExitWhen);
        Assert.Equal("balance_starts_at", presale.Steps.OfType<WaitUntilStep>().Single().EventProperty);
        Assert.Equal(ChannelKind.Sms, presale.Steps.OfType<SendStep>().Single().Channel);

        var group = JourneyTemplates.Find("group_buy_expiring")!.Journey;
        Assert.Equal(new EventTrigger("custom:group_buy_joined"), group.Trigger);
        Assert.Equal([new ExitOnEvent("custom:group_buy_completed")], group.ExitWhen);
        Assert.Equal(TimeSpan.FromHours(20), group.Steps.OfType<WaitStep>().Single().Duration);
        Assert.Equal([ChannelKind.WeCom, ChannelKind.Sms], group.Steps.OfType<SendStep>().Select(s => s.Channel));
        Assert.All(group.Steps.OfType<SendStep>(), s => Assert.Contains("拼团即将结束", s.Template!.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_template_name() => Assert.Null(JourneyTemplates.Find("nope"));
}
