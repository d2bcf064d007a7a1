using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Contracts;
using Flywheel.Customers;
using Flywheel.Customers.Clv;
using Flywheel.Customers.Contracts;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;
using Flywheel.Customers.Storage;
using Flywheel.Storage;

namespace Flywheel.Benchmarks;

/// <summary>
/// Lifecycle and the p_alive segment field after a CLV fit (issue 13, part 6).
/// <para>
/// <c>lifecycle [customers]</c> (default 1,000,000): the CLV benchmark's index (<see cref="ClvFitFigures.Build"/>: BG/NBD
/// customers, ~10.5 paid orders each over three years), a BG/NBD + Gamma-Gamma fit stored in a temporary SQLite store and
/// read back as the server loads it, then, as of the data's last day, five alternating rounds of:
/// lifecycle without a fit (the baseline: what the same call costs before any fit);
/// lifecycle after the fit with nothing cached (what the first <c>GET /v1/lifecycle</c> after a fit or an index refresh pays:
/// the P(alive) pass and the stages) and with P(alive) cached (later calls on the same index and day);
/// the same through <see cref="LifecycleService.RefreshAsync"/> without recording, as <c>GET /v1/lifecycle</c> calls it, over
/// the store once every customer's stage is recorded in it: through a new service (the first call, which reads the
/// 1,000,000 stored stages) and through one that keeps them (later calls: a version check), with P(alive) not cached
/// and cached;
/// the rule <c>p_alive &lt; 0.3</c> over every customer, uncached and cached, against <c>orders(365d) >= 1</c> as the
/// baseline of an order field.
/// The previous per-customer path (a whole CLV prediction per customer) is timed on a sample of customers spread over the
/// index, and its P(alive) checked against the one-pass values. Variants compared with each other run in alternation; wall
/// and CPU time and the load average are printed: the machine is shared.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- lifecycle 1000000</c>
/// </para>
/// </summary>
internal static class LifecycleFigures
{
    private const int Runs = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var clock = Stopwatch.StartNew();
        var index = ClvFitFigures.Build(customers, out var end);
        Console.WriteLine($"index by hand: {customers:N0} customers, {index.OrderCount:N0} orders in {clock.Elapsed.TotalSeconds:F1} s; as of {end:yyyy-MM-dd}");

