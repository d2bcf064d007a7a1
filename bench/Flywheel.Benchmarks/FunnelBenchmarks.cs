using Flywheel.Analytics.Contracts;
using BenchmarkDotNet.Attributes;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;

namespace Flywheel.Benchmarks;

/// <summary>
/// A 4-step, 7-day funnel over a synthetic in-memory index of 10M events from 200k visitors (50 each, over 90 days).
/// The baseline is the same funnel without a breakdown, so the ratio is the breakdown's cost.
/// </summary>
[MemoryDiagnoser]
public class FunnelBenchmarks
{
    private static readonly string[] Types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid", "search"];
    private static readonly string[] Channels = ["douyin", "tmall", "jd", "xiaohongshu", "wechat", "pinduoduo", "kuaishou", "weibo"];
    private EventIndex _index = null!;
    private FunnelQuery _plain = null!, _byChannel = null!;

    [GlobalSetup]
    public void Setup()
    {
        const int visitors = 200_000, perVisitor = 50;
        var random = new Random(42);
        var b = new EventIndexBuilder.Builder();
        var start = EventIndex.ToUnixMs(200_000_000);
        // Weighted so that later steps are rarer, as in a real shop.
        int[] weights = [30, 35, 15, 8, 4, 8];
        var pick = weights.SelectMany((w, i) => Enumerable.Repeat(i, w)).ToArray();
        for (var v = 0; v < visitors; v++)
        {
            var key = "c" + v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var channel = Channels[random.Next(Channels.Length)];
            for (var e = 0; e < perVisitor; e++)
                b.AddEvent(key, null, Types[pick[random.Next(pick.Length)]], start + random.NextInt64(90L * 86400) * 1000,
                    random.Next(4) == 0 ? Channels[random.Next(Channels.Length)] : channel, null, null, null, null, null, 0);
        }
        _index = b.Build("Asia/Shanghai");
        var steps = FunnelStep.ParseList("product_view,add_to_cart,begin_checkout,order_paid").Value;
        _plain = FunnelQuery.Create(steps, 7 * 86400).Value;
        _byChannel = FunnelQuery.Create(steps, 7 * 86400, breakdown: FunnelBreakdown.Channel).Value;
    }

    [Benchmark(Baseline = true)]
    public long FourSteps7Days() => FunnelEngine.Run(_index, _plain).Value.Steps[3].Customers;

    [Benchmark]
    public long FourSteps7DaysByChannel() => FunnelEngine.Run(_index, _byChannel).Value.Steps[3].Customers;

    /// <summary>The funnel plus the customers who dropped after step 2, what a save_audience request adds before the store write.</summary>
    [Benchmark]
    public long FourSteps7DaysWithDropOff() => FunnelEngine.Run(_index, _plain).Value.DropOff(2).CustomerIds.Count;
}
