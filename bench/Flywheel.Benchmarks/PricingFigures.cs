using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;

namespace Flywheel.Benchmarks;

/// <summary>
/// The pricing workload of the Offer issue: a 20-line cart over 4 stores, 1,000 active promotions (SKU, category, brand, store
/// and platform scoped, every stage), 10 held coupons, best-deal search included.
/// </summary>
internal static class PricingWorkload
{
    public static (Promotion[] Promotions, Cart Cart) Build(int promotionCount = 1000, int lines = 20, int coupons = 10, int seed = 11)
    {
        var rng = new Random(seed);
        string Sku(int i) => "SKU-" + i.ToString("D5", CultureInfo.InvariantCulture);
        string Category(int i) => "cat-" + (i % 50).ToString(CultureInfo.InvariantCulture);
        string Brand(int i) => "brand-" + (i % 100).ToString(CultureInfo.InvariantCulture);
        string Store(int i) => "store-" + (i % 20).ToString(CultureInfo.InvariantCulture);
        var promotions = new List<Promotion>();
        for (var i = 0; i < promotionCount; i++)
        {
            var kind = i % 20;
            Promotion p = kind switch
            {
                < 8 => new Promotion("sku-direct-" + i, "直降", new DirectDiscount(PercentOff: 5 + rng.Next(20)), Stage.Item,
                    new Scope(Skus: [Sku(rng.Next(5000)), Sku(rng.Next(5000))]), ExclusivityGroup: "item"),
                < 11 => new Promotion("flash-" + i, "限时折扣", new FlashPrice(1000 + rng.Next(20000)), Stage.Item,
                    new Scope(Skus: [Sku(rng.Next(5000))]), ExclusivityGroup: "item", Priority: 1),
                < 14 => new Promotion("cat-mj-" + i, "品类满减", new TieredThresholdOff([new(20000, 2000), new(40000, 5000), new(80000, 12000)]), Stage.Store,
                    new Scope(Categories: [Category(rng.Next(50))], Stores: [Store(rng.Next(20))]), ExclusivityGroup: "store-mj", Priority: rng.Next(100)),
                < 16 => new Promotion("brand-" + i, "品牌2件9折", new QuantityPercentOff([new(2, 10), new(3, 20)]), Stage.Store,
                    new Scope(Brands: [Brand(rng.Next(100))]), ExclusivityGroup: "brand"),
                < 17 => new Promotion("half-" + i, "第二件半价", new BuyXGetY(1, 1, 50), Stage.Item, new Scope(Skus: [Sku(rng.Next(5000))]), ExclusivityGroup: "item"),
                < 18 => new Promotion("store-mj-" + i, "店铺每满200减20", new RepeatingThresholdOff(20000, 2000, 10000), Stage.Store,
                    new Scope(Stores: [Store(rng.Next(20))]), ExclusivityGroup: "store-every", Priority: rng.Next(100)),
                < 19 => new Promotion("cross-" + i, "跨店每满300减50", new RepeatingThresholdOff(30000, 5000), Stage.Platform,
                    new Scope(Categories: [Category(rng.Next(50)), Category(rng.Next(50))]), Funding: new Funding(60), ExclusivityGroup: "cross", Priority: rng.Next(100)),
                _ => new Promotion("ship-" + i, "满99包邮", new FreeShipping(9900), Stage.Shipping, new Scope(Stores: [Store(rng.Next(20))])),
            };
            promotions.Add(p);
        }
        // The cart's goods are drawn from the SKUs the promotions name, so the index finds work to do.
        var cartLines = new List<CartLine>();
        for (var i = 0; i < lines; i++)
        {
            var sku = rng.Next(5000);
            var store = i % 4;
            cartLines.Add(new CartLine("L" + i.ToString("D2", CultureInfo.InvariantCulture), Sku(sku), Store(store), Category(sku), Brand(sku),
                1 + rng.Next(3), 1990 + rng.Next(50000)));
        }
        // Make sure some lines hit SKU-scoped promotions.
        for (var i = 0; i < lines; i += 3)
            if (promotions[i * 7 % promotions.Count].Scope?.Skus is { } skus)
                cartLines[i] = cartLines[i] with { Sku = skus[0] };
        var held = new List<HeldCoupon>();
        var at = new DateTimeOffset(2026, 11, 11, 20, 0, 0, TimeSpan.FromHours(8));
        for (var i = 0; i < coupons; i++)
        {
            var spec = i < 8
                ? new CouponSpec(CouponKind.Store, (i % 2 == 0 ? 2000 : 5000), null, i % 2 == 0 ? 19900 : 49900, Store(i / 2), null, null, FundingParty.Merchant)
                : new CouponSpec(CouponKind.Platform, i == 8 ? 3000 : null, i == 8 ? null : 8, i == 8 ? 29900 : 0, null, null, 4000, FundingParty.Platform);
            held.Add(new HeldCoupon("C" + i, "batch", spec, at.AddDays(-1), at.AddDays(1)));
        }
        var fees = Enumerable.Range(0, 4).ToDictionary(Store, _ => 800L);
        return (promotions.ToArray(), new Cart(cartLines, at, "c1", "gold", fees, held));
    }
}

