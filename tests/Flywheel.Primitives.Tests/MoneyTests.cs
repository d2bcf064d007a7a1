using Flywheel.Primitives;

namespace Flywheel.Primitives.Tests;

public class MoneyTests
{
    [Theory]
    [InlineData("12", 1200)]
    [InlineData("12.3", 1230)]
    [InlineData("12.34", 1234)]
    [InlineData("0.05", 5)]
    [InlineData(".5", 50)]
    [InlineData("-5.00", -500)]
    [InlineData(" 351.50 ", 35150)]
    public void TryParseMajor_ExactDecimal_GivesMinorUnits(string text, long expected)
    {
        Assert.True(MoneyText.TryParseMajor(text, out var minor));
        Assert.Equal(expected, minor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12.345")]
    [InlineData("1e3")]
    [InlineData("1,000")]
    [InlineData("abc")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("99999999999999999999")]
    public void TryParseMajor_NotAnAmount_Fails(string text) => Assert.False(MoneyText.TryParseMajor(text, out _));

    [Theory]
    [InlineData(35150, "351.50")]
    [InlineData(5, "0.05")]
    [InlineData(-1205, "-12.05")]
    [InlineData(0, "0.00")]
    public void Format_MinorUnits_GivesTwoDecimals(long minor, string expected) => Assert.Equal(expected, MoneyText.Format(minor));

    [Fact]
    public void Add_DifferentCurrencies_Throws()
    {
        var usd = Currency.Parse("usd").Value;
        Assert.Throws<InvalidOperationException>(() => Money.Cny(1) + new Money(1, usd));
    }

    [Fact]
    public void Times_Overflow_ThrowsInsteadOfWrapping() =>
        Assert.Throws<OverflowException>(() => Money.Cny(long.MaxValue / 2).Times(3));

    [Fact]
    public void RoundTrip_RandomAmounts_FormatThenParseIsIdentity()
    {
        foreach (var seed in new[] { 1, 7, 42, 1234 })
        {
            var random = new Random(seed);
            for (var i = 0; i < 1000; i++)
            {
                var minor = random.NextInt64(-MoneyText.MaxMinor + 1, MoneyText.MaxMinor);
                Assert.True(MoneyText.TryParseMajor(MoneyText.Format(minor), out var back));
                Assert.Equal(minor, back);
            }
        }
    }

    [Fact]
    public void Currency_Parse_RejectsNonIsoCodes()
    {
        Assert.False(Currency.Parse("yuan").IsSuccess);
        Assert.Equal("CNY", Currency.Parse("cny").Value.Code);
    }
}
