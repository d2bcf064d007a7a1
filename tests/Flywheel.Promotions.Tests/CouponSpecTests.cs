using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Tests;

public class CouponSpecTests
{
    [Fact]
    public void HeldCoupon_IsAValue() =>
        Assert.Equal(
            new HeldCoupon("A1", "b1", new CouponSpec(CouponKind.Store, 2000, null, 10000, "s1", null, null, FundingParty.Merchant), DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue),
            new HeldCoupon("A1", "b1", new CouponSpec(CouponKind.Store, 2000, null, 10000, "s1", null, null, FundingParty.Merchant), DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue));
}
