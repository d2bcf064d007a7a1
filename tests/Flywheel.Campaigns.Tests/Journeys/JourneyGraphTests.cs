using Flywheel.Campaigns.Journeys;

namespace Flywheel.Campaigns.Tests.Journeys;

public sealed class JourneyGraphTests
{
    private static readonly JourneyGraph Graph = new(Samples.Journey());

    [Fact]
    public void Successors_follow_every_edge()
    {
        Assert.Equal(["coupon"], Graph.Successors("wait_30m"));
        Assert.Equal(["send", "send_b"], Graph.Successors("split"));
        Assert.Equal(["points", "wait_morning"], Graph.Successors("branch"));
        Assert.Empty(Graph.Successors("exit"));
        Assert.Empty(Graph.Successors("no_such_step"));
    }

    [Fact]
    public void Edges_name_their_fields()
    {
        var edges = JourneyGraph.EdgesOf(Graph.Find("split")!);
        Assert.Equal([new JourneyEdge("split", "A", "send", "variants[0].next"), new JourneyEdge("split", "B", "send_b", "variants[1].next")], edges);
        Assert.Equal(["then", "else"], JourneyGraph.EdgesOf(Graph.Find("branch")!).Select(e => e.Field));
    }

    [Fact]
    public void Next_by_variant_or_branch()
    {
        Assert.Equal("coupon", JourneyGraph.Next(Graph.Find("wait_30m")!));
        Assert.Equal("send_b", JourneyGraph.Next(Graph.Find("split")!, "B"));
        Assert.Null(JourneyGraph.Next(Graph.Find("split")!, "holdout"));
        Assert.Equal("points", JourneyGraph.Next(Graph.Find("branch")!, "then"));
        Assert.Equal("wait_morning", JourneyGraph.Next(Graph.Find("branch")!, "else"));
        Assert.Equal("wait_morning", JourneyGraph.Next((BranchStep)Graph.Find("branch")!, conditionHolds: false));
        Assert.Null(JourneyGraph.Next(Graph.Find("exit")!));
        Assert.Throws<ArgumentException>(() => JourneyGraph.Next(Graph.Find("split")!, "C"));
        Assert.Throws<ArgumentException>(() => JourneyGraph.Next(Graph.Find("branch")!));
    }

    [Fact]
    public void Topological_order_puts_every_step_before_its_successors()
    {
        var order = Graph.TopologicalOrder().Value;
        Assert.Equal(9, order.Count);
        Assert.Equal("wait_30m", order[0]);
        Assert.Equal("exit", order[^1]);
        foreach (var id in order)
            foreach (var next in Graph.Successors(id))
                Assert.True(order.ToList().IndexOf(id) < order.ToList().IndexOf(next), $"{id} before {next}");
    }

    [Fact]
    public void Reachable_and_index()
    {
        Assert.Equal(9, Graph.Reachable().Count);
        Assert.Equal(5, Graph.IndexOf("branch"));
        Assert.Equal(-1, Graph.IndexOf("nope"));
        Assert.Equal("wait_30m", Graph.StartStep!.Id);
        var fromCoupon = new JourneyGraph(Samples.Journey() with { Start = "coupon" });
        Assert.DoesNotContain("wait_30m", fromCoupon.Reachable());
        Assert.Empty(Graph.Cycles());
    }
}
