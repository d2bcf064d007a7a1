using System.Globalization;
using BenchmarkDotNet.Attributes;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Grow.Domain.Matrix;

namespace Flywheel.Benchmarks;

/// <summary>
/// The channel matrix (issue 15, Grow) for a year on the <see cref="KpiBenchmarks"/> index: 10M events uniform over a year,
/// 200k customers, 11 channels, 100k orders, a spend row per channel and day. The baseline is the KPI report by channel,
/// the pass the matrix must agree with; the matrix adds stages (distinct UV and buyers per stage) and new/repeat orders.
/// Target: ≤ 200 ms. <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- --filter '*ChannelMatrixBenchmarks*' --job short</c>
/// </summary>
[MemoryDiagnoser]
public class ChannelMatrixBenchmarks
{
    private const int Events = 10_000_000;
    private const int Customers = 200_000;
    private static readonly DateOnly From = new(2025, 11, 1), To = new(2026, 10, 31);
    private EventIndex _index = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The same synthetic index as KpiBenchmarks (same seed and shape).
        string[] types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid", "search"];
        string[] channels = ["xiaohongshu", "douyin", "bilibili", "weibo", "tmall", "jd", "pinduoduo", "wechat", "baidu", "email", "sms"];
        var random = new Random(11);
        var start = new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        var ids = Enumerable.Range(0, Customers).Select(c => "c" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
        var campaigns = Enumerable.Range(0, 50).Select(c => "camp" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
        var skus = Enumerable.Range(0, 500).Select(c => "sku" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
        var builder = new EventIndexBuilder.Builder();
        foreach (var id in ids) builder.AddCustomer(id, random.Next(3) == 0 ? "广东" : "浙江");
        for (var i = 0; i < Events; i++)
            builder.AddEvent(ids[random.Next(Customers)], null, types[random.Next(types.Length)], start + random.NextInt64(0, 365L * 86_400_000),
                channels[random.Next(channels.Length)], null, null, campaigns[random.Next(campaigns.Length)], skus[random.Next(skus.Length)], null, 0);
        for (var o = 0; o < Customers / 2; o++)
            builder.AddOrder(ids[random.Next(Customers)], start + random.NextInt64(0, 365L * 86_400_000), channels[random.Next(channels.Length)], null,
                random.NextInt64(1_000, 100_000), 0, 1, "sku1");
        var day = new DateOnly(2025, 11, 1);
        for (var d = 0; d < 365; d++)
            foreach (var channel in channels)
                builder.AddSpend(day.AddDays(d), channel, "", random.NextInt64(10_000, 1_000_000), 100_000, 2_000);
        _index = builder.Build("Asia/Shanghai");
    }

    [Benchmark(Baseline = true)]
    public int KpisByChannel() => KpiEngine.Run(_index, new KpiQuery(From, To) { By = KpiGrouping.Channel }).Value.Count;

    [Benchmark]
    public int Matrix() => ChannelMatrixEngine.Compute(_index, From, To, StageMap.Default).Stages.Count;
}
