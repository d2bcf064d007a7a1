using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Flywheel.Campaigns.Channels;

/// <summary>
/// The signature Flywheel puts on outgoing HTTP requests (SMS gateway, webhooks):
/// <c>X-Flywheel-Timestamp: unix seconds</c> and <c>X-Flywheel-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>.
/// The timestamp is inside the signed text so a receiver can refuse old replays.
/// </summary>
internal static class Signatures
{
    public const string TimestampHeader = "X-Flywheel-Timestamp";
    public const string SignatureHeader = "X-Flywheel-Signature";
    private const string Prefix = "sha256=";

    /// <summary>The <see cref="SignatureHeader"/> value for a body (its exact bytes, UTF-8 for JSON).</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(Mac(secret, timestamp, body));

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/> (UTF-8). Compares in constant time.</summary>
    public static bool Verify(string secret, string timestamp, string body, string? header) =>
        Verify(secret, timestamp, Encoding.UTF8.GetBytes(body), header);

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/>. Compares in constant time.</summary>
    public static bool Verify(string secret, string timestamp, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, Mac(secret, timestamp, body));
    }

    /// <summary>
    /// <see cref="Verify(string,string,ReadOnlySpan{byte},string?)"/> that also refuses a timestamp more than
    /// <paramref name="tolerance"/> away from <paramref name="time"/>'s now, so a captured request cannot be replayed later.
    /// </summary>
    public static bool Verify(string secret, string timestamp, ReadOnlySpan<byte> body, string? header, TimeProvider time, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return false;
        var age = time.GetUtcNow().ToUnixTimeSeconds() - seconds;
        return Math.Abs(age) <= (long)tolerance.TotalSeconds && Verify(secret, timestamp, body, header);
    }

    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
