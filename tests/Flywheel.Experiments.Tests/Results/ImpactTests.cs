using Flywheel.Experiments.Domain.Results;

namespace Flywheel.Experiments.Tests.Results;

public sealed class ImpactTests
{
    [Fact]
    public void Of_ScalesPerUnitDifferencesToTheTreatedUnits_AndDividesByTheExtraDiscount()
    {
        // 9,000 treated units, 1,000 held out; +0.02 orders and +150.5 fen GMV per unit; the holdout got 10,000 fen of discount
        // (10 fen per unit) and the treated 450,000 fen, so the treatment cost 450,000 − 90,000 = 360,000 fen beyond the holdout's rate.
        var impact = Impact.Of("b", 9_000, (0.02, 0.01, 0.03), (150.5, 50.25, 250.75), 450_000, 10_000, 1_000);

        Assert.Equal(new AmountInterval(180, 90, 270), impact.Orders);
        Assert.Equal(new AmountInterval(1_354_500, 452_250, 2_256_750), impact.Gmv);
        Assert.Equal(360_000, impact.IncrementalDiscount);
        Assert.Equal(1_354_500 / 360_000.0, impact.GmvPerYuanOfDiscount!.Value, 12);
        Assert.Equal(452_250 / 360_000.0, impact.GmvPerYuanLow!.Value, 12);
        Assert.Null(impact.Reason);
    }

    [Theory]
    [InlineData(90_000)] // exactly the holdout's rate
    [InlineData(0)]      // no discount at all (a message, not a promotion)
    public void Of_NoExtraDiscount_GivesNoRatioButSaysWhy(long treatedDiscount)
    {
        var impact = Impact.Of("b", 9_000, (0, 0, 0), (10, -5, 25), treatedDiscount, 10_000, 1_000);

        Assert.Null(impact.GmvPerYuanOfDiscount);
        Assert.NotNull(impact.Reason);
        Assert.Equal(new AmountInterval(90_000, -45_000, 225_000), impact.Gmv);
    }

    [Fact]
    public void Scale_RoundsHalfAwayFromZero_AndClampsWhatALongCannotHold()
    {
        Assert.Equal(new AmountInterval(3, -3, long.MaxValue), Impact.Scale((0.5, -0.5, 1e300), 5));
        Assert.Equal(new AmountInterval(0, long.MinValue, 0), Impact.Scale((double.NaN, -1e300, 0), 5));
    }
}
