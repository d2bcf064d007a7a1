using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Tests.Domain.Coupons;

public class CouponBatchesTests
{
    internal static CouponBatchInput Input(long? amountOff = 5000, int? percentOff = null, string kind = "store", string? store = "s1",
        long? quantity = 100, int? days = 7, string? validTo = null, long threshold = 30000) =>
        new("d11", "双11 满300减50", kind, amountOff, percentOff, threshold, store, null, null, "merchant", quantity, null, null, null, null, validTo, days);

    [Fact]
    public void Validate_StoreAmountCoupon_GivesTheSpec()
    {
        var batch = CouponBatches.Validate(Input()).Value;
        Assert.Equal(new CouponSpec(CouponKind.Store, 5000, null, 30000, "s1", null, null, FundingParty.Merchant), batch.Spec);
        Assert.Equal(7, batch.ValidDaysAfterClaim);
    }

    [Fact]
    public void Validate_NoThresholdKind_ParsesSnakeCase() =>
        Assert.Equal(CouponKind.NoThreshold, CouponBatches.Validate(Input(kind: "no_threshold", threshold: 0, store: null)).Value.Spec.Kind);

    [Theory]
    [InlineData(null, null, "amount_off")]
    [InlineData(5000L, 10, "percent_off")]
    [InlineData(-1L, null, "amount_off")]
    [InlineData(null, 100, "percent_off")]
    public void Validate_AmountOrPercent_ExactlyOnePositive(long? amount, int? percent, string path) =>
        Assert.Equal(path, CouponBatches.Validate(Input(amountOff: amount, percentOff: percent)).Error!.Path);

    [Fact]
    public void Validate_BothOrNeitherValidity_Invalid()
    {
        Assert.Equal("valid_to", CouponBatches.Validate(Input(days: null)).Error!.Path);
        Assert.Equal("valid_days_after_claim", CouponBatches.Validate(Input(days: 7, validTo: "2026-12-01T00:00:00+08:00")).Error!.Path);
    }

    [Fact]
    public void Validate_TimeWithoutOffset_Invalid() =>
        Assert.Contains("offset", CouponBatches.Validate(Input(days: null, validTo: "2026-12-01T00:00:00")).Error!.Message, StringComparison.Ordinal);

    [Fact]
    public void Validate_StoreCouponWithoutStore_Invalid() =>
        Assert.Equal("store", CouponBatches.Validate(Input(store: null)).Error!.Path);

    [Fact]
    public void Validate_ZeroQuantity_Invalid() =>
        Assert.Equal("total_quantity", CouponBatches.Validate(Input(quantity: 0)).Error!.Path);

    [Fact]
    public void Validate_BadId_Invalid() =>
        Assert.Equal("id", CouponBatches.Validate(Input() with { Id = "Bad Id" }).Error!.Path);
}
