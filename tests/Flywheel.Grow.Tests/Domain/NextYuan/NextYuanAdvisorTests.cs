using Flywheel.Grow.Domain.NextYuan;

namespace Flywheel.Grow.Tests.Domain.NextYuan;

public sealed class NextYuanAdvisorTests
{
    private static ChannelWeeks Channel(string name, int seed, double a, double b, double noise, long lo, long hi)
    {
        var weeks = ResponseCurveTests.Synthetic(seed, 12, a, b, noise, lo, hi);
        return new ChannelWeeks(name, [.. weeks.Select(w => w.Spend)], [.. weeks.Select(w => w.Gmv)]);
    }

    [Fact]
    public void Advise_MovesMoneyTowardsTheHigherMarginalRoi_AndExpectsMoreGmv()
    {
        // Same spend, but one channel returns far more per yuan at the margin.
        var strong = Channel("strong", 1, 200, 0.6, 0.03, 50_000, 150_000);
        var weak = Channel("weak", 2, 20, 0.6, 0.03, 50_000, 150_000);
        var advice = NextYuanAdvisor.Advise([strong, weak], budget: null);
        var s = advice.Channels.Single(c => c.Channel == "strong");
        var w = advice.Channels.Single(c => c.Channel == "weak");
        Assert.Equal(Verdict.Add, s.Verdict);
        Assert.Equal(Verdict.Cut, w.Verdict);
        Assert.True(s.SuggestedSpend > s.CurrentSpend);
        Assert.True(w.SuggestedSpend < w.CurrentSpend);
        Assert.True(s.SuggestedSpend <= (long)(s.MaxWeeklySpend * NextYuanAdvisor.CapFactor));
        Assert.True(advice.ExpectedGmvChange > 0);
        Assert.Equal(advice.CurrentTotalSpend, advice.Budget);
        Assert.True(advice.SuggestedTotalSpend <= advice.Budget);
    }

    [Fact]
    public void Advise_ExplainsWhyTheDataCannotTell()
    {
        long[] few = [10_000, 0, 0, 0, 0, 0, 0, 0, 0, 20_000, 0, 30_000];
        var increasing = Channel("increasing", 3, 0.01, 1.6, 0.02, 50_000, 150_000);
        var falling = Channel("falling", 4, 1e9, -0.5, 0.02, 50_000, 150_000);
        var noisy = Channel("noisy", 5, 200, 0.6, 1.5, 90_000, 110_000);
        var advice = NextYuanAdvisor.Advise([new ChannelWeeks("few", few, [.. few.Select(s => s * 3)]), increasing, falling, noisy], budget: null);
        Assert.All(advice.Channels, c => Assert.Equal(Verdict.CannotTell, c.Verdict));
        Assert.Contains("at least 6", advice.Channels.Single(c => c.Channel == "few").Reason, StringComparison.Ordinal);
        Assert.Contains("> 1", advice.Channels.Single(c => c.Channel == "increasing").Reason, StringComparison.Ordinal);
        Assert.Contains("≤ 0", advice.Channels.Single(c => c.Channel == "falling").Reason, StringComparison.Ordinal);
        Assert.Matches("poor|hardly varied", advice.Channels.Single(c => c.Channel == "noisy").Reason);
        Assert.Null(advice.EqualisedMarginalRoi);
        Assert.Equal(0, advice.ExpectedGmvChange);
        Assert.All(advice.Channels, c => Assert.Equal(c.CurrentSpend, c.SuggestedSpend));
    }

    [Fact]
    public void Advise_LeavesOutChannelsWithoutSpend()
    {
        var advice = NextYuanAdvisor.Advise([new ChannelWeeks("organic", new long[12], [.. Enumerable.Repeat(1_000L, 12)])], budget: 1_000);
        Assert.Empty(advice.Channels);
        Assert.Equal(1_000, advice.Unallocated);
    }

    [Fact]
    public void Advise_BudgetBelowTheUndeterminedChannels_ShrinksThemAndNeverExceedsIt()
    {
        long[] flat = [.. Enumerable.Repeat(100_000L, 12)];
        var advice = NextYuanAdvisor.Advise([new ChannelWeeks("flat", flat, flat), Channel("curve", 6, 200, 0.6, 0.03, 50_000, 150_000)], budget: 40_000);
        Assert.True(advice.SuggestedTotalSpend <= 40_000);
        Assert.Equal(40_000, advice.Channels.Single(c => c.Channel == "flat").SuggestedSpend);
        Assert.Equal(0, advice.Channels.Single(c => c.Channel == "curve").SuggestedSpend);
        Assert.NotEmpty(advice.Notes);
    }

    /// <summary>
    /// Random curves, caps and budgets (seeded, 300 cases): the allocation never exceeds the budget or a cap, spends the budget
    /// when the caps allow it, and leaves equal marginal ROIs among the channels strictly inside (0, cap).
    /// </summary>
    [Fact]
    public void Allocate_NeverExceedsTheBudgetOrACap_AndEqualisesMarginalRoi()
    {
        var random = new Random(20261207);
        for (var run = 0; run < 300; run++)
        {
            var n = random.Next(1, 7);
            var curves = new List<(ResponseCurve, long)>();
            for (var i = 0; i < n; i++)
            {
                var b = i == 0 && run % 10 == 0 ? 1.0 : 0.05 + 0.95 * random.NextDouble();
                var meanLog = Math.Log(1_000 + random.Next(1_000_000));
                var curve = new ResponseCurve(meanLog + random.NextDouble() * 3, b, meanLog, 0.1, 0.01, 0.05, 0.9, 12, 0.3);
                curves.Add((curve, random.Next(0, 5) == 0 ? 0 : random.NextInt64(1, 3_000_000)));
            }
            var budget = random.Next(0, 4) == 0 ? random.NextInt64(0, 100) : random.NextInt64(0, 12_000_000);
            var (spends, level) = NextYuanAdvisor.Allocate(curves, budget);
            Assert.True(spends.Sum() <= budget, $"run {run}: {spends.Sum()} > {budget}");
            for (var i = 0; i < n; i++) Assert.InRange(spends[i], 0, Math.Max(0, curves[i].Item2));
            var capSum = curves.Sum(c => c.Item2);
            if (capSum >= budget) Assert.True(budget - spends.Sum() <= n, $"run {run}: {budget - spends.Sum()} fen left");
            var interior = Enumerable.Range(0, n).Where(i => spends[i] > 1_000 && spends[i] < curves[i].Item2 - 1_000 && curves[i].Item1.Elasticity < 0.98).ToList();
            foreach (var i in interior)
                Assert.InRange(curves[i].Item1.MarginalRoi(spends[i]) / level, 0.98, 1.02);
        }
    }

    [Fact]
    public void Allocate_HugeBudget_StopsAtTheCaps()
    {
        var curve = new ResponseCurve(Math.Log(500_000), 0.5, Math.Log(100_000), 0.1, 0.01, 0.05, 0.9, 12, 0.3);
        var (spends, _) = NextYuanAdvisor.Allocate([(curve, 150_000), (curve, 30_000)], 1_000_000_000_000);
        Assert.Equal([150_000L, 30_000L], spends);
    }
}
