using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Rfm;

namespace Flywheel.Customers.Tests.Rfm;

public class RfmEngineTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    /// <summary>Paid at local noon (Asia/Shanghai) on the given date.</summary>
    private static long Noon(DateOnly day) => new DateTimeOffset(day.Year, day.Month, day.Day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    private static EventIndex Index(params (string Customer, DateOnly Day, long Fen, long Refund)[] orders)
    {
        var b = new EventIndexBuilder.Builder();
        foreach (var customer in orders.Select(o => o.Customer).Distinct().Order(StringComparer.Ordinal)) b.AddCustomer(customer, null);
        b.AddCustomer("never", null);
        foreach (var (customer, day, fen, refund) in orders) b.AddOrder(customer, Noon(day), "tmall", null, fen, refund, 1, null);
        return b.Build("Asia/Shanghai");
    }

    [Fact]
    public void Segments_GridAssignsAllElevenAndEachHasAGroupAndAction()
    {
        var seen = new HashSet<RfmSegment>();
        for (var r = 1; r <= 5; r++)
            for (var f = 1; f <= 5; f++)
                for (var m = 1; m <= 5; m++)
                    seen.Add(RfmSegments.Of(r, f, m));
        Assert.Equal(RfmSegments.All.ToHashSet(), seen);
        Assert.Equal(RfmSegments.Champions, RfmSegments.Of(5, 5, 5));
        Assert.Equal(RfmSegments.Lost, RfmSegments.Of(1, 1, 1));
        Assert.Equal(RfmSegments.CantLose, RfmSegments.Of(1, 5, 4));
        Assert.Equal(RfmSegments.New, RfmSegments.Of(5, 1, 1));
        Assert.Equal(OperatingGroup.HighValue, RfmSegments.Champions.Group);
        Assert.Equal(OperatingGroup.ChurnRisk, RfmSegments.AtRisk.Group);
        Assert.Equal(OperatingGroup.Potential, RfmSegments.PotentialLoyalist.Group);
        Assert.All(RfmSegments.All, s => Assert.False(string.IsNullOrWhiteSpace(s.ActionZh + s.NameZh)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RfmSegments.Of(0, 3, 3));
    }

    [Fact]
    public void Run_Quintiles_HandComputed()
    {
        // Five buyers, one of each quintile in every dimension; "old" bought only before the window.
        var index = Index(
            ("a", AsOf, 50_000, 0), ("a", AsOf.AddDays(-10), 50_000, 0), ("a", AsOf.AddDays(-20), 50_000, 0), ("a", AsOf.AddDays(-30), 50_000, 0), ("a", AsOf.AddDays(-40), 50_000, 0),
            ("b", AsOf.AddDays(-5), 30_000, 0), ("b", AsOf.AddDays(-50), 30_000, 0), ("b", AsOf.AddDays(-60), 30_000, 0), ("b", AsOf.AddDays(-70), 30_000, 0),
            ("c", AsOf.AddDays(-100), 20_000, 0), ("c", AsOf.AddDays(-110), 20_000, 0), ("c", AsOf.AddDays(-120), 20_000, 0),
            ("d", AsOf.AddDays(-200), 10_000, 4_000), ("d", AsOf.AddDays(-210), 10_000, 0),
            ("e", AsOf.AddDays(-364), 5_000, 0),
            ("old", AsOf.AddDays(-365), 999_000, 0));
        var result = RfmEngine.Run(index, new RfmQuery(AsOf)).Value;
        Assert.Equal(["a", "b", "c", "d", "e"], result.Scores.Select(s => s.CustomerId).Order(StringComparer.Ordinal));
        var a = result.Of("a")!;
        Assert.Equal((0, 5, 250_000L, 5, 5, 5), (a.RecencyDays, a.Frequency, a.Monetary, a.R, a.F, a.M));
        Assert.Equal(RfmSegments.Champions, a.Segment);
        var d = result.Of("d")!;
        Assert.Equal((200, 2, 16_000L, 2, 2, 2), (d.RecencyDays, d.Frequency, d.Monetary, d.R, d.F, d.M)); // refunds reduce M
        Assert.Equal(RfmSegments.AboutToSleep, d.Segment);
        Assert.Equal((1, 1, 1), (result.Of("e")!.R, result.Of("e")!.F, result.Of("e")!.M));
        Assert.Equal(RfmSegments.Lost, result.Of("e")!.Segment);
        Assert.Null(result.Of("old"));

        var champions = result.Segments.Single(s => s.Segment == RfmSegments.Champions);
        Assert.Equal((4, 4, 4), (result.Of("b")!.R, result.Of("b")!.F, result.Of("b")!.M)); // R4, FM4: also a champion
        Assert.Equal(2, champions.Customers);
        Assert.Equal(0.4, champions.Share, 10);
        Assert.Equal(370_000, champions.Gmv);
        Assert.Equal(370_000.0 / (250_000 + 120_000 + 60_000 + 16_000 + 5_000), champions.GmvShare, 10);
        Assert.Equal(result.Scores.Count, result.Segments.Sum(s => s.Customers));
    }

    [Fact]
    public void Run_TiesScoreTheSameAndTheBestFifthScoresFive()
    {
        // Ten buyers with one order each (F all tied), recency 0..9 days, M 1..10 yuan.
        var orders = Enumerable.Range(0, 10).Select(i => ($"c{i}", AsOf.AddDays(-i), (long)(i + 1) * 100, 0L)).ToArray();
        var result = RfmEngine.Run(Index(orders), new RfmQuery(AsOf)).Value;
        Assert.All(result.Scores, s => Assert.Equal(1, s.F));
        Assert.Equal([5, 5, 4, 4, 3, 3, 2, 2, 1, 1], Enumerable.Range(0, 10).Select(i => result.Of($"c{i}")!.R));
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], Enumerable.Range(0, 10).Select(i => result.Of($"c{i}")!.M));
    }

    [Fact]
    public void Run_Thresholds_ScoreByCutPoints()
    {
        var cuts = RfmThresholds.Parse("r=30,60,90,180;f=2,3,5,8;m=100,300,800,2000").Value;
        var index = Index(("a", AsOf.AddDays(-30), 10_000, 0), ("a", AsOf.AddDays(-31), 20_000, 0), ("b", AsOf.AddDays(-181), 9_999, 0));
        var result = RfmEngine.Run(index, new RfmQuery(AsOf, 365, cuts)).Value;
        Assert.Equal((5, 2, 3), (result.Of("a")!.R, result.Of("a")!.F, result.Of("a")!.M));
        Assert.Equal((1, 1, 1), (result.Of("b")!.R, result.Of("b")!.F, result.Of("b")!.M));
    }

    [Theory]
    [InlineData("r=30,60,90;f=2,3,5,8;m=100,300,800,2000", "thresholds.r")]
    [InlineData("r=30,60,90,80;f=2,3,5,8;m=100,300,800,2000", "thresholds.r")]
    [InlineData("r=30,60,90,180;f=2,3,5,x;m=100,300,800,2000", "thresholds.f")]
    [InlineData("r=30,60,90,180;f=2,3,5,8;m=1e3,300,800,2000", "thresholds.m")]
    [InlineData("r=30,60,90,180;f=2,3,5,8", "thresholds")]
    public void Thresholds_Bad_NameThePart(string text, string path) => Assert.Equal(path, RfmThresholds.Parse(text).Error?.Path);

    [Fact]
    public void Run_BadQuery_NamesTheField()
    {
        var index = Index(("a", AsOf, 100, 0));
        Assert.Equal("window", RfmEngine.Run(index, new RfmQuery(AsOf, 0)).Error?.Path);
        Assert.Equal("as-of", RfmEngine.Run(index, new RfmQuery(new DateOnly(2099, 1, 1))).Error?.Path);
        Assert.Equal("compare", RfmEngine.Migration(index, new RfmQuery(AsOf), AsOf).Error?.Path);
    }

    [Fact]
    public void Migration_CountsMovesBetweenDates()
    {
        // a: champion-like at AsOf, nothing after; b: buys only after AsOf.
        var later = AsOf.AddDays(400);
        var index = Index(("a", AsOf, 10_000, 0), ("a", AsOf.AddDays(-1), 10_000, 0), ("c", AsOf.AddDays(-300), 100, 0), ("b", later, 500, 0));
        var migration = RfmEngine.Migration(index, new RfmQuery(AsOf), later).Value;
        var none = migration.Segments.Count - 1;
        long Count(string from, string to) => migration.Counts[migration.Segments.ToList().IndexOf(from), migration.Segments.ToList().IndexOf(to)];
        Assert.Equal("none", migration.Segments[none]);
        Assert.Equal(1, Count(RfmEngine.Run(index, new RfmQuery(AsOf)).Value.Of("a")!.Segment.Code, "none"));
        Assert.Equal(1, Count("none", RfmEngine.Run(index, new RfmQuery(later)).Value.Of("b")!.Segment.Code));
        Assert.Equal(3, migration.Counts.Cast<long>().Sum());
    }

    [Fact]
    public void Run_MatchesAReferenceOnRandomData()
    {
        foreach (var seed in new[] { 1, 2, 3, 4 })
        {
            var random = new Random(seed);
            var orders = Enumerable.Range(0, 600)
                .Select(_ => ($"c{random.Next(150)}", AsOf.AddDays(-random.Next(500)), random.NextInt64(100, 100_000), random.Next(5) == 0 ? random.NextInt64(0, 100) : 0L))
                .ToArray();
            var result = RfmEngine.Run(Index(orders), new RfmQuery(AsOf, 365)).Value;

            // Reference: LINQ over the raw orders with the documented scoring rule.
            var facts = orders.Where(o => o.Item2 > AsOf.AddDays(-365) && o.Item2 <= AsOf).GroupBy(o => o.Item1)
                .ToDictionary(g => g.Key, g => (R: AsOf.DayNumber - g.Max(o => o.Item2).DayNumber, F: g.Count(), M: g.Sum(o => o.Item3 - o.Item4)));
            int Score(long value, IEnumerable<long> all)
            {
                var values = all.ToList();
                return Math.Min(5, 1 + (int)(5L * values.Count(x => x < value) / values.Count));
            }
            Assert.Equal(facts.Count, result.Scores.Count);
            foreach (var (id, f) in facts)
            {
                var s = result.Of(id)!;
                Assert.Equal((f.R, f.F, f.M), (s.RecencyDays, s.Frequency, s.Monetary));
                Assert.Equal(Score(-f.R, facts.Values.Select(x => -(long)x.R)), s.R);
                Assert.Equal(Score(f.F, facts.Values.Select(x => (long)x.F)), s.F);
                Assert.Equal(Score(f.M, facts.Values.Select(x => x.M)), s.M);
                Assert.Equal(RfmSegments.Of(s.R, s.F, s.M), s.Segment);
            }
        }
    }
}
