using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;

namespace Flywheel.Promotions.Tests.Domain.Coupons;

public class CouponCodesTests
{
    [Fact]
    public void NewBatch_HundredThousand_AllDistinctValidAndFromTheAlphabet()
    {
        var codes = CouponCodes.NewBatch(100_000);
        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
        foreach (var code in codes)
        {
            Assert.Equal(CouponCodes.Length, code.Length);
            Assert.All(code, c => Assert.Contains(c, CouponCodes.Alphabet));
            Assert.True(CouponCodes.IsValid(code), code);
        }
    }

    [Fact]
    public void NewBatch_UsesEveryCharacterInEveryPosition()
    {
        var codes = CouponCodes.NewBatch(20_000);
        for (var position = 0; position < CouponCodes.Length - 1; position++)
            Assert.Equal(CouponCodes.Alphabet.Length, codes.Select(c => c[position]).Distinct().Count());
    }

    [Fact]
    public void Alphabet_HasNoLookAlikes()
    {
        Assert.Equal(32, CouponCodes.Alphabet.Distinct().Count());
        foreach (var c in "01IO") Assert.DoesNotContain(c, CouponCodes.Alphabet);
    }

    [Fact]
    public void Parse_AnySingleWrongCharacter_IsRejectedByTheCheckCharacter()
    {
        foreach (var code in CouponCodes.NewBatch(200))
            for (var position = 0; position < code.Length; position++)
                foreach (var c in CouponCodes.Alphabet)
                {
                    if (c == code[position]) continue;
                    var typo = code[..position] + c + code[(position + 1)..];
                    Assert.False(CouponCodes.Parse(typo).IsSuccess, $"{code} -> {typo}");
                }
    }

    [Fact]
    public void Parse_SwappedNeighbours_MostlyRejected()
    {
        var caught = 0;
        var swaps = 0;
        foreach (var code in CouponCodes.NewBatch(500))
            for (var i = 0; i < code.Length - 1; i++)
            {
                if (code[i] == code[i + 1]) continue;
                swaps++;
                var swapped = code[..i] + code[i + 1] + code[i] + code[(i + 2)..];
                if (!CouponCodes.Parse(swapped).IsSuccess) caught++;
            }
        // Luhn mod N misses only the swap of two specific value pairs; nearly all swaps are caught.
        Assert.True(caught > swaps * 0.95, $"{caught} of {swaps}");
    }

    [Fact]
    public void Parse_LowerCaseWithHyphensAndSpaces_GivesTheCanonicalCode()
    {
        var code = CouponCodes.New();
        var typed = $" {code[..4].ToLowerInvariant()}-{code[4..8]} {code[8..]} ";
        Assert.Equal(code, CouponCodes.Parse(typed).Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABC")]
    [InlineData("ABCDEFGHJKLMNP")]
    [InlineData("0BCDEFGHJKLM")]
    public void Parse_NotACode_InvalidWithPath(string? text)
    {
        var error = CouponCodes.Parse(text, "code").Error!;
        Assert.Equal("invalid", error.Code);
        Assert.Equal("code", error.Path);
    }
}