        var folder = Directory.CreateTempSubdirectory("flywheel-lifecycle-").FullName;
        try
        {
            var time = new FixedClock(new DateTimeOffset(end.AddDays(1), new TimeOnly(12, 0), TimeSpan.FromHours(8)));
            using var store = (await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), time, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None)).Value;
            clock.Restart();
            var fitted = (await ClvService.FitAsync(store, index, end, ClvUnit.Week, CancellationToken.None)).Value;
            var fit = (await ClvService.LatestAsync(store, CancellationToken.None))!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fit {fitted.Id} in {clock.Elapsed.TotalSeconds:F1} s: r {fit.BgNbd.Model.R:0.###} α {fit.BgNbd.Model.Alpha:0.###} a {fit.BgNbd.Model.A:0.###} b {fit.BgNbd.Model.B:0.###}"));

            // Stage counts with and without the fit: the fit has to matter for the figures to mean anything.
            var before = LifecycleEngine.Run(index, end);
            var after = LifecycleEngine.Run(index, end, new CustomerInsights { Fit = fit }.PAliveOf(index, end));
            Console.WriteLine("stages without the fit: " + Counts(before));
            Console.WriteLine("stages with the fit:    " + Counts(after));
            Console.WriteLine($"P(alive) < 0.3: {after.Count(s => s.PAlive < 0.3):N0} customers, < 0.05: {after.Count(s => s.PAlive < 0.05):N0}");

            var warm = new CustomerInsights { Fit = fit };
            var engine = Compare(
                ("lifecycle, no fit (baseline)", () => LifecycleEngine.Run(index, end).Count),
                ("lifecycle after the fit, nothing cached", () => LifecycleEngine.Run(index, end, new CustomerInsights { Fit = fit }.PAliveOf(index, end)).Count),
                ("lifecycle after the fit, P(alive) cached", () => LifecycleEngine.Run(index, end, warm.PAliveOf(index, end)).Count),
                ("the P(alive) pass alone", () => new CustomerInsights { Fit = fit }.PAlives(index, end)!.Length));
            Console.WriteLine($"  ratios to the baseline: nothing cached {engine[1] / engine[0]:F2}x, cached {engine[2] / engine[0]:F2}x");

            // GET /v1/lifecycle: the service without recording, over a store holding every customer's recorded stage.
            using var service = new LifecycleService(store);
            clock.Restart();
            var recorded = await service.RefreshAsync(index, end, record: true, warm.PAliveOf(index, end), CancellationToken.None);
            Console.WriteLine($"recorded {recorded.Transitions.Count:N0} stages in the store in {clock.Elapsed.TotalSeconds:F1} s");
            var read = 0;
            int Cold(Func<int, double?>? p)
            {
                using var fresh = new LifecycleService(store);
                return fresh.RefreshAsync(index, end, record: false, p, CancellationToken.None).GetAwaiter().GetResult().Transitions.Count;
            }
            int Warm(Func<int, double?>? p) =>
                service.RefreshAsync(index, end, record: false, p, CancellationToken.None).GetAwaiter().GetResult().Transitions.Count;
            // The kept stages must give what a fresh read gives, with and without the fit (which differ by the fit's moves).
            foreach (var p in new[] { null, warm.PAliveOf(index, end) })
                if (Cold(p) != Warm(p)) throw new InvalidOperationException("kept and freshly read stages give different transition counts");
            Console.WriteLine($"transition_count without the fit {Warm(null):N0}, with it {Warm(warm.PAliveOf(index, end)):N0} (kept and fresh stages agree)");
            var services = Compare(
                ("LifecycleService.RefreshAsync (GET /v1/lifecycle), no fit, stored stages kept (baseline)", () => Warm(null)),
                ("LifecycleService.RefreshAsync (GET /v1/lifecycle), after the fit, nothing cached (a new service: stored stages read)",
                    () => Cold(new CustomerInsights { Fit = fit }.PAliveOf(index, end))),
                ("LifecycleService.RefreshAsync (GET /v1/lifecycle), after the fit, P(alive) not cached, stored stages kept",
                    () => Warm(new CustomerInsights { Fit = fit }.PAliveOf(index, end))),
                ("LifecycleService.RefreshAsync (GET /v1/lifecycle), after the fit, P(alive) cached, stored stages kept", () => Warm(warm.PAliveOf(index, end))),
                ("  reading the stored stages (what a new service or another process's recording costs)",
                    () => read = LifecycleStore.ReadAsync(store, CancellationToken.None).GetAwaiter().GetResult().Stages.Count),
                ("  the version check (every call with stages kept)", () => (int)LifecycleStore.VersionAsync(store, CancellationToken.None).GetAwaiter().GetResult()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ratios to the baseline: nothing cached {services[1] / services[0]:F2}x, stages kept {services[2] / services[0]:F2}x, " +
                $"all cached {services[3] / services[0]:F2}x ({read:N0} stored stages)"));
            // The segment field, over every customer.
            var profiles = ProfileTable.FromRows(Enumerable.Range(0, index.VisitorCount).Where(v => index.IsCustomer[v]).Select(v => new ProfileTable.ProfileRow(index.VisitorKeys[v])));
            var data = new SegmentData(profiles, index);
            var now = new DateTimeOffset(end.Year, end.Month, end.Day, 12, 0, 0, TimeSpan.FromHours(8));
            FieldRegistry Fields(CustomerInsights insights)
            {
                var fields = FieldRegistry.CreateDefault();
                insights.RegisterFields(fields);
                return fields;
            }
            SegmentRule Rule(string text, FieldRegistry fields) =>
                SegmentRule.TryCompile(text, fields, out var rule, out var error) ? rule : throw new InvalidOperationException(error.ToString());
            var orderRule = Rule("orders(365d) >= 1", Fields(new CustomerInsights()));
            SegmentEvaluator.Evaluate(orderRule, data, now); // builds the row→visitor map
            var warmFields = Fields(warm);
            var members = SegmentEvaluator.Evaluate(Rule("p_alive < 0.3", warmFields), data, now).Count;
            var segments = Compare(
                ("segment orders(365d) >= 1 (baseline)", () => SegmentEvaluator.Evaluate(orderRule, data, now).Count),
                ("segment p_alive < 0.3, nothing cached", () =>
                {
                    var insights = new CustomerInsights(() => index) { Fit = fit };
                    return SegmentEvaluator.Evaluate(Rule("p_alive < 0.3", Fields(insights)), data, now).Count;
                }),
                ("segment p_alive < 0.3, P(alive) cached", () => SegmentEvaluator.Evaluate(Rule("p_alive < 0.3", warmFields), data, now).Count));
            Console.WriteLine($"  ratios to the baseline: nothing cached {segments[1] / segments[0]:F2}x, cached {segments[2] / segments[0]:F2}x ({members:N0} members)");

            // The previous path: a whole CLV prediction per customer, on a sample spread over the index.
            var sample = Enumerable.Range(0, 1_000).Select(k => (int)((long)k * index.VisitorCount / 1_000)).Where(v => index.IsCustomer[v]).ToList();
            var alive = warm.PAlives(index, end)!;
            index.FindVisitor(index.VisitorKeys[0]); // builds the key lookup Predict uses, once, outside the timing
            ClvService.Predict(index, fit, index.VisitorKeys[sample[0]], end); // and compiles it
            var cpu = Environment.CpuUsage.TotalTime;
            clock.Restart();
            foreach (var v in sample)
            {
                var p = ClvService.Predict(index, fit, index.VisitorKeys[v], end).TryGetValue(out var prediction, out _) ? prediction.PAlive : double.NaN;
                if (!p.Equals(alive[v])) throw new InvalidOperationException($"visitor {v}: per customer {p}, one pass {alive[v]}");
            }
            var perCustomer = clock.Elapsed.TotalMilliseconds / sample.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"previous path, a CLV prediction per customer: {perCustomer:F3} ms per customer over {sample.Count:N0} customers " +
                $"({(Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / sample.Count:F3} ms CPU; same P(alive) as the one pass); " +
                $"{perCustomer * customers / 1000:F0} s for {customers:N0} customers at that rate"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// <c>lifecycle-demo [customers]</c> (default 3,000): the case. A <c>flywheel demo</c> store of that many customers
    /// (temporary SQLite), fitted up to the data's last day, then lifecycle as of that day three ways: without a fit (baseline),
    /// with P(alive) the previous way (a whole CLV prediction per customer) and the one-pass way, nothing cached.
    /// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- lifecycle-demo 3000</c>
    /// </summary>
    public static async Task<int> DemoAsync(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3_000;
        var folder = Directory.CreateTempSubdirectory("flywheel-lifecycle-demo-").FullName;
        try
        {
            var time = new FixedClock(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(8)));
            using var store = (await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), time, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None)).Value;
            var clock = Stopwatch.StartNew();
            await Flywheel.Ingestion.Demo.DemoStoreGenerator.GenerateAsync(store, new Flywheel.Ingestion.Demo.DemoOptions(customers), time, null, CancellationToken.None);
            var index = await Flywheel.Analytics.Index.EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
            var end = LocalCalendar.DataEnd(index, time);
            var fit = (await ClvService.FitAsync(store, index, end, ClvUnit.Week, CancellationToken.None)).Value;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"demo store: {index.VisitorCount:N0} visitors, {customers:N0} customers, {index.OrderCount:N0} orders, fitted in {clock.Elapsed.TotalSeconds:F1} s as of {end:yyyy-MM-dd}: " +
                $"r {fit.BgNbd.Model.R:0.###} α {fit.BgNbd.Model.Alpha:0.###} a {fit.BgNbd.Model.A:0.###} b {fit.BgNbd.Model.B:0.###}"));

            Func<int, double?> PerCustomer(DateOnly day) =>
                v => ClvService.Predict(index, fit, index.VisitorKeys[v], day).TryGetValue(out var p, out _) ? p.PAlive : null;
            var previous = LifecycleEngine.Run(index, end, PerCustomer(end));
            var onePass = LifecycleEngine.Run(index, end, new CustomerInsights { Fit = fit }.PAliveOf(index, end));
            if (!previous.SequenceEqual(onePass)) throw new InvalidOperationException("the one pass and the per-customer path disagree");
            Console.WriteLine("stages without the fit: " + Counts(LifecycleEngine.Run(index, end)));
            Console.WriteLine("stages with the fit:    " + Counts(onePass) + " (the same, state for state, both ways)");

            var times = Compare(
                ("lifecycle, no fit (baseline)", () => LifecycleEngine.Run(index, end).Count),
                ("lifecycle after the fit, previous path (a CLV prediction per customer)", () => LifecycleEngine.Run(index, end, PerCustomer(end)).Count),
                ("lifecycle after the fit, one pass, nothing cached", () => LifecycleEngine.Run(index, end, new CustomerInsights { Fit = fit }.PAliveOf(index, end)).Count));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ratios to the baseline: previous {times[1] / times[0]:F1}x ({times[1] / customers:F3} ms per customer), one pass {times[2] / times[0]:F2}x"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Counts(IReadOnlyList<LifecycleState> states) =>
        string.Join(", ", LifecycleStages.All.Select(s => $"{s} {states.Count(x => x.Stage == s):N0}"));

    /// <summary>
    /// Times variants side by side: one warm-up each, then <see cref="Runs"/> rounds that run every variant once in turn (so
    /// a change in the machine's load falls on all of them), a full collection before each run. Prints each variant's median,
    /// min, max and CPU per run with the load average; returns the medians in ms.
    /// </summary>
    private static double[] Compare(params (string What, Func<int> Run)[] variants)
    {
        foreach (var (_, run) in variants) run();
        var times = variants.Select(_ => new List<double>()).ToArray();
        var cpu = new double[variants.Length];
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        for (var round = 0; round < Runs; round++)
            for (var k = 0; k < variants.Length; k++)
            {
                GC.Collect();
                var cpuBefore = Environment.CpuUsage.TotalTime;
                var clock = Stopwatch.StartNew();
                variants[k].Run();
                times[k].Add(clock.Elapsed.TotalMilliseconds);
                cpu[k] += (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds;
            }
        var medians = new double[variants.Length];
        for (var k = 0; k < variants.Length; k++)
        {
            times[k].Sort();
            medians[k] = times[k][Runs / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variants[k].What}: median {medians[k]:F0} ms (min {times[k][0]:F0}, max {times[k][^1]:F0}; {cpu[k] / Runs:F0} ms CPU per run; load average {load} at the start)"));
        }
        return medians;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
