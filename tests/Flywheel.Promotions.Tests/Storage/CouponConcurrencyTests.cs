using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;
using Flywheel.Tests;
using static Flywheel.Promotions.Tests.Storage.CouponLedgerTests;

namespace Flywheel.Promotions.Tests.Storage;

/// <summary>
/// The exactly-once guarantees under contention: 64 tasks released together against one store, each scenario repeated
/// for many rounds on both engines. Every round checks the answers and the stored counters against each other.
/// Runs alone (no other test class in parallel) and closes its pooled PostgreSQL connections after each test: 64 open
/// connections per store, with PostgreSQL's default max_connections of 100, leave no room for a second pool.
/// </summary>
[Collection(nameof(CouponConcurrencyTests))]
public sealed class CouponConcurrencyTests : IDisposable
{
    private const int Tasks = 64;
    private const int Rounds = 20;
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    /// <summary>Runs <paramref name="work"/> on <see cref="Tasks"/> thread-pool tasks that all start at the same moment.</summary>
    private static async Task<T[]> AllAtOnceAsync<T>(Func<int, Task<T>> work)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, Tasks).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await work(i);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_SingleUseCode_64Concurrent_ExactlyOneSucceeds(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"r{round}";
            await BatchAsync(store, batch);
            var code = (await Claim(store, batch, "c1")).Value.Code;
            var results = await AllAtOnceAsync(i => Redeem(store, code, "c1", 100, $"o{i}"));
            Assert.Single(results, r => r.IsSuccess);
            Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("conflict", r.Error!.Code));
            var stored = (await CouponLedger.GetBatchAsync(store, batch, None))!;
            Assert.Equal((1L, 100L), (stored.Redeemed, stored.Spent));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_QuantityTen_64Concurrent_ExactlyTen(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"q{round}";
            await BatchAsync(store, batch, quantity: 10);
            var results = await AllAtOnceAsync(i => Claim(store, batch, $"c{i}"));
            Assert.Equal(10, results.Count(r => r.IsSuccess));
            Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("total_quantity", r.Error!.Path));
            Assert.Equal(10, results.Where(r => r.IsSuccess).Select(r => r.Value.Code).Distinct().Count());
            Assert.Equal(10, (await CouponLedger.GetBatchAsync(store, batch, None))!.Issued);
            Assert.Equal(10, await TestStores.CountAsync(store, "coupons", $"batch_id = '{batch}'"));
            // The losers' per-customer claim counts were rolled back with them.
            Assert.Equal(10L, Convert.ToInt64(await TestStores.ScalarAsync(store, $"SELECT SUM(claimed) FROM coupon_customer_counts WHERE batch_id = '{batch}'")));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_PerCustomerLimitThree_64ConcurrentBySameCustomer_ExactlyThree(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"l{round}";
            await BatchAsync(store, batch, quantity: 1000, claimLimit: 3);
            var results = await AllAtOnceAsync(i => Claim(store, batch, i % 2 == 0 ? "alice" : "bob"));
            Assert.Equal(6, results.Count(r => r.IsSuccess));
            Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("per_customer_claim_limit", r.Error!.Path));
            Assert.Equal(3, await TestStores.CountAsync(store, "coupons", $"batch_id = '{batch}' AND customer_id = 'alice'"));
            Assert.Equal(6, (await CouponLedger.GetBatchAsync(store, batch, None))!.Issued);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_PerCustomerUseLimitTwo_64ConcurrentOverEightCoupons_ExactlyTwo(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"u{round}";
            await BatchAsync(store, batch, useLimit: 2);
            var codes = new List<string>();
            for (var i = 0; i < 8; i++) codes.Add((await Claim(store, batch, "alice")).Value.Code);
            var results = await AllAtOnceAsync(i => Redeem(store, codes[i % 8], "alice", 100, $"o{i}"));
            Assert.Equal(2, results.Count(r => r.IsSuccess));
            Assert.Equal(2, await TestStores.CountAsync(store, "coupons", $"batch_id = '{batch}' AND state = 'redeemed'"));
            Assert.Contains(results, r => r.Error?.Path == "per_customer_use_limit");
            Assert.Equal(2, (await CouponLedger.GetBatchAsync(store, batch, None))!.Redeemed);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_DifferentCodes_64Concurrent_BudgetNeverExceeded(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"m{round}";
            // 10,000 fen of budget; discounts of 700 to 1,300 fen: at most a handful fit, whichever commit first.
            await BatchAsync(store, batch, quantity: Tasks, budget: 10_000);
            var codes = (await CouponLedger.GenerateAsync(store, batch, Tasks, None)).Value;
            var results = await AllAtOnceAsync(i => Redeem(store, codes[i], $"c{i}", 700 + (i * 97 % 601), $"o{i}"));
            var spent = results.Where(r => r.IsSuccess).Sum(r => r.Value.Discount);
            var stored = (await CouponLedger.GetBatchAsync(store, batch, None))!;
            Assert.True(stored.Spent <= 10_000, $"spent {stored.Spent}");
            Assert.Equal(spent, stored.Spent);
            Assert.Equal(results.Count(r => r.IsSuccess), stored.Redeemed);
            Assert.True(stored.Spent > 10_000 - 1300, $"spent only {stored.Spent}: a redeem that fitted was refused");
            Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("budget", r.Error!.Path));
            Assert.Equal(stored.Spent, Convert.ToInt64(await TestStores.ScalarAsync(store,
                $"SELECT COALESCE(SUM(discount), 0) FROM coupons WHERE batch_id = '{batch}' AND state = 'redeemed'")));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_SameKey_64Concurrent_AllGetTheFirstAnswer(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"k{round}";
            await BatchAsync(store, batch);
            var code = (await Claim(store, batch, "c1")).Value.Code;
            var key = $"key-{round}";
            var results = await AllAtOnceAsync(_ => Redeem(store, code, "c1", 100, "o1", key));
            Assert.All(results, r => Assert.Equal(results[0].Value, r.Value));
            Assert.Equal(1, (await CouponLedger.GetBatchAsync(store, batch, None))!.Redeemed);
            Assert.Equal(1, await TestStores.CountAsync(store, "coupon_requests", $"idempotency_key = '{key}'"));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_SameKey_64Concurrent_OneCoupon(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"ck{round}";
            await BatchAsync(store, batch);
            var results = await AllAtOnceAsync(_ => Claim(store, batch, "c1", $"claim-{round}"));
            Assert.All(results, r => Assert.Equal(results[0].Value, r.Value));
            Assert.Equal(1, await TestStores.CountAsync(store, "coupons", $"batch_id = '{batch}'"));
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ReleaseAndRedeem_64Concurrent_UseAndBudgetReturnedOnce(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < Rounds; round++)
        {
            var batch = $"rel{round}";
            await BatchAsync(store, batch, budget: 5000);
            var code = (await Claim(store, batch, "c1")).Value.Code;
            Assert.True((await Redeem(store, code, "c1", 5000, "o1")).IsSuccess);
            // Half release order o1 (each with its own key), half try to redeem on o2: one release, then at most one redeem.
            var results = await AllAtOnceAsync<object>(async i => i % 2 == 0
                ? await CouponLedger.ReleaseAsync(store, new ReleaseRequest(code, "o1", "cancelled", $"rel-{round}-{i}"), None)
                : await Redeem(store, code, "c1", 5000, "o2"));
            Assert.Single(results.OfType<Result<CouponRelease>>(), r => r.IsSuccess);
            var redeems = results.OfType<Result<CouponRedemption>>().Count(r => r.IsSuccess);
            Assert.InRange(redeems, 0, 1);
            var stored = (await CouponLedger.GetBatchAsync(store, batch, None))!;
            Assert.Equal((redeems, 5000L * redeems), (stored.Redeemed, stored.Spent));
            Assert.Equal(redeems, Convert.ToInt64(await TestStores.ScalarAsync(store,
                $"SELECT used FROM coupon_customer_counts WHERE batch_id = '{batch}' AND customer_id = 'c1'")));
        }
    }
}

[CollectionDefinition(nameof(CouponConcurrencyTests), DisableParallelization = true)]
public sealed class CouponConcurrencyCollection;
