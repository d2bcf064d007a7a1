using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using static Flywheel.Promotions.Tests.Domain.Pricing.Fx;

namespace Flywheel.Promotions.Tests.Domain.Pricing;

public class RefundsTests
{
    [Fact]
    public void Quote_OneLineOfACrossStoreOrder_ReturnsItsAllocatedPaidAmount()
    {
        // 跨店每满300减50 over A 200 + B 150: B's line carries 21.43 of the discount, so refunding it returns 128.57
        var cross = Promo("cross", new RepeatingThresholdOff(Y(300), Y(50)), Stage.Platform, funding: new Funding(60));
        var priced = Pricer(cross).Ok(Cart(Line("a", 200, store: "A"), Line("b", 150, store: "B")));
        var quote = Refunds.Quote(Refunds.FromPriced(priced), [new RefundItem("b", 1)]).Value;
        Assert.Equal(12857, quote.Total);
        var line = quote.Lines.Single();
        Assert.Equal(2143, line.PlatformFundedReversed + line.MerchantFundedReversed);
        // and the other line returns the rest exactly
        Assert.Equal(priced.Total - 12857, Refunds.Quote(Refunds.FromPriced(priced), [new RefundItem("a", 1)]).Value.Total);
    }

    [Fact]
    public void Quote_UnitsOfALine_SplitPaidExactly()
    {
        // 3 units paid 100.00 → 33.33, 33.33, 33.34 in any order of partial refunds
        PaidLine[] order = [new("1", 3, 10_000)];
        Assert.Equal(3333, Refunds.Quote(order, [new RefundItem("1", 1)]).Value.Total);
        Assert.Equal(3333, Refunds.Quote([order[0] with { RefundedQuantity = 1 }], [new RefundItem("1", 1)]).Value.Total);
        Assert.Equal(3334, Refunds.Quote([order[0] with { RefundedQuantity = 2 }], [new RefundItem("1", 1)]).Value.Total);
        Assert.Equal(10_000, Refunds.Quote(order, [new RefundItem("1", 3)]).Value.Total);
    }

    [Fact]
    public void Quote_TooManyUnits_IsAnErrorWithAPath()
    {
        PaidLine[] order = [new("1", 2, 1000, RefundedQuantity: 1)];
        var error = Refunds.Quote(order, [new RefundItem("1", 2)]).Error!;
        Assert.Equal("items[0].quantity", error.Path);
        Assert.Equal("not_found", Refunds.Quote(order, [new RefundItem("x", 1)]).Error!.Code);
    }
}
