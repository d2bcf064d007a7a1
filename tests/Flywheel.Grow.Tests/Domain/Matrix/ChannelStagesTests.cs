using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Matrix;

namespace Flywheel.Grow.Tests.Domain.Matrix;

public sealed class ChannelStagesTests
{
    [Theory]
    [InlineData("weibo", "awareness")]
    [InlineData("douyin", "awareness")]
    [InlineData("xiaohongshu", "interest")]
    [InlineData("bilibili", "interest")]
    [InlineData("zhihu", "interest")]
    [InlineData("baidu", "interest")]
    [InlineData("tmall", "decision")]
    [InlineData("jd", "decision")]
    [InlineData("pinduoduo", "decision")]
    [InlineData("douyin_shop", "decision")]
    [InlineData("wechat", "repurchase")]
    [InlineData("wecom", "repurchase")]
    [InlineData("email", "repurchase")]
    [InlineData("sms", "repurchase")]
    [InlineData("community", "loyalty")]
    [InlineData("own_site", "loyalty")]
    [InlineData("kuaishou", "interest")]
    [InlineData("some_new_channel", "interest")]
    public void DefaultOf_FollowsTheLifecycleOfTheIssue(string channel, string stage) => Assert.Equal(stage, ChannelStages.DefaultOf(channel));

    [Fact]
    public void Defaults_AreAllValidStages() => Assert.All(ChannelStages.Defaults.Values, stage => Assert.True(LifecycleStage.IsValid(stage)));

    [Fact]
    public void StageMap_AssignedStageWinsOverTheDefault_AndNoChannelIsInterest()
    {
        var map = new StageMap(new Dictionary<string, string>(StringComparer.Ordinal) { ["email"] = LifecycleStage.Loyalty });
        Assert.Equal(LifecycleStage.Loyalty, map.Of("email"));
        Assert.Equal(LifecycleStage.Repurchase, map.Of("sms"));
        Assert.Equal(LifecycleStage.Interest, map.Of(null));
    }

    [Theory]
    [InlineData("Awareness")]
    [InlineData("")]
    [InlineData("认知")]
    [InlineData("growth")]
    public void CheckStage_RefusesAnythingButTheFiveCodes_NamingThem(string stage)
    {
        var error = ChannelStages.CheckStage(stage, "stage").Error;
        Assert.NotNull(error);
        Assert.Equal("stage", error.Path);
        Assert.Contains("awareness, interest, decision, repurchase, loyalty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("tab\there")]
    [InlineData("😀")]
    public void CheckChannel_RefusesEmptySpacesAndControlCharacters(string channel) => Assert.NotNull(ChannelStages.CheckChannel(channel, "channel").Error);

    [Fact]
    public void CheckChannel_RefusesOverlongNames_AcceptsCodes()
    {
        Assert.NotNull(ChannelStages.CheckChannel(new string('a', 65), "channel").Error);
        Assert.Equal("douyin_shop", ChannelStages.CheckChannel("douyin_shop", "channel").Value);
        Assert.Equal("微信", ChannelStages.CheckChannel("微信", "channel").Value);
    }
}
