using Flywheel.Campaigns.Channels;
using System.Text;

namespace Flywheel.Campaigns.Tests.Channels;

public sealed class SignaturesTests
{
    private const string Secret = "0123456789abcdef-secret";

    [Fact]
    public void Sign_ThenVerify_RoundTrips_AndMatchesHmacOfTimestampDotBody()
    {
        var body = """{"to":"13800000000","text":"你好"}""";
        var header = Signatures.Sign(Secret, "1700000000", Encoding.UTF8.GetBytes(body));

        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes("1700000000." + body)));
        Assert.Equal(expected, header);
        Assert.True(Signatures.Verify(Secret, "1700000000", body, header));
    }

    [Theory]
    [InlineData("other-secret-0123456789", "1700000000", "{\"a\":1}")]
    [InlineData(Secret, "1700000001", "{\"a\":1}")]
    [InlineData(Secret, "1700000000", "{\"a\":2}")]
    public void Verify_AnyPartChanged_Fails(string secret, string timestamp, string body)
    {
        var header = Signatures.Sign(Secret, "1700000000", Encoding.UTF8.GetBytes("{\"a\":1}"));
        Assert.False(Signatures.Verify(secret, timestamp, body, header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=zz")]
    [InlineData("sha1=abcd")]
    [InlineData("sha256=")]
    public void Verify_MalformedHeader_FailsWithoutThrowing(string? header) =>
        Assert.False(Signatures.Verify(Secret, "1", "{}", header));

    [Fact]
    public void Verify_WithTolerance_RefusesOldTimestamp()
    {
        var clock = new FakeClock();
        var now = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = "{}"u8.ToArray();
        var header = Signatures.Sign(Secret, now, body);

        Assert.True(Signatures.Verify(Secret, now, body, header, clock, TimeSpan.FromMinutes(5)));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False(Signatures.Verify(Secret, now, body, header, clock, TimeSpan.FromMinutes(5)));
    }
}
