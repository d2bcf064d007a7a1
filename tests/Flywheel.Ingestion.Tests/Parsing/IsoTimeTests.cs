using Flywheel.Ingestion.Parsing;
using NodaTime;

namespace Flywheel.Ingestion.Tests.Parsing;

public class IsoTimeTests
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    [Theory]
    [InlineData("2026-05-01T10:00:00+08:00", "2026-05-01T02:00:00Z")]
    [InlineData("2026-05-01T10:00:00Z", "2026-05-01T10:00:00Z")]
    [InlineData("2026-05-01T10:00:00", "2026-05-01T02:00:00Z")] // no offset: the store's zone
    [InlineData("2026-05-01 10:00", "2026-05-01T02:00:00Z")]
    [InlineData("2026-05-01", "2026-04-30T16:00:00Z")]
    [InlineData("2026-05-01T10:00:00.250-0500", "2026-05-01T15:00:00.25Z")]
    public void TryParse_AcceptedForms_GiveUtc(string text, string expectedUtc)
    {
        Assert.True(IsoTime.TryParse(text, Shanghai, out var ms));
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), ms);
    }

    [Theory]
    [InlineData("2026-02-30")]
    [InlineData("2026-13-01")]
    [InlineData("2026-05-01T25:00")]
    [InlineData("01/05/2026")]
    [InlineData("2026-05-01T10:00:00+08:00 extra")]
    [InlineData("1714521600")]
    [InlineData("")]
    public void TryParse_NotIso_Fails(string text) => Assert.False(IsoTime.TryParse(text, Shanghai, out _));
}
