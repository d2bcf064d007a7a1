using Flywheel.Customers.Clv;

namespace Flywheel.Customers.Tests.Clv;

public class SpecialFunctionsTests
{
    // Expected values: CPython's math.lgamma (correctly rounded to within an ulp or two).
    [Theory]
    [InlineData(1e-06, 13.81550998074943)]
    [InlineData(0.001, 6.907178885383854)]
    [InlineData(0.01, 4.599479878042022)]
    [InlineData(0.1, 2.2527126517342055)]
    [InlineData(0.243, 1.3180435846996699)]
    [InlineData(0.5, 0.5723649429247004)]
    [InlineData(0.793, 0.15887133028636485)]
    [InlineData(1, 0.0)]
    [InlineData(1.5, -0.12078223763524543)]
    [InlineData(2, 0.0)]
    [InlineData(2.426, 0.2340081168873156)]
    [InlineData(3.5, 1.2009736023470738)]
    [InlineData(6.25, 5.219603986990228)]
    [InlineData(10, 12.801827480081467)]
    [InlineData(33.3, 82.60372358165495)]
    [InlineData(100, 359.1342053695754)]
    [InlineData(1000, 5905.220423209181)]
    [InlineData(12345.678, 103959.91990554606)]
    [InlineData(1000000.0, 12815504.569147611)]
    [InlineData(100000000.0, 1742068066.1038349)]
    public void LogGamma_MatchesReferenceValues(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.LogGamma(x), 1e-13 * Math.Max(1, Math.Abs(expected)));

    [Fact]
    public void LogGamma_SatisfiesTheRecurrence_AcrossTheSwitchPoints()
    {
        // ln Γ(x + 1) = ln Γ(x) + ln x, on both sides of the 0.5 reflection and the 1e7 Stirling switch.
        foreach (var x in new[] { 0.3, 0.49999, 0.5, 0.50001, 0.7, 1.3, 4.2, 17.9, 9_999_999.5, 1e7, 2.5e7 })
            Assert.Equal(SpecialFunctions.LogGamma(x) + Math.Log(x), SpecialFunctions.LogGamma(x + 1), 2e-14 * Math.Max(1, Math.Abs(SpecialFunctions.LogGamma(x + 1))));
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(0)));
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(-1.5)));
    }

    [Theory]
    [InlineData(0.1, 1.0536051565782627)]
    [InlineData(0.5, 1.3862943611198906)]
    [InlineData(0.9, 2.5584278811044956)]
    [InlineData(0.99, 4.6516870565536275)]
    public void Hyp2F1_OfOneOneTwo_IsMinusLogOneMinusZOverZ(double z, double expected) =>
        Assert.Equal(expected, SpecialFunctions.Hyp2F1(1, 1, 2, z), 1e-12 * expected);

    [Theory]
    [InlineData(2.243, 4.426, 0.3)]
    [InlineData(0.5, 1.7, 0.95)]
    [InlineData(30.2, 3.0, 0.6)]
    public void Hyp2F1_WithCEqualToB_IsAPower(double a, double b, double z) =>
        // ₂F₁(a, b; b; z) = (1 − z)^−a
        Assert.Equal(Math.Pow(1 - z, -a), SpecialFunctions.Hyp2F1(a, b, b, z), 1e-11 * Math.Pow(1 - z, -a));

    [Fact]
    public void Hyp2F1_OutsideTheUnitDiscOrAtAPole_IsNaN()
    {
        Assert.True(double.IsNaN(SpecialFunctions.Hyp2F1(1, 1, 2, 1)));
        Assert.True(double.IsNaN(SpecialFunctions.Hyp2F1(1, 1, -2, 0.5)));
        Assert.Equal(1, SpecialFunctions.Hyp2F1(1, 1, 2, 0));
    }
}
