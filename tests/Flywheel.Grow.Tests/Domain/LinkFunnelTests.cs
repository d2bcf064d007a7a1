using Flywheel.Grow.Domain.Links;

namespace Flywheel.Grow.Tests.Domain;

public sealed class LinkFunnelTests
{
    private const long Day = 86_400_000;

    [Fact]
    public void Count_FollowsEachScannerToTheirRepurchasesInTheWindow()
    {
        Scan[] scans =
        [
            new("card", "a1", 3, 10 * Day, "c1"),   // identified, buys twice in the window and once after it
            new("card", "a2", 1, 12 * Day, null),   // anonymous
            new("card", "a3", 1, 20 * Day, "c2"),   // identified, bought only before the scan
            new("card", "a4", 2, 30 * Day, "c1"),   // c1 again on another browser: one customer, orders once
            new("post", "a9", 1, 5 * Day, "c3"),
        ];
        Purchase[] orders =
        [
            new("c1", 11 * Day, 10_000), new("c1", 35 * Day, 5_000), new("c1", 200 * Day, 99_999),
            new("c2", 19 * Day, 7_000),
            new("c3", 6 * Day, 1_00),
        ];
        var funnel = LinkFunnel.Count(scans, orders, TimeSpan.FromDays(90));
        Assert.Equal(new FunnelCounts(Clicks: 7, Scanners: 4, Identified: 3, Customers: 2, Repurchasers: 1, Orders: 2, Gmv: 15_000), funnel["card"]);
        Assert.Equal(0.75, funnel["card"].IdentifyRate);
        Assert.Equal(0.5, funnel["card"].RepurchaseRate);
        Assert.Equal(new FunnelCounts(1, 1, 1, 1, 1, 1, 100), funnel["post"]);
    }

    [Fact]
    public void Count_WithoutScans_IsEmpty_AndRatesOfZeroAreNull()
    {
        Assert.Empty(LinkFunnel.Count([], [], TimeSpan.FromDays(1)));
        Assert.Null(FunnelCounts.Zero.IdentifyRate);
        Assert.Null(FunnelCounts.Zero.RepurchaseRate);
    }
}
