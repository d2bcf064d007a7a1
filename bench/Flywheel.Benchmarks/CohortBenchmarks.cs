using Flywheel.Analytics.Contracts;
using BenchmarkDotNet.Attributes;
using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Index;

namespace Flywheel.Benchmarks;

/// <summary>
/// The 12×12 monthly retention matrix on a synthetic in-memory index of 10M events and 200k visitors (about 500k paid
/// orders): every visitor signs up in 2025 and stays active into 2026, so all 144 cells are observed. Target: ≤ 200 ms.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- --filter '*Cohort*' --job short</c>
/// </summary>
[MemoryDiagnoser]
public class CohortBenchmarks
{
    private const int Events = 10_000_000;
    private const int Visitors = 200_000;
    private EventIndex _index = null!;

    private static readonly CohortQuery Purchases = new(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), CohortPeriod.Month,
        CohortEntry.FirstPurchase, CohortReturn.Purchase, 12);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var builder = new EventIndexBuilder.Builder();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        var end = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        string[] types = ["page_view", "product_view", "search", "add_to_cart", "begin_checkout"];
        string[] channels = ["douyin", "jd", "tmall", "wechat", "xiaohongshu"];
        var perVisitor = Events / Visitors;
        for (var v = 0; v < Visitors; v++)
        {
            var id = "c" + v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var signup = start + random.NextInt64(0, 365L * 86_400_000);
            var channel = channels[random.Next(channels.Length)];
            builder.AddEvent(id, null, "signup", signup, channel, null, null, null, null, null, 0);
            for (var e = 1; e < perVisitor; e++)
                builder.AddEvent(id, null, types[random.Next(types.Length)], random.NextInt64(signup, end), channels[random.Next(channels.Length)],
                    null, null, null, null, null, 0);
            var orders = random.Next(0, 6);
            for (var o = 0; o < orders; o++)
                builder.AddOrder(id, random.NextInt64(signup, end), channels[random.Next(channels.Length)], null, random.NextInt64(1_000, 100_000), 0, 1, null);
        }
        _index = builder.Build("Asia/Shanghai");
    }

    [Benchmark]
    public int FirstPurchase_ReturnPurchase() => CohortEngine.Run(_index, Purchases).Value.Count;

    [Benchmark]
    public int Signup_ReturnAnyEvent() =>
        CohortEngine.Run(_index, Purchases with { Entry = CohortEntry.Signup, Return = CohortReturn.AnyEvent }).Value.Count;
}
