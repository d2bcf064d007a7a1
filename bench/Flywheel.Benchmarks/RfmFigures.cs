using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Rfm;

namespace Flywheel.Benchmarks;

/// <summary>
/// RFM scoring over a hand-built index of C customers and N paid orders spread over two years.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- rfm 1000000 10000000</c>
/// </summary>
internal static class RfmFigures
{
    public static Task<int> RunAsync(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var orders = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
        var random = new Random(7);
        var b = new EventIndexBuilder.Builder();
        var keys = Enumerable.Range(0, customers).Select(i => "c" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        foreach (var key in keys) b.AddCustomer(key, null);
        var start = new DateTimeOffset(2024, 7, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        for (var i = 0; i < orders; i++)
            b.AddOrder(keys[random.Next(customers)], start + random.NextInt64(730L * 86_400_000), "tmall", null, random.NextInt64(1_000, 100_000), 0, 1, null);
        var index = b.Build("Asia/Shanghai");
        Console.WriteLine($"index: {index.VisitorCount:N0} customers, {index.OrderCount:N0} orders");
        var query = new RfmQuery(new DateOnly(2026, 6, 30));
        RfmEngine.Run(index, query);
        var times = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            var result = RfmEngine.Run(index, query).Value;
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (run == 0) Console.WriteLine($"scored {result.Scores.Count:N0} customers");
        }
        Console.WriteLine($"RFM scoring (quintiles, 365-day window): median {times.Order().ElementAt(2):F0} ms of 5 runs (min {times.Min():F0}, max {times.Max():F0})");
        return Task.FromResult(0);
    }
}
