using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;

namespace Flywheel.Analytics.Tests.Funnels;

public sealed class FunnelEngineTests
{
    /// <summary>An index time base well inside the int range.</summary>
    private const int T0 = 200_000_000;

    internal sealed record Row(string Visitor, string Type, int Time, string? Channel = null, string? Sku = null);

    /// <summary>An index of the rows; a visitor "~x" is the anonymous id x (never identified), any other a customer id.</summary>
    internal static EventIndex BuildIndex(params Row[] rows)
    {
        var b = new EventIndexBuilder.Builder();
        b.AddProduct("k-beauty", "beauty");
        b.AddProduct("k-food", "food");
        foreach (var r in rows)
        {
            var anonymous = r.Visitor.StartsWith('~');
            b.AddEvent(anonymous ? null : r.Visitor, anonymous ? r.Visitor[1..] : null, r.Type, EventIndex.ToUnixMs(T0 + r.Time), r.Channel, null, null, null, r.Sku, null, 0);
        }
        return b.Build("Asia/Shanghai");
    }

    private static FunnelQuery Query(string steps, int window, FunnelMode mode = FunnelMode.Default, FunnelBreakdown by = FunnelBreakdown.None,
        int? from = null, int? to = null) =>
        FunnelQuery.Create(FunnelStep.ParseList(steps).Value, window, mode, from, to, by).Value;

    private static long[] Customers(EventIndex index, FunnelQuery query) => [.. FunnelEngine.Run(index, query).Value.Steps.Select(s => s.Customers)];

    private static readonly Row[] Abc =
    [
        new Row("u", "product_view", 0), new Row("u", "page_view", 10), new Row("u", "add_to_cart", 20), new Row("u", "begin_checkout", 30),
    ];

    [Fact]
    public void Run_InOrderWithinWindow_ReachesEveryStep() =>
        Assert.Equal([1, 1, 1], Customers(BuildIndex(Abc), Query("product_view,add_to_cart,begin_checkout", 30)));

    [Fact]
    public void Run_WindowEndsExactlyOnAnEvent_CountsIt()
    {
        var index = BuildIndex(new Row("u", "product_view", 0), new Row("u", "add_to_cart", 100));
        Assert.Equal([1, 1], Customers(index, Query("product_view,add_to_cart", 100)));
        Assert.Equal([1, 0], Customers(index, Query("product_view,add_to_cart", 99)));
    }

    [Fact]
    public void Run_WindowCountsFromFirstStep_NotFromPreviousStep()
    {
        // cart at 60 is in the window; checkout at 110 is 50 after the cart but 110 after the view.
        var index = BuildIndex(new Row("u", "product_view", 0), new Row("u", "add_to_cart", 60), new Row("u", "begin_checkout", 110));
        Assert.Equal([1, 1, 0], Customers(index, Query("product_view,add_to_cart,begin_checkout", 100)));
    }

    [Fact]
    public void Run_LaterFirstStep_StartsAFreshChain()
    {
        var index = BuildIndex(new Row("u", "product_view", 0), new Row("u", "product_view", 200), new Row("u", "add_to_cart", 250));
        Assert.Equal([1, 1], Customers(index, Query("product_view,add_to_cart", 100)));
    }

    [Fact]
    public void Run_EventMatchingTwoSteps_AdvancesOnlyOne()
    {
        // product_view[category=beauty] is both step 1 and step 2: one such event is one step, a second is the next.
        var one = BuildIndex(new Row("u", "product_view", 0, Sku: "k-beauty"));
        Assert.Equal([1, 0], Customers(one, Query("product_view,product_view[category=beauty]", 100)));
        var two = BuildIndex(new Row("u", "product_view", 0, Sku: "k-beauty"), new Row("u", "product_view", 5, Sku: "k-beauty"));
        Assert.Equal([1, 1], Customers(two, Query("product_view,product_view[category=beauty]", 100)));
        var food = BuildIndex(new Row("u", "product_view", 0, Sku: "k-food"), new Row("u", "product_view", 5, Sku: "k-food"));
        Assert.Equal([1, 0], Customers(food, Query("product_view,product_view[category=beauty]", 100)));
    }

