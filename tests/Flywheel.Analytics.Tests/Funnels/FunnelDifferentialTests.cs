using Flywheel.Analytics.Funnels;
using static Flywheel.Analytics.Tests.Funnels.FunnelEngineTests;

namespace Flywheel.Analytics.Tests.Funnels;

/// <summary>
/// FunnelEngine against a slow reference written straight from the ClickHouse windowFunnel algorithm over the raw rows:
/// every (seed, mode) pair must give the same level for every visitor, the same step counts and the same times.
/// </summary>
public sealed class FunnelDifferentialTests
{
    private static readonly string[] Types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid"];
    private static readonly string?[] Channels = ["douyin", "tmall", null];
    private static readonly string?[] Skus = ["k-beauty", "k-food", null];

    /// <summary>Every seed with every mode (by name: the test class is public, the mode type internal to Analytics).</summary>
    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        for (var seed = 1; seed <= 20; seed++)
            foreach (var mode in Enum.GetValues<FunnelMode>()) data.Add(seed, mode.ToString());
        return data;
    }

    /// <summary>
    /// Sixty visitors with up to 24 random events each and a random funnel of <paramref name="minSteps"/> to 5 steps. With
    /// <paramref name="anonymous"/>, about a quarter of the visitors are anonymous ids.
    /// </summary>
    private static (List<Row> Rows, FunnelQuery Query) RandomCase(int seed, FunnelMode mode, int minSteps = 1, bool anonymous = false)
    {
        var random = new Random(seed);
        var rows = new List<Row>();
        for (var v = 0; v < 60; v++)
        {
            var key = anonymous && random.Next(4) == 0 ? $"~v{v:00}" : $"v{v:00}";
            for (var e = random.Next(0, 25); e > 0; e--)
                rows.Add(new Row(key, Types[random.Next(Types.Length)], random.Next(0, 300), Channels[random.Next(3)], Skus[random.Next(3)]));
        }
        var stepCount = random.Next(minSteps, 6);
        var steps = new List<FunnelStep>();
        for (var k = 0; k < stepCount; k++)
        {
            var type = Types[random.Next(1, Types.Length)];
            steps.Add(random.Next(4) switch
            {
                0 => new FunnelStep(type, [new FunnelFilter(FunnelField.Channel, "douyin")]),
                1 => new FunnelStep(type, [new FunnelFilter(FunnelField.Category, "beauty")]),
                _ => new FunnelStep(type),
            });
        }
        var window = random.Next(1, 150);
        int? from = random.Next(3) == 0 ? T0Plus(random.Next(0, 150)) : null;
        int? to = from is { } f && random.Next(2) == 0 ? f + random.Next(0, 150) : null;
        var breakdown = (FunnelBreakdown)random.Next(3);
        return (rows, FunnelQuery.Create(steps, window, mode, from, to, breakdown).Value);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_RandomData_MatchesReference(int seed, string mode)
    {
        var (rows, query) = RandomCase(seed, Enum.Parse<FunnelMode>(mode));
        var (steps, breakdown) = (query.Steps, query.Breakdown);
        var index = BuildIndex([.. rows]);
        var result = FunnelEngine.Run(index, query).Value;
        var expected = Reference(rows, query);

        for (var v = 0; v < index.VisitorCount; v++)
            Assert.True(expected[index.VisitorKeys[v]].Level == result.LevelOf(v), $"visitor {index.VisitorKeys[v]}");
        var n = steps.Count;
        for (var k = 0; k < n; k++)
        {
            var reached = expected.Values.Where(x => x.Level > k).ToList();
            Assert.Equal(reached.Count, result.Steps[k].Customers);
            var times = reached.Select(x => x.Convert[k]).Order().ToList();
            Assert.Equal(times.Count == 0 ? null : times[Math.Max(0, (int)Math.Ceiling(0.5 * times.Count) - 1)], result.Steps[k].MedianSeconds);
            Assert.Equal(times.Count == 0 ? null : times[Math.Max(0, (int)Math.Ceiling(0.9 * times.Count) - 1)], result.Steps[k].P90Seconds);
            if (breakdown != FunnelBreakdown.None)
            {
                var byValue = reached.GroupBy(x => x.Bucket).ToDictionary(g => g.Key ?? "", g => (long)g.Count());
                var actual = result.Breakdown.Where(r => r.Customers[k] > 0).ToDictionary(r => r.Value ?? "", r => r.Customers[k]);
                Assert.Equal(byValue.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
            }
        }
        Assert.Equal(expected.Where(x => x.Value.Level == 1).Select(x => x.Key).Order(StringComparer.Ordinal),
            result.DroppedAt(0).Order(StringComparer.Ordinal));
    }

    /// <summary>Every drop-off of random funnels, anonymous visitors among them, against the reference's levels.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void DropOff_RandomData_MatchesReference(int seed, string mode)
    {
        var (rows, query) = RandomCase(seed + 1000, Enum.Parse<FunnelMode>(mode), minSteps: 2, anonymous: true);
        var result = FunnelEngine.Run(BuildIndex([.. rows]), query).Value;
        var expected = Reference(rows, query);
        Assert.Contains(expected.Keys, key => key.StartsWith('~'));
        for (var k = 1; k < query.Steps.Count; k++)
        {
            var dropped = expected.Where(x => x.Value.Level == k).Select(x => x.Key).ToList();
            var dropOff = result.DropOff(k);
            Assert.Equal(k, dropOff.DroppedAfter);
            Assert.Equal(dropped.Where(key => !key.StartsWith('~')).Order(StringComparer.Ordinal), dropOff.CustomerIds.Order(StringComparer.Ordinal));
            Assert.Equal(dropped.Count(key => key.StartsWith('~')), dropOff.AnonymousVisitors);
            Assert.Equal(result.Steps[k - 1].DropOff, dropOff.CustomerIds.Count + dropOff.AnonymousVisitors);
        }
    }

    private static int T0Plus(int seconds) => 200_000_000 + seconds;

    private sealed record Outcome(int Level, int[] Convert, string? Bucket);

    private static Dictionary<string, Outcome> Reference(List<Row> rows, FunnelQuery q)
    {
        var n = q.Steps.Count;
        var outcomes = new Dictionary<string, Outcome>();
        foreach (var visitor in rows.GroupBy(r => r.Visitor))
        {
            // OrderBy is stable: equal times keep the order the rows were added in, as the index does.
            var events = visitor.OrderBy(r => r.Time).ToList();
            var chain = new (int Start, int Last, string? Channel)?[n];
            var started = false;
            foreach (var e in events)
            {
                var t = T0Plus(e.Time);
                var matched = Enumerable.Range(0, n).Where(k => Matches(q.Steps[k], e) &&
                    (k > 0 || ((q.FirstStepFrom is null || t >= q.FirstStepFrom) && (q.FirstStepTo is null || t < q.FirstStepTo)))).ToList();
                if (matched.Count == 0)
                {
                    if (q.Mode == FunnelMode.StrictOrder && started) break;
                    continue;
                }
                var inOrder = matched.Where(k => k > 0 && chain[k - 1] is not null).OrderByDescending(k => k).ToList();
                var advance = inOrder.FirstOrDefault(k => t <= (long)chain[k - 1]!.Value.Start + q.WindowSeconds &&
                    (q.Mode != FunnelMode.StrictIncrease || chain[k - 1]!.Value.Last < t), -1);
                if (advance > 0) chain[advance] = (chain[advance - 1]!.Value.Start, t, chain[advance - 1]!.Value.Channel);
                else if (matched.Contains(0))
                {
                    chain[0] = (t, t, e.Channel);
                    started = true;
                }
                else if (q.Mode == FunnelMode.StrictOrder && started && inOrder.Count == 0) break;
                if (chain.All(c => c is not null)) break;
            }
            var level = chain.TakeWhile(c => c is not null).Count();
            var bucket = level == 0 ? null
                : q.Breakdown == FunnelBreakdown.Channel ? chain[level - 1]!.Value.Channel
                : events.FirstOrDefault(e => e.Channel is not null)?.Channel;
            outcomes[visitor.Key] = new Outcome(level, [.. chain.Select(c => c is { } x ? x.Last - x.Start : -1)], bucket);
        }
        return outcomes;
    }

    private static bool Matches(FunnelStep step, Row e) => e.Type == step.EventType && step.Filters.All(f => f.Field switch
    {
        FunnelField.Channel => e.Channel == f.Value,
        FunnelField.Category => (e.Sku == "k-beauty" ? "beauty" : e.Sku == "k-food" ? "food" : null) == f.Value,
        FunnelField.Sku => e.Sku == f.Value,
        _ => false,
    });
}

public sealed class FunnelSelectTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Select_RandomValues_MatchesSortedOrder(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var values = Enumerable.Range(0, random.Next(1, 300)).Select(_ => random.Next(0, round % 2 == 0 ? 5 : 100_000)).ToArray();
            var sorted = values.Order().ToArray();
            var rank = random.Next(values.Length);
            Assert.Equal(sorted[rank], FunnelEngine.Select(values.ToArray(), rank));
        }
    }
}
