using Flywheel.Analytics.Contracts;
using BenchmarkDotNet.Attributes;
using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Index;

namespace Flywheel.Benchmarks;

/// <summary>
/// Attribution over a synthetic in-memory index of 10M events and 200k visitors (a year, 8 channels, about 130k paid
/// orders), every order in the year. Last click is the baseline: one pass, no chain to solve; Markov adds a second pass
/// and the removal-effect solves. Budget: Markov ≤ 2 s.
/// </summary>
[MemoryDiagnoser]
public class AttributionBenchmarks
{
    private const int Events = 10_000_000;
    private const int Visitors = 200_000;
    private EventIndex _index = null!;
    private readonly AttributionQuery _year = new(new DateOnly(2025, 11, 1), new DateOnly(2026, 10, 31));

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var builder = new EventIndexBuilder.Builder();
        string[] channels = ["douyin", "tmall", "jd", "xiaohongshu", "wechat", "kuaishou", "pinduoduo", "baidu"];
        string[] types = ["impression", "impression", "click", "page_view", "product_view", "search", "add_to_cart"];
        string[] campaigns = ["c618", "c1111", "spring", "new-in", "brand"];
        var keys = new string[Visitors];
        for (var v = 0; v < Visitors; v++) keys[v] = "c" + v;
        var start = new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        const long Year = 365L * 86_400_000;
        for (var i = 0; i < Events; i++)
        {
            var v = random.Next(Visitors);
            var channel = random.Next(10) == 0 ? null : channels[Math.Min(random.Next(channels.Length) + random.Next(2), channels.Length - 1)];
            builder.AddEvent(keys[v], null, types[random.Next(types.Length)], start + random.NextInt64(Year), channel, null, null,
                random.Next(3) == 0 ? campaigns[random.Next(campaigns.Length)] : null, null, null, 0);
        }
        for (var v = 0; v < Visitors; v++)
        {
            var orders = random.Next(3) == 0 ? 0 : random.Next(1, 2);
            for (var o = 0; o < orders; o++)
                builder.AddOrder(keys[v], start + random.NextInt64(Year), channels[random.Next(channels.Length)], null, random.NextInt64(1_000, 100_000), 0, 1, null);
        }
        for (var d = 0; d < 365; d++)
            foreach (var c in channels)
                builder.AddSpend(new DateOnly(2025, 11, 1).AddDays(d), c, "", random.NextInt64(10_000, 1_000_000), 0, 0);
        _index = builder.Build("Asia/Shanghai");
    }

    [Benchmark(Baseline = true)]
    public long LastClick() => AttributionEngine.Run(_index, _year, [AttributionModel.LastClick]).Value.TotalGmv;

    [Benchmark]
    public long Markov() => AttributionEngine.Run(_index, _year, [AttributionModel.Markov]).Value.TotalGmv;
}
