using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;
using static Flywheel.Analytics.Tests.Funnels.FunnelEngineTests;

namespace Flywheel.Analytics.Tests.Funnels;

/// <summary>Who dropped after each step, worked out by hand for view → cart → pay with a one-hour window.</summary>
public sealed class FunnelDropOffTests
{
    private const int Hour = 3600;
    private static readonly IReadOnlyList<FunnelStep> Steps = FunnelStep.ParseList("product_view,add_to_cart,order_paid").Value;

    private static readonly EventIndex Fixture = BuildIndex(
        // Pays within the hour: reached 3, dropped nowhere.
        new Row("c_done", "product_view", 0), new Row("c_done", "add_to_cart", 60), new Row("c_done", "order_paid", 120),
        // Only viewed: dropped after 1.
        new Row("c_viewed", "product_view", 0),
        // Carted, never paid: dropped after 2.
        new Row("c_cart", "product_view", 0), new Row("c_cart", "add_to_cart", 100),
        // Pays, but a day later, outside the window: still dropped after 2.
        new Row("c_late", "product_view", 0), new Row("c_late", "add_to_cart", 100), new Row("c_late", "order_paid", 86_400),
        // Paid without a cart: the cart step is missing, so dropped after 1.
        new Row("c_skip", "product_view", 0), new Row("c_skip", "order_paid", 30),
        // No first step: in no drop-off at all.
        new Row("c_nostart", "add_to_cart", 0), new Row("c_nostart", "order_paid", 10),
        // A first chain stalls at the cart, a later one completes: the deepest chain counts, so not dropped.
        new Row("c_again", "product_view", 0), new Row("c_again", "add_to_cart", 10),
        new Row("c_again", "product_view", 10_000), new Row("c_again", "add_to_cart", 10_010), new Row("c_again", "order_paid", 10_020),
        // A search between cart and pay: complete by default, dropped after 2 in strict_order.
        new Row("c_strict", "product_view", 0), new Row("c_strict", "add_to_cart", 10), new Row("c_strict", "search", 20), new Row("c_strict", "order_paid", 30),
        // Anonymous visitors who dropped: counted, never members.
        new Row("~a_cart", "product_view", 0), new Row("~a_cart", "add_to_cart", 50),
        new Row("~a_view", "product_view", 0),
        // An anonymous visitor who paid.
        new Row("~a_done", "product_view", 0), new Row("~a_done", "add_to_cart", 5), new Row("~a_done", "order_paid", 9));

    private static string[] Sorted(FunnelDropOff dropOff) => [.. dropOff.CustomerIds.Order(StringComparer.Ordinal)];

    private static FunnelResult Run(FunnelMode mode = FunnelMode.Default, FunnelBreakdown by = FunnelBreakdown.None) =>
        FunnelEngine.Run(Fixture, FunnelQuery.Create(Steps, Hour, mode, breakdown: by).Value).Value;

    [Fact]
    public void DropOff_HandComputed_CustomersAndAnonymousCount()
    {
        var result = Run();
        Assert.Equal([10L, 7L, 4L], result.Steps.Select(s => s.Customers));

        var afterView = result.DropOff(1);
        Assert.Equal(["c_skip", "c_viewed"], Sorted(afterView));
        Assert.Equal(1, afterView.AnonymousVisitors);

        var abandonedCart = result.DropOff(2);
        Assert.Equal(["c_cart", "c_late"], Sorted(abandonedCart));
        Assert.Equal(1, abandonedCart.AnonymousVisitors);
        Assert.Equal(2, abandonedCart.DroppedAfter);
        Assert.Equal(result.Steps[1].DropOff, abandonedCart.CustomerIds.Count + abandonedCart.AnonymousVisitors);
    }

    [Fact]
    public void DropOff_FollowsTheMode()
    {
        Assert.Equal(["c_cart", "c_late", "c_strict"], Sorted(Run(FunnelMode.StrictOrder).DropOff(2)));
        Assert.Equal(["c_cart", "c_late"], Sorted(Run(FunnelMode.StrictIncrease).DropOff(2)));
    }

    [Fact]
    public void DropOff_FollowsTheWindow()
    {
        // With a two-day window c_late's payment counts.
        var wide = FunnelEngine.Run(Fixture, FunnelQuery.Create(Steps, 2 * 86_400).Value).Value;
        Assert.Equal(["c_cart"], Sorted(wide.DropOff(2)));
    }

    [Fact]
    public void DropOff_DoesNotDependOnTheBreakdown()
    {
        var plain = Run().DropOff(2);
        foreach (var by in new[] { FunnelBreakdown.Channel, FunnelBreakdown.FirstTouchChannel })
        {
            var broken = Run(by: by).DropOff(2);
            Assert.Equal(Sorted(plain), Sorted(broken));
            Assert.Equal(plain.AnonymousVisitors, broken.AnonymousVisitors);
        }
    }

    [Fact]
    public void DropOff_AgreesWithDroppedAt()
    {
        var result = Run();
        for (var k = 1; k < Steps.Count; k++)
            Assert.Equal(result.DroppedAt(k - 1).Where(key => !key.StartsWith('~')).Order(StringComparer.Ordinal), Sorted(result.DropOff(k)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void DropOff_NotAStepWithANextOne_Throws(int droppedAfter) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Run().DropOff(droppedAfter));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Check_AStepWithANextOne_Passes(int droppedAfter) => Assert.Null(FunnelDropOff.Check(droppedAfter, Steps));

    [Theory]
    [InlineData(3, "step 3 (order_paid) is the last step")]
    [InlineData(4, "4 is not a step of this 3-step funnel")]
    [InlineData(0, "0 is not a step")]
    [InlineData(-2, "-2 is not a step")]
    public void Check_NoNextStep_NamesTheFieldAndTheRange(int droppedAfter, string words)
    {
        var error = FunnelDropOff.Check(droppedAfter, Steps)!;
        Assert.Equal(("invalid", "dropped_after"), (error.Code, error.Path));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OneStepFunnel_HasNoDropOff() =>
        Assert.Contains("one-step", FunnelDropOff.Check(1, [new FunnelStep("product_view")])!.Message, StringComparison.Ordinal);
}
