using Flywheel.Analytics.Features.RunFunnel;
using Flywheel.Analytics.Funnels;

namespace Flywheel.Analytics.Tests.Features.RunFunnel;

public sealed class FunnelQuestionTests
{
    private static readonly IReadOnlyList<FunnelStep> Steps = [FunnelStep.Parse("product_view").Value, FunnelStep.Parse("add_to_cart").Value];

    private static FunnelInput Input(string? window = "7d", string? mode = null, string? by = null, string? from = null, string? to = null) =>
        new(Steps, window, mode, by, from, to);

    [Theory]
    [InlineData(null, "Default")]
    [InlineData("default", "Default")]
    [InlineData("strict_order", "StrictOrder")]
    [InlineData("strict_increase", "StrictIncrease")]
    [InlineData("strict_once", "StrictOnce")]
    public void Check_KnownMode_MapsIt(string? mode, string expected) => Assert.Equal(Enum.Parse<FunnelMode>(expected), FunnelQuestion.Check(Input(mode: mode)).Value.Mode);

    [Theory]
    [InlineData(null, "None")]
    [InlineData("channel", "Channel")]
    [InlineData("first_touch_channel", "FirstTouchChannel")]
    public void Check_KnownBreakdown_MapsIt(string? by, string expected) => Assert.Equal(Enum.Parse<FunnelBreakdown>(expected), FunnelQuestion.Check(Input(by: by)).Value.Breakdown);

    [Theory]
    [InlineData("7x", null, null, null, null, "window")]
    [InlineData("7d", "sideways", null, null, null, "mode")]
    [InlineData("7d", "StrictOrder", null, null, null, "mode")]
    [InlineData("7d", null, "province", null, null, "by")]
    [InlineData("7d", null, null, "2026-13-01", null, "from")]
    [InlineData("7d", null, null, null, "1899-01-01", "to")]
    [InlineData("7d", null, null, "2026-05-10", "2026-05-01", "to")]
    public void Check_BadValue_NamesTheField(string window, string? mode, string? by, string? from, string? to, string path)
    {
        var error = FunnelQuestion.Check(Input(window, mode, by, from, to)).Error;
        Assert.NotNull(error);
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Check_AudienceOptionsWithoutAName_AreRefused()
    {
        var error = FunnelQuestion.Check(Input() with { AudienceOptionsGiven = true, DroppedAfter = 1 }).Error;
        Assert.Equal("save_audience.name", error?.Path);
    }

    [Fact]
    public void Check_AudienceWithoutDroppedAfter_IsRefused()
    {
        var error = FunnelQuestion.Check(Input() with { AudienceName = "carts" }).Error;
        Assert.Equal("save_audience.dropped_after", error?.Path);
    }
}
