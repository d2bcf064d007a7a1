using Flywheel.Customers.Clv;

namespace Flywheel.Customers.Tests.Clv;

public class ClvModelTests
{
    /// <summary>lifetimes' Gamma-Gamma fit of the CDNOW repeat customers, as its documentation prints it.</summary>
    private static readonly GammaGammaModel CdnowSpend = new(6.2488, 3.7445, 15.4475);

    [Fact]
    public void ExpectedSpend_CdnowCustomers_MatchesLifetimesDocumentedValues()
    {
        // lifetimes' README: conditional_expected_average_profit gives 24.658619 (x = 2, z̄ = 22.35), 18.911489
        // (x = 1, z̄ = 11.77) and 35.170981, the population mean, for customers without repeat purchases.
        Assert.Equal(24.6586, CdnowSpend.ExpectedSpend(2, 22.35), 0.001);
        Assert.Equal(18.9115, CdnowSpend.ExpectedSpend(1, 11.77), 0.001);
        Assert.Equal(35.1710, CdnowSpend.ExpectedSpend(0, 0), 0.001);
        Assert.Equal(CdnowSpend.P * CdnowSpend.Gamma / (CdnowSpend.Q - 1), CdnowSpend.MeanSpend, 1e-12);
        Assert.True(double.IsPositiveInfinity(new GammaGammaModel(2, 0.9, 10).MeanSpend));
    }

    [Fact]
    public void DiscountedPurchases_AtRateZero_AreTheExpectedPurchasesOverTheHorizon()
    {
        var model = new ClvModel(BgNbdModelTests.Cdnow, CdnowSpend, ClvUnit.Week);
        Assert.Equal(model.ExpectedPurchases(2, 30.43, 38.86, 52), model.DiscountedPurchases(2, 30.43, 38.86, 52, 0), 1e-12);
        var discounted = model.DiscountedPurchases(2, 30.43, 38.86, 52, 0.1);
        Assert.InRange(discounted, model.ExpectedPurchases(2, 30.43, 38.86, 52) / 1.1, model.ExpectedPurchases(2, 30.43, 38.86, 52));
        Assert.Equal(0, model.DiscountedPurchases(2, 30.43, 38.86, 0, 0.1));
    }

    [Fact]
    public void Clv_IsExpectedSpendTimesDiscountedPurchases_AndNaNWithoutSpendModel()
    {
        var model = new ClvModel(BgNbdModelTests.Cdnow, CdnowSpend, ClvUnit.Week);
        var c = new CustomerSummary(2, 30.43, 38.86, 22.35);
        Assert.Equal(model.ExpectedSpend(2, 22.35) * model.DiscountedPurchases(2, 30.43, 38.86, 52, 0.1), model.Clv(c, 52, 0.1), 1e-12);
        Assert.True(double.IsNaN(new ClvModel(BgNbdModelTests.Cdnow, null, ClvUnit.Week).Clv(c, 52, 0.1)));
    }

    [Fact]
    public void Clv_InDays_EqualsClvInWeeks_WhenTheModelIsRescaled()
    {
        // α is in periods: the same model in days has α × 7, t_x × 7, T × 7; a year is 364 days vs 52 weeks.
        var weeks = new ClvModel(BgNbdModelTests.Cdnow, CdnowSpend, ClvUnit.Week);
        var days = new ClvModel(BgNbdModelTests.Cdnow with { Alpha = BgNbdModelTests.Cdnow.Alpha * 7 }, CdnowSpend, ClvUnit.Day);
        Assert.Equal(weeks.ExpectedPurchases(2, 30.43, 38.86, 52), days.ExpectedPurchases(2, 30.43 * 7, 38.86 * 7, 364), 1e-9);
        Assert.Equal(weeks.PAlive(2, 30.43, 38.86), days.PAlive(2, 30.43 * 7, 38.86 * 7), 1e-12);
        Assert.Equal(weeks.DiscountedPurchases(2, 30.43, 38.86, 52, 0), days.DiscountedPurchases(2, 30.43 * 7, 38.86 * 7, 364, 0), 1e-9);
    }

    [Theory]
    [InlineData(12.5, 13L)]
    [InlineData(-12.5, -13L)]
    [InlineData(12.49, 12L)]
    [InlineData(double.NaN, null)]
    [InlineData(double.PositiveInfinity, null)]
    public void ToMinorUnits_RoundsHalfAwayFromZero(double amount, long? expected) =>
        Assert.Equal(expected, ClvModel.ToMinorUnits(amount));
}
