using Flywheel.Analytics.Contracts;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;

namespace Flywheel.Benchmarks;

/// <summary>
/// KPI queries over a year on a synthetic in-memory index shaped like the <c>analytics</c> store: 10M events uniform over
/// a year, 200k customers, 11 channels, 50 campaigns, 500 SKUs, 100k orders. The baseline is the one-row total, so
/// each ratio is what the grouping or the scope costs on top of the pass itself. Target (issue "Measure"): daily KPIs
/// for a year ≤ 100 ms. <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- --filter '*KpiBenchmarks*' --job short</c>
/// </summary>
[MemoryDiagnoser]
public class KpiBenchmarks
{
    private const int Events = 10_000_000;
    private const int Customers = 200_000;
    private EventIndex _index = null!;

    private static readonly KpiQuery Year = new(new DateOnly(2025, 11, 1), new DateOnly(2026, 10, 31));

    [GlobalSetup]
    public void Setup()
    {
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
    public int Total() => KpiEngine.Run(_index, Year).Value.Count;

    [Benchmark]
    public int Daily() => KpiEngine.Run(_index, Year with { By = KpiGrouping.Day }).Value.Count;

    [Benchmark]
    public int ByChannel() => KpiEngine.Run(_index, Year with { By = KpiGrouping.Channel }).Value.Count;

    [Benchmark]
    public int DailyOneChannel() => KpiEngine.Run(_index, Year with { By = KpiGrouping.Day, Scope = new Scope(Channel: "douyin") }).Value.Count;

    [Benchmark]
    public int DailyOneRegion() => KpiEngine.Run(_index, Year with { By = KpiGrouping.Day, Scope = new Scope(Region: "广东") }).Value.Count;
}
