using Flywheel.Analytics.Contracts;
using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Clv;

namespace Flywheel.Benchmarks;

/// <summary>
/// CLV fit at scale: builds an event index by hand with N customers whose paid orders follow BG/NBD (about ten orders
/// each, so ~10M orders for 1M customers) over three years, then times what <c>flywheel clv fit</c> does after loading
/// the index: the customer summaries (<see cref="ClvSummaries.FromIndex"/>), the BG/NBD fit and the Gamma-Gamma fit.
/// Three runs; the median is the figure. Wall and CPU time are both printed, with the machine's load average, because a
/// shared machine's other work stretches the wall time.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- clv-fit 1000000</c>
/// </summary>
internal static class ClvFitFigures
{
    // Generating parameters (weeks): λ ~ Gamma(1.5, 9) (mean 0.17 a week), p ~ Beta(0.5, 12); spend Gamma(6, ν), ν ~ Gamma(3.5, 9000 fen).
    private static readonly BgNbdModel Truth = new(1.5, 9, 0.5, 12);
    private static readonly GammaGammaModel SpendTruth = new(6, 3.5, 9000);

    public static int Run(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var clock = Stopwatch.StartNew();
        var index = Build(customers, out var end);
        Console.WriteLine($"index by hand: {customers:N0} customers, {index.OrderCount:N0} orders in {clock.Elapsed.TotalSeconds:F1} s");

        var totals = new List<double>();
        var process = Process.GetCurrentProcess();
        for (var run = 1; run <= 3; run++)
        {
            GC.Collect();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            clock.Restart();
            var data = ClvSummaries.FromIndex(index, end, ClvUnit.Week);
            var summaries = clock.Elapsed.TotalSeconds;
            var bgnbd = ClvFitter.FitBgNbd(data.Customers).Value;
            var fitted = clock.Elapsed.TotalSeconds;
            var spend = ClvFitter.FitGammaGamma(data.Customers).Value;
            var total = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            totals.Add(total);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: summaries {summaries:F2} s, BG/NBD {fitted - summaries:F2} s ({bgnbd.Groups:N0} groups of {bgnbd.Customers:N0} customers, {bgnbd.Evaluations} evaluations), " +
                $"Gamma-Gamma {total - fitted:F2} s ({spend.Customers:N0} customers, {spend.Evaluations} evaluations); total {total:F2} s wall, {cpu:F2} s CPU; " +
                $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            if (run == 1)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  fit r {bgnbd.Model.R:0.###} α {bgnbd.Model.Alpha:0.###} a {bgnbd.Model.A:0.###} b {bgnbd.Model.B:0.###} (generated {Truth.R}, {Truth.Alpha}, {Truth.A}, {Truth.B}); " +
                    $"p {spend.Model.P:0.###} q {spend.Model.Q:0.###} γ {spend.Model.Gamma:0.#} (generated {SpendTruth.P}, {SpendTruth.Q}, {SpendTruth.Gamma})"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median total: {totals.Order().ElementAt(1):F2} s"));
        GC.KeepAlive(index);
        return 0;
    }

    /// <summary>Each customer's first purchase falls in 2024-01-01..2026-10-31 (UTC+8); repeat purchases follow BG/NBD until 2026-11-21.</summary>
    internal static EventIndex Build(int customers, out DateOnly end)
    {
        end = new DateOnly(2026, 11, 21);
        var random = new Random(17);
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        var endMs = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        const double weekMs = 7 * 86_400_000.0;
        var b = new EventIndexBuilder.Builder();
        for (var c = 0; c < customers; c++)
        {
            var id = "c" + c.ToString("D7", CultureInfo.InvariantCulture);
            b.AddCustomer(id, null);
            var lambda = Gamma(random, Truth.R) / Truth.Alpha;
            var g = Gamma(random, Truth.A);
            var p = g / (g + Gamma(random, Truth.B));
            var nu = Gamma(random, SpendTruth.Q) / SpendTruth.Gamma;
            var t = (double)(start + random.NextInt64(0, 1035L * 86_400_000));
            for (var n = 0; t < endMs; n++)
            {
                b.AddOrder(id, (long)t, "tmall", null, Math.Max(1, (long)(Gamma(random, SpendTruth.P) / nu)), 0, 1, null);
                if (n > 0 && random.NextDouble() < p) break;
                t += -Math.Log(1 - random.NextDouble()) / lambda * weekMs;
            }
        }
        return b.Build("Asia/Shanghai");
    }

    private static double Gamma(Random random, double shape)
    {
        if (shape < 1) return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.Log(u) < 0.5 * z * z + d * (1 - v + Math.Log(v))) return d * v;
        }
    }
}