/// <summary>
/// Per-call latency (median, p99) and allocated bytes of the indexed pricer against the naive evaluator, in one run.
/// <c>dotnet run -c Release --project bench/Flywheel.Benchmarks -- pricing [calls] [held coupons]</c>
/// </summary>
internal static class PricingFigures
{
    public static Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var coupons = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var (promotions, cart) = PricingWorkload.Build(coupons: coupons);
        var index = PromotionIndex.Build(promotions);
        var indexed = new Pricer(index);
        var naive = new Pricer(index, null, naive: true);
        var sample = indexed.Price(cart).Value;
        Console.WriteLine($"workload: {index.Count} promotions, {cart.Lines.Count} lines, {cart.HeldCoupons!.Count} held coupons; " +
            $"total {sample.Total} fen, {sample.Lines.Sum(l => l.Steps.Count)} line steps, coupons used {string.Join(",", sample.UsedCoupons)}, " +
            $"{sample.CombinationsEvaluated} combination(s) priced by the search");
        if (naive.Price(cart).Value.Total != sample.Total) throw new InvalidOperationException("naive and indexed disagree");
        // The search is exact: check it against every valid coupon set (at most one per kind and store) before timing it.
        var held = cart.HeldCoupons!;
        var brute = long.MaxValue;
        var sets = 0;
        for (var mask = 0; mask < 1 << held.Count; mask++)
        {
            var subset = held.Where((_, i) => (mask & (1 << i)) != 0).ToList();
            if (subset.GroupBy(c => (c.Spec.Kind, c.Spec.Store)).Any(g => g.Count() > 1)) continue;
            sets++;
            brute = Math.Min(brute, indexed.PriceWith(cart, subset).Total);
        }
        if (brute != sample.Total) throw new InvalidOperationException($"the search found {sample.Total} but brute force {brute}");
        Console.WriteLine($"brute force over {sets} valid coupon sets: best total {brute} fen = the search's");
        foreach (var (name, pricer, n) in new[] { ("indexed", indexed, calls), ("naive", naive, Math.Max(1000, calls / 10)) })
        {
            for (var i = 0; i < Math.Min(n, 20_000); i++) pricer.Price(cart);
            var ticks = new long[n];
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < n; i++)
            {
                var start = Stopwatch.GetTimestamp();
                pricer.Price(cart);
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / n;
            Array.Sort(ticks);
            double Us(long t) => t * 1_000_000.0 / Stopwatch.Frequency;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-8} calls {n,9:N0}  median {Us(ticks[n / 2]),7:F1} µs  p99 {Us(ticks[(int)(n * 0.99)]),7:F1} µs  p99.9 {Us(ticks[(int)(n * 0.999)]),7:F1} µs  allocated {bytes:N0} B/call"));
        }
        return Task.FromResult(0);
    }
}

/// <summary>BenchmarkDotNet view of the same workload: the naive evaluator is the baseline, so the indexed figure is a ratio.</summary>
[MemoryDiagnoser]
public class PricingBenchmarks
{
    private Pricer _indexed = null!;
    private Pricer _naive = null!;
    private Cart _cart = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (promotions, cart) = PricingWorkload.Build();
        var index = PromotionIndex.Build(promotions);
        _indexed = new Pricer(index);
        _naive = new Pricer(index, null, naive: true);
        _cart = cart;
    }

    [Benchmark(Baseline = true)]
    public long Naive() => _naive.Price(_cart).Value.Total;

    [Benchmark]
    public long Indexed() => _indexed.Price(_cart).Value.Total;
}