    [Fact]
    public void Run_EqualTimestamps_DefaultAdvancesInStoreOrder_StrictIncreaseDoesNot()
    {
        var index = BuildIndex(new Row("u", "product_view", 50), new Row("u", "add_to_cart", 50), new Row("u", "begin_checkout", 60));
        var steps = "product_view,add_to_cart,begin_checkout";
        Assert.Equal([1, 1, 1], Customers(index, Query(steps, 100)));
        Assert.Equal([1, 1, 1], Customers(index, Query(steps, 100, FunnelMode.StrictOnce)));
        Assert.Equal([1, 0, 0], Customers(index, Query(steps, 100, FunnelMode.StrictIncrease)));
        // Logged cart-then-view in the same second: the cart does not follow the view.
        var reversed = BuildIndex(new Row("u", "add_to_cart", 50), new Row("u", "product_view", 50));
        Assert.Equal([1, 0], Customers(reversed, Query("product_view,add_to_cart", 100)));
    }

    [Fact]
    public void Run_StrictOrder_StopsAtAnInterveningEvent()
    {
        // ClickHouse docs: A->B->D->C stops at D for the chain A,B,C.
        var index = BuildIndex(new Row("u", "product_view", 0), new Row("u", "add_to_cart", 1), new Row("u", "search", 2), new Row("u", "begin_checkout", 3));
        var steps = "product_view,add_to_cart,begin_checkout";
        Assert.Equal([1, 1, 1], Customers(index, Query(steps, 100)));
        Assert.Equal([1, 1, 0], Customers(index, Query(steps, 100, FunnelMode.StrictOrder)));
    }

    [Fact]
    public void Run_StrictOrder_StopsAtAStepOutOfOrder()
    {
        var index = BuildIndex(new Row("u", "product_view", 0), new Row("u", "begin_checkout", 1), new Row("u", "add_to_cart", 2), new Row("u", "begin_checkout", 3));
        var steps = "product_view,add_to_cart,begin_checkout";
        Assert.Equal([1, 1, 1], Customers(index, Query(steps, 100)));
        Assert.Equal([1, 0, 0], Customers(index, Query(steps, 100, FunnelMode.StrictOrder)));
        // Before the first step, other events do not matter.
        var early = BuildIndex(new Row("u", "search", 0), new Row("u", "add_to_cart", 1), new Row("u", "product_view", 2), new Row("u", "add_to_cart", 3));
        Assert.Equal([1, 1], Customers(early, Query("product_view,add_to_cart", 100, FunnelMode.StrictOrder)));
    }

    [Fact]
    public void Run_FirstStepRange_BoundsOnlyTheFirstStep()
    {
        var index = BuildIndex(new Row("a", "product_view", 0), new Row("a", "add_to_cart", 50), new Row("b", "product_view", 100), new Row("b", "add_to_cart", 150));
        Assert.Equal([1, 1], Customers(index, Query("product_view,add_to_cart", 100, from: T0 + 100, to: T0 + 101)));
        Assert.Equal([1, 1], Customers(index, Query("product_view,add_to_cart", 100, from: T0, to: T0 + 100)));
    }

    [Fact]
    public void Run_Breakdown_ByChannelOfFirstStepAndByFirstTouch()
    {
        var index = BuildIndex(
            new Row("a", "page_view", 0, "douyin"), new Row("a", "product_view", 10, "tmall"), new Row("a", "add_to_cart", 20),
            new Row("b", "product_view", 0, "tmall"), new Row("b", "product_view", 50, "jd"),
            new Row("c", "page_view", 0, "douyin"));
        var byChannel = FunnelEngine.Run(index, Query("product_view,add_to_cart", 100, by: FunnelBreakdown.Channel)).Value.Breakdown;
        // Ties in first-step customers are ordered by name.
        Assert.Equal([("jd", 1L, 0L), ("tmall", 1L, 1L)], byChannel.Select(r => (r.Value, r.Customers[0], r.Customers[1])));
        var firstTouch = FunnelEngine.Run(index, Query("product_view,add_to_cart", 100, by: FunnelBreakdown.FirstTouchChannel)).Value.Breakdown;
        Assert.Equal([("douyin", 1L, 1L), ("tmall", 1L, 0L)], firstTouch.Select(r => (r.Value, r.Customers[0], r.Customers[1])));
    }

