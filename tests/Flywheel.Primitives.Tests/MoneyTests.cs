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

    [Theory]
    [InlineData("CNY", 123456789, "¥1,234,567.89")]
    [InlineData("JPY", 50000, "¥500.00")] // kept in hundredths like every currency
    [InlineData("USD", -550, "-$5.50")]
    [InlineData("GBP", 5, "£0.05")]
    [InlineData("EUR", 100000, "€1,000.00")]
    [InlineData("HKD", 12345, "HK$123.45")]
    [InlineData("SGD", 12345, "SGD 123.45")]
    public void Display_ShowsTheCurrencysSymbolWithGroupedDigits(string code, long minor, string expected) =>
        Assert.Equal(expected, MoneyText.Display(minor, Currency.Parse(code).Value));

    [Fact]
    public void DisplaySigned_AlwaysHasASign()
    {
        var gbp = Currency.Parse("GBP").Value;
        Assert.Equal(("+£50.00", "-£1,000.00", "+£0.00"), (MoneyText.DisplaySigned(5000, gbp), MoneyText.DisplaySigned(-100000, gbp), MoneyText.DisplaySigned(0, gbp)));
        Assert.Equal("-¥92,233,720,368,547,758.08", MoneyText.Display(long.MinValue, Currency.Cny));
    }

    [Fact]
    public void FromSetting_AbsentOrNotACode_IsCny()
    {
        Assert.Equal(Currency.Cny, Currency.FromSetting(null));
        Assert.Equal(Currency.Cny, Currency.FromSetting("pounds"));
        Assert.Equal("GBP", Currency.FromSetting("gbp").Code);
        Assert.Equal("¥", default(Currency).Symbol);
    }
}
