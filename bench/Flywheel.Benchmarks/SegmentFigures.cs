using Flywheel.Analytics.Contracts;
using System.Diagnostics;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Benchmarks;

/// <summary>
/// Segment figures of the "Understand" issue.
/// <para>
/// <c>segments [customers] [orders] [events]</c> (default 1,000,000 / 10,000,000 / 10,000,000): the 6-condition
/// rule evaluated over every customer of an in-memory index and profile table, against a baseline that evaluates the
/// same rule customer by customer with LINQ over the same index.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- segments</c>
/// </para>
/// <para>
/// <c>segments-latency [customers] [orders] [folder]</c> (default 1,000,000 / 10,000,000; the store is kept in the
/// folder when one is given, and reused by the next run with the same sizes): a SQLite store with the server's
/// index host and segment service; commits one new order at a time for a customer one order short of the segment and
/// times commit → membership stored and raised.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- segments-latency</c>
/// </para>
/// </summary>
internal static class SegmentFigures
{
    public const string Rule =
        """orders(90d) >= 2 and days_since_last_order <= 30 and first_channel in ("xiaohongshu", "douyin") and rfm_segment = "at_risk" and city_tier <= 2 and consent("sms")""";

    private static readonly string[] Channels = ["xiaohongshu", "douyin", "tmall", "jd", "wechat", "pinduoduo", "bilibili", "weibo"];
    private static readonly string[] Tiers = ["tier1", "new_tier1", "tier2", "tier3", "tier4", "tier5"];
    private static readonly string[] Rfm = ["champions", "loyal", "at_risk", "hibernating", "new"];
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(8));

    private static string Id(int i) => "c" + i.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Stable across runs (string hashes are not): the id's digits.</summary>
    private static string RfmOf(string id) => Rfm[int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture) * 7 % 5];

    /// <summary>A stand-in for the RFM module: a segment per customer from a hash of the id, computed once like a fitted model's output.</summary>
    private static FieldRegistry Fields(ProfileTable? profiles)
    {
        var fields = FieldRegistry.CreateDefault();
        TextColumn? all = null;
        fields.Register("rfm_segment", SegmentType.Text, "RFM segment (benchmark stand-in)", context =>
        {
            if (context.IsAllCustomers && profiles == context.Profiles)
                return all ??= SegmentColumn.Texts(context, i => RfmOf(context.CustomerId(i)));
            return SegmentColumn.Texts(context, i => RfmOf(context.CustomerId(i)));
        }, FieldSources.Orders | FieldSources.Time, Rfm);
        return fields;
    }

    public static Task<int> RunAsync(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var orders = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
        var events = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000_000;
        var clock = Stopwatch.StartNew();
        var random = new Random(7);
        var nowMs = Now.ToUnixTimeMilliseconds();
        var b = new EventIndexBuilder.Builder();
        var profiles = new List<ProfileTable.ProfileRow>(customers);
        for (var i = 0; i < customers; i++)
        {
            b.AddCustomer(Id(i), null);
            profiles.Add(new ProfileTable.ProfileRow(Id(i), CityTier: Tiers[random.Next(Tiers.Length)],
                Consents: random.Next(3) == 0 ? null : ["sms/marketing"]));
        }
        b.AddProduct("sku1", "beauty");
        for (var e = 0; e < events; e++)
            b.AddEvent(Id(random.Next(customers)), null, "page_view", nowMs - random.NextInt64(365L * 86_400) * 1000, Channels[random.Next(Channels.Length)],
                null, null, null, null, null, 0);
        for (var o = 0; o < orders; o++)
            b.AddOrder(Id(random.Next(customers)), nowMs - random.NextInt64(365L * 86_400) * 1000, Channels[random.Next(Channels.Length)], null,
                random.NextInt64(1_000, 100_000), random.Next(20) == 0 ? 1_000 : 0, 1, "sku1");
        var index = b.Build("Asia/Shanghai");
        var table = ProfileTable.FromRows(profiles);
        profiles.Clear();
        Console.WriteLine($"built {customers:N0} customers, {index.OrderCount:N0} orders, {index.EventCount:N0} events in {clock.Elapsed.TotalSeconds:F1} s");

        var fields = Fields(table);
        if (!SegmentRule.TryCompile(Rule, fields, out var rule, out var error)) throw new InvalidOperationException(error.ToString());

        var data = new SegmentData(table, index);
        clock.Restart();
        var first = SegmentEvaluator.Evaluate(rule, data, Now);
        Console.WriteLine($"first evaluation (builds the row→visitor map, encodes the stand-in RFM column): {clock.Elapsed.TotalMilliseconds:F1} ms, {first.Count:N0} members");

        var times = new List<double>();
        var (gen2, paused, cpu) = (GC.CollectionCount(2), GC.GetTotalPauseDuration(), Environment.CpuUsage.TotalTime);
        for (var run = 0; run < 11; run++)
        {
            clock.Restart();
            var match = SegmentEvaluator.Evaluate(rule, data, Now);
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (match.Count != first.Count) throw new InvalidOperationException("evaluations disagree");
        }
        times.Sort();
        Console.WriteLine($"6-condition rule over {customers:N0} customers: median {times[5]:F1} ms, min {times[0]:F1}, max {times[^1]:F1} (11 runs; " +
                          $"{GC.CollectionCount(2) - gen2} gen2 collections, {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms paused; " +
                          $"{(Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / 11:F0} ms of CPU per evaluation)");

        // Each condition alone, for where the time goes.
        foreach (var part in Rule.Split(" and "))
        {
            if (!SegmentRule.TryCompile(part, fields, out var single, out _)) throw new InvalidOperationException(part);
            var alone = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                clock.Restart();
                SegmentEvaluator.Evaluate(single, data, Now);
                alone.Add(clock.Elapsed.TotalMilliseconds);
            }
            alone.Sort();
            Console.WriteLine($"  {part}: median {alone[2]:F1} ms");
        }

        var baseline = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            clock.Restart();
            var count = Baseline(table, index, data);
            baseline.Add(clock.Elapsed.TotalMilliseconds);
            if (count != first.Count) throw new InvalidOperationException($"baseline found {count} members, the evaluator {first.Count}");
        }
        baseline.Sort();
        Console.WriteLine($"baseline, LINQ customer by customer: median {baseline[1]:F1} ms (3 runs): ratio {baseline[1] / times[5]:F1}x");
        return Task.FromResult(0);
    }

    /// <summary>The same rule written the obvious way: per customer, LINQ over their rows of the index.</summary>
    private static int Baseline(ProfileTable profiles, EventIndex index, SegmentData data)
    {
        var since90 = EventIndex.ToIndexTime(Now.AddDays(-90).ToUnixTimeMilliseconds());
        var now = EventIndex.ToIndexTime(Now.ToUnixTimeMilliseconds());
        var today = DateOnly.FromDateTime(Now.DateTime);
        var wanted = new[] { index.Channels.Find("xiaohongshu"), index.Channels.Find("douyin") };
        var count = 0;
        for (var row = 0; row < profiles.Count; row++)
        {
            var id = profiles.CustomerIds[row];
            var v = index.FindVisitor(id);
            var orders = v < 0 ? [] : Enumerable.Range(index.OrderStart[v], index.OrderStart[v + 1] - index.OrderStart[v])
                .Where(o => !(index.OrderRefund[o] > 0 && index.OrderRefund[o] >= index.OrderGmv[o])).ToList();
            if (orders.Count(o => index.OrderPaidTime[o] >= since90 && index.OrderPaidTime[o] <= now) < 2) continue;
            var last = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(EventIndex.ToUnixMs(orders.Max(o => index.OrderPaidTime[o])))
                .ToOffset(TimeSpan.FromHours(8)).DateTime);
            if (today.DayNumber - last.DayNumber > 30) continue;
            var firstEvent = Enumerable.Range(index.EventStart[v], index.EventStart[v + 1] - index.EventStart[v]).FirstOrDefault(e => index.EventChannel[e] != 0, -1);
            var firstOrder = Enumerable.Range(index.OrderStart[v], index.OrderStart[v + 1] - index.OrderStart[v]).FirstOrDefault(o => index.OrderChannel[o] != 0, -1);
            int channel = firstEvent >= 0 && (firstOrder < 0 || index.EventTime[firstEvent] <= index.OrderPaidTime[firstOrder]) ? index.EventChannel[firstEvent]
                : firstOrder >= 0 ? index.OrderChannel[firstOrder] : 0;
            if (!wanted.Contains(channel)) continue;
            if (RfmOf(id) != "at_risk") continue;
            if (!(BuiltInFields.CityTierNumber(profiles.CityTier[row]) <= 2)) continue;
            if (!profiles.HasConsent(row, "sms")) continue;
            count++;
        }
        GC.KeepAlive(data);
        return count;
    }

    public static async Task<int> LatencyAsync(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var orders = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
        // A folder to keep the store in (written once, reused by later runs); a temporary one otherwise.
        var keep = args.Length > 2 ? args[2] : null;
        var folder = keep ?? Directory.CreateTempSubdirectory("flywheel-segments-").FullName;
        try
        {
            var time = new FixedClock(Now);
            var opened = await FlywheelStore.OpenAsync(StoreLocation.Sqlite(folder), time, Flywheel.Server.FlywheelServer.Migrations, CancellationToken.None);
            using var store = opened.Value;
            var clock = Stopwatch.StartNew();
            var size = string.Create(CultureInfo.InvariantCulture, $"{customers}/{orders}");
            if (await store.GetSettingAsync("segment_bench", "", CancellationToken.None) == size)
                Console.WriteLine($"reusing the store in {folder}");
            else
            {
                await WriteAsync(store, customers, orders);
                await store.SetSettingAsync("segment_bench", size, CancellationToken.None);
                Console.WriteLine($"wrote {customers:N0} customers and {orders:N0} orders in {clock.Elapsed.TotalSeconds:F1} s");
            }

            var host = new EventIndexHost(store);
            var fields = Fields(null);
            using var segments = new SegmentService(store, fields, time, host.GetAsync);
            segments.KeepCurrent();
            if (!SegmentRule.TryCompile(Rule, fields, out var rule, out var error)) throw new InvalidOperationException(error.ToString());
            clock.Restart();
            await segments.DeleteAsync("at-risk-repeat", CancellationToken.None); // from an earlier run over a kept store
            var created = (await segments.CreateAsync("at-risk-repeat", "流失风险复购", rule, CancellationToken.None)).Value;
            Console.WriteLine($"segment created (index build, profile load, first evaluation): {clock.Elapsed.TotalSeconds:F1} s, {created.MemberCount:N0} members");

            // Customers one order short: everything holds but the second recent order.
            if (!SegmentRule.TryCompile(Rule.Replace("orders(90d) >= 2", "orders(90d) = 1", StringComparison.Ordinal), fields, out var shortOne, out _))
                throw new InvalidOperationException();
            var candidates = (await segments.CountAsync(shortOne, 40, CancellationToken.None)).Value.Sample;
            Console.WriteLine($"{candidates.Count} customers one order short of the segment");

            var waiting = new Dictionary<string, (long Started, TaskCompletionSource<long> Done)>(StringComparer.Ordinal);
            segments.MembershipChanged += change =>
            {
                var at = Stopwatch.GetTimestamp();
                lock (waiting)
                    foreach (var id in change.Entered)
                        if (waiting.TryGetValue(id, out var w)) w.Done.TrySetResult(at);
            };
            var latencies = new List<double>();
            var next = 0;
            var run = Guid.NewGuid().ToString("N")[..8];
            foreach (var customer in candidates.Take(30))
            {
                var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                var started = Stopwatch.GetTimestamp();
                lock (waiting) waiting[customer] = (started, done);
                await using (var session = await IngestSession.BeginAsync(store, "bench", "segments-latency", CancellationToken.None))
                {
                    var order = new OrderRow
                    {
                        OrderId = $"new-{run}-{next++}", CustomerId = customer, Status = "paid",
                        PlacedAt = Now.ToUnixTimeMilliseconds(), PaidAt = Now.ToUnixTimeMilliseconds(), Channel = "douyin",
                    };
                    order.Lines.Add(new OrderLineRow { Sku = "sku1", Quantity = 1, UnitPrice = 9_900 });
                    session.WriteOrder(order, createMissingProducts: true);
                    await session.CommitAsync(1, 0, CancellationToken.None);
                }
                var stored = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
                var ms = Stopwatch.GetElapsedTime(started, stored).TotalMilliseconds;
                latencies.Add(ms);
                Console.WriteLine($"order for {customer}: in the segment {ms:F1} ms after its ingest session began " +
                                  $"(the index's last refresh, {host.LastRefresh?.Kind}, took {host.LastRefresh?.Elapsed.TotalMilliseconds:F0} ms)");
            }
            clock.Restart();
            await segments.CatchUpAsync(CancellationToken.None);
            Console.WriteLine($"then the exact step, once the event index had taken the orders in: {clock.Elapsed.TotalMilliseconds:F0} ms more " +
                              $"(the index's last refresh, {host.LastRefresh?.Kind} of {host.LastRefresh?.Ingests} ingests, took {host.LastRefresh?.Elapsed.TotalMilliseconds:F0} ms; " +
                              $"{segments.LastUpdate?.Entered} entered, {segments.LastUpdate?.Exited} exited in the exact step)");
            latencies.Sort();
            if (latencies.Count > 0)
                Console.WriteLine($"ingest → membership over {latencies.Count} orders: median {latencies[latencies.Count / 2]:F1} ms, " +
                                  $"p90 {latencies[(int)(latencies.Count * 0.9)]:F1} ms, max {latencies[^1]:F1} ms");
            return 0;
        }
        finally
        {
            if (keep is null) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Customers with a city tier and (two in three) sms consent; orders over the last year on random channels; a page view each.</summary>
    private static async Task WriteAsync(FlywheelStore store, int customers, int orders)
    {
        var random = new Random(7);
        var nowMs = Now.ToUnixTimeMilliseconds();
        // Sessions of 100,000 rows: SQLite checkpoints its WAL between them instead of growing it to gigabytes.
        var session = await IngestSession.BeginAsync(store, "bench", "segment figures", CancellationToken.None);
        var rows = 0;
        async Task NextAsync()
        {
            if (++rows % 100_000 != 0) return;
            await session.CommitAsync(100_000, 0, CancellationToken.None);
            await session.DisposeAsync();
            session = await IngestSession.BeginAsync(store, "bench", "segment figures", CancellationToken.None);
        }
        for (var i = 0; i < customers; i++)
        {
            await NextAsync();
            var row = new CustomerRow { CustomerId = Id(i), CityTier = Tiers[random.Next(Tiers.Length)], Present = CustomerFields.CityTier };
            if (random.Next(3) != 0) row.Consents.Add(new ConsentChange("sms", "marketing", "granted", nowMs - 400L * 86_400_000, "bench"));
            session.UpsertCustomer(row);
            session.WriteEvent(new EventRow
            {
                EventId = "e" + i.ToString(CultureInfo.InvariantCulture), Type = "page_view", CustomerId = Id(i),
                Time = nowMs - random.NextInt64(365L * 86_400) * 1000, Channel = Channels[random.Next(Channels.Length)],
            });
        }
        for (var o = 0; o < orders; o++)
        {
            await NextAsync();
            var order = new OrderRow
            {
                OrderId = "o" + o.ToString(CultureInfo.InvariantCulture), CustomerId = Id(random.Next(customers)), Status = "completed",
                PlacedAt = nowMs - random.NextInt64(365L * 86_400) * 1000, Channel = Channels[random.Next(Channels.Length)],
            };
            order.Lines.Add(new OrderLineRow { Sku = "sku1", Quantity = 1, UnitPrice = random.NextInt64(1_000, 100_000) });
            session.WriteOrder(order, createMissingProducts: true);
        }
        await session.CommitAsync(rows % 100_000, 0, CancellationToken.None);
        await session.DisposeAsync();
    }

    /// <summary>The benchmark's "now", fixed so the store's data and the windows agree from run to run.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