    [Fact]
    public void Run_StepFigures_ConversionDropOffAndTimes()
    {
        var rows = new List<Row>();
        for (var i = 1; i <= 10; i++)
        {
            rows.Add(new Row($"v{i}", "product_view", 0));
            if (i <= 5) rows.Add(new Row($"v{i}", "add_to_cart", i * 10));
        }
        var result = FunnelEngine.Run(BuildIndex([.. rows]), Query("product_view,add_to_cart,order_paid", 1000)).Value;
        var (view, cart, paid) = (result.Steps[0], result.Steps[1], result.Steps[2]);
        Assert.Equal((10L, (double?)null, 1.0, 5L, 0, 0), (view.Customers, view.ConversionFromPrevious, view.ConversionFromFirst, view.DropOff, view.MedianSeconds, view.P90Seconds));
        Assert.Equal((5L, 0.5, 0.5, 5L, 30, 50), (cart.Customers, cart.ConversionFromPrevious, cart.ConversionFromFirst, cart.DropOff, cart.MedianSeconds, cart.P90Seconds));
        Assert.Equal((0L, 0.0, 0L, (int?)null), (paid.Customers, paid.ConversionFromPrevious, paid.DropOff, paid.MedianSeconds));
        Assert.Equal(["v1", "v2", "v3", "v4", "v5"], result.DroppedAt(1));
        Assert.Equal(["v10", "v6", "v7", "v8", "v9"], result.DroppedAt(0).Order(StringComparer.Ordinal));
        Assert.Empty(result.DroppedAt(2));
    }

    [Fact]
    public void Run_UnknownEventType_NamesTheStep()
    {
        var run = FunnelEngine.Run(BuildIndex(Abc), Query("product_view,add_to_kart", 10));
        Assert.False(run.IsSuccess);
        Assert.Contains("step 2", run.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("add_to_kart", run.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ContractTypeTheStoreHasNotSeen_CountsZero() =>
        Assert.Equal([1, 0], Customers(BuildIndex(Abc), Query("product_view,order_paid", 100)));

    [Theory]
    [InlineData(0, 10, "steps")]
    [InlineData(33, 10, "steps")]
    [InlineData(2, 0, "window")]
    [InlineData(2, -5, "window")]
    public void Create_OutOfBounds_IsAnError(int steps, int window, string path)
    {
        var created = FunnelQuery.Create([.. Enumerable.Repeat(new FunnelStep("product_view"), steps)], window);
        Assert.Equal(path, created.Error?.Path);
    }

    [Fact]
    public void Create_RangeEndingBeforeItStarts_IsAnError()
    {
        Assert.Equal("to", FunnelQuery.Create([new FunnelStep("product_view")], 10, firstStepFrom: 100, firstStepTo: 99).Error?.Path);
        Assert.True(FunnelQuery.Create([new FunnelStep("product_view")], 10, firstStepFrom: 100, firstStepTo: 100).IsSuccess);
        Assert.True(FunnelQuery.Create([.. Enumerable.Repeat(new FunnelStep("product_view"), 32)], 10).IsSuccess);
    }

    [Theory]
    [InlineData("product_view[colour=red]")]
    [InlineData("product_view[category]")]
    [InlineData("product_view[category=beauty")]
    [InlineData("a,,b")]
    public void ParseList_Malformed_IsAnError(string text) => Assert.False(FunnelStep.ParseList(text).IsSuccess);

    [Fact]
    public void ParseList_FiltersWithCommas_StayWithTheirStep()
    {
        var steps = FunnelStep.ParseList("product_view[category=beauty,channel=douyin],order_paid").Value;
        Assert.Equal(["product_view[category=beauty,channel=douyin]", "order_paid"], steps.Select(s => s.Label));
        Assert.Equal(2, steps[0].Filters.Count);
    }

    [Fact]
    public void Run_ThirtyTwoSteps_ReachesAll()
    {
        var rows = Enumerable.Range(0, 32).Select(i => new Row("u", "product_view", i)).ToArray();
        Assert.All(Customers(BuildIndex(rows), FunnelQuery.Create([.. Enumerable.Repeat(new FunnelStep("product_view"), 32)], 100).Value), c => Assert.Equal(1, c));
    }
}
