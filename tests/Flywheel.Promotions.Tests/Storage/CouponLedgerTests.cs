using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Promotions.Tests.Storage;

public class CouponLedgerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal static async Task<CouponBatchStatus> BatchAsync(FlywheelStore store, string id, long quantity = 100, long? budget = null,
        int? claimLimit = null, int? useLimit = null, int? days = 7, string? validTo = null, long amountOff = 5000)
    {
        var input = new CouponBatchInput(id, "batch " + id, "no_threshold", amountOff, null, 0, null, null, null, "platform", quantity, budget,
            claimLimit, useLimit, null, validTo, days);
        return (await CouponLedger.CreateBatchAsync(store, CouponBatches.Validate(input).Value, None)).Value;
    }

    internal static Task<Flywheel.Primitives.Result<ClaimedCoupon>> Claim(FlywheelStore store, string batch, string customer, string? key = null) =>
        CouponLedger.ClaimAsync(store, new ClaimRequest(batch, customer, key ?? Guid.NewGuid().ToString()), None);

    internal static Task<Flywheel.Primitives.Result<CouponRedemption>> Redeem(FlywheelStore store, string code, string customer,
        long discount = 5000, string? order = null, string? key = null) =>
        CouponLedger.RedeemAsync(store, new RedeemRequest(code, order ?? "o-" + Guid.NewGuid().ToString("N")[..8], customer, discount,
            key ?? Guid.NewGuid().ToString()), None);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_RelativeValidity_SevenDaysAfterClaiming(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await BatchAsync(store, "rel", days: 7);
        clock.Advance(TimeSpan.FromHours(5));
        var claimed = (await Claim(store, "rel", "c1")).Value;
        Assert.Equal(clock.Now, claimed.ValidFrom);
        Assert.Equal(clock.Now.AddDays(7), claimed.ValidTo);

        Assert.Single(await CouponLedger.HeldCouponsAsync(store, "c1", clock.Now.AddDays(7).AddMilliseconds(-1)));
        Assert.Empty(await CouponLedger.HeldCouponsAsync(store, "c1", clock.Now.AddDays(7)));
        clock.Advance(TimeSpan.FromDays(7));
        var late = (await Redeem(store, claimed.Code, "c1")).Error!;
        Assert.Equal("conflict", late.Code);
        Assert.Contains("expired", late.Message, StringComparison.Ordinal);
        Assert.Equal("expired", (await CouponLedger.CustomerCouponsAsync(store, "c1", clock.Now, None)).Single().State);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Claim_AbsoluteValidity_PastTheEnd_Refused(string engine)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.FromHours(8)));
        using var store = await TestStores.OpenAsync(engine, clock);
        await BatchAsync(store, "abs", days: null, validTo: "2026-11-21T00:00:00+08:00");
        var claimed = (await Claim(store, "abs", "c1")).Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.FromHours(8)), claimed.ValidTo);
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("valid_to", (await Claim(store, "abs", "c2")).Error!.Path);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_ThenHeld_ThenRelease_ThenRedeemAgain(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await BatchAsync(store, "b", budget: 10_000);
        var code = (await Claim(store, "b", "c1")).Value.Code;
        var held = Assert.Single(await CouponLedger.HeldCouponsAsync(store, "c1", clock.Now));
        Assert.Equal(code, held.Code);
        Assert.Equal(5000, held.Spec.AmountOff);

        var redeemed = (await Redeem(store, code, "c1", 4000, "o1")).Value;
        Assert.Equal(4000, redeemed.Discount);
        Assert.Empty(await CouponLedger.HeldCouponsAsync(store, "c1", clock.Now));
        var batch = (await CouponLedger.GetBatchAsync(store, "b", None))!;
        Assert.Equal((1L, 4000L, 6000L), (batch.Redeemed, batch.Spent, batch.BudgetRemaining!.Value));

        Assert.Equal("conflict", (await Redeem(store, code, "c1", 1000, "o2")).Error!.Code);
        var released = (await CouponLedger.ReleaseAsync(store, new ReleaseRequest(code, "o1", "refund", "r1"), None)).Value;
        Assert.Equal(4000, released.Discount);
        batch = (await CouponLedger.GetBatchAsync(store, "b", None))!;
        Assert.Equal((0L, 0L), (batch.Redeemed, batch.Spent));
        Assert.Single(await CouponLedger.HeldCouponsAsync(store, "c1", clock.Now));

        // A second release (new key) gives nothing back twice.
        Assert.Equal("conflict", (await CouponLedger.ReleaseAsync(store, new ReleaseRequest(code, "o1", "refund", "r2"), None)).Error!.Code);
        Assert.True((await Redeem(store, code, "c1", 5000, "o2")).IsSuccess);
        batch = (await CouponLedger.GetBatchAsync(store, "b", None))!;
        Assert.Equal((1L, 5000L), (batch.Redeemed, batch.Spent));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_Refusals_ChangeNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await BatchAsync(store, "b", budget: 4000);
        var code = (await Claim(store, "b", "c1")).Value.Code;
        var unknown = CouponCodes.New();
        var before = await StateAsync(store);

        Assert.Equal(("not_found", "code"), Of((await Redeem(store, unknown, "c1")).Error!));
        Assert.Equal(("forbidden", "customer_id"), Of((await Redeem(store, code, "c2")).Error!));
        Assert.Equal(("invalid", "discount"), Of((await Redeem(store, code, "c1", -1)).Error!));
        Assert.Equal(("conflict", "discount"), Of((await Redeem(store, code, "c1", 6000)).Error!));
        Assert.Equal(("conflict", "budget"), Of((await Redeem(store, code, "c1", 4001)).Error!));
        Assert.Equal(("invalid", "idempotency_key"),
            Of((await CouponLedger.RedeemAsync(store, new RedeemRequest(code, "o1", "c1", 100, null), None)).Error!));
        Assert.Equal(("invalid", "code"), Of((await Redeem(store, "not-a-code", "c1")).Error!));
        Assert.Equal(before, await StateAsync(store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Redeem_SameKeyTwice_ReturnsTheFirstAnswer_DifferentRequestSameKey_Mismatch(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await BatchAsync(store, "b");
        var code = (await Claim(store, "b", "c1")).Value.Code;
        var first = (await Redeem(store, code, "c1", 3000, "o1", "k1")).Value;
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(first, (await Redeem(store, code, "c1", 3000, "o1", "k1")).Value);
        Assert.Equal(CouponLedger.IdempotencyMismatch, (await Redeem(store, code, "c1", 2000, "o1", "k1")).Error!.Code);
        Assert.Equal(1, (await CouponLedger.GetBatchAsync(store, "b", None))!.Redeemed);

        // A refusal is an answer too: the same key gets it again, even after the coupon is released.
        var refused = (await Redeem(store, code, "c1", 3000, "o2", "k2")).Error!;
        Assert.True((await CouponLedger.ReleaseAsync(store, new ReleaseRequest(code, "o1", null, "r1"), None)).IsSuccess);
        Assert.Equal(refused, (await Redeem(store, code, "c1", 3000, "o2", "k2")).Error);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Generate_BearerCodes_CountAgainstQuantity_BoundAtRedeem(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await BatchAsync(store, "g", quantity: 1000);
        var codes = (await CouponLedger.GenerateAsync(store, "g", 900, None)).Value;
        Assert.Equal(900, codes.Distinct().Count());
        Assert.Equal(900, await TestStores.CountAsync(store, "coupons", "batch_id = 'g' AND state = 'issued'"));
        Assert.Equal("total_quantity", (await CouponLedger.GenerateAsync(store, "g", 101, None)).Error!.Path);
        Assert.Equal("not_found", (await CouponLedger.GenerateAsync(store, "nope", 1, None)).Error!.Code);

        Assert.True((await Redeem(store, codes[0], "c9")).IsSuccess);
        Assert.Equal(("conflict", "order_id"), Of((await CouponLedger.ReleaseAsync(store, new ReleaseRequest(codes[0], "x", null, "r"), None)).Error!));
        Assert.Equal(("forbidden", "customer_id"), Of((await Redeem(store, codes[0], "c8")).Error!));
        Assert.Equal(900, (await CouponLedger.GetBatchAsync(store, "g", None))!.Issued);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CreateBatch_SameIdTwice_Conflict(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await BatchAsync(store, "dup");
        var again = CouponBatches.Validate(new CouponBatchInput("dup", "x", "platform", 100, null, 0, null, null, null, null, 5, null, null, null, null, null, 3)).Value;
        Assert.Equal(("conflict", "id"), Of((await CouponLedger.CreateBatchAsync(store, again, None)).Error!));
    }

    private static (string, string?) Of(Flywheel.Primitives.Error error) => (error.Code, error.Path);

    internal static async Task<string> StateAsync(FlywheelStore store) =>
        $"{await TestStores.ScalarAsync(store, "SELECT SUM(issued) || '/' || SUM(redeemed) || '/' || SUM(spent) FROM coupon_batches")} " +
        $"{await TestStores.CountAsync(store, "coupons", "state = 'redeemed'")} " +
        $"{await TestStores.ScalarAsync(store, "SELECT COALESCE(SUM(used), 0) || '/' || COALESCE(SUM(claimed), 0) FROM coupon_customer_counts")}";
}
