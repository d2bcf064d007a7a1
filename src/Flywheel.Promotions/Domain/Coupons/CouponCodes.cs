using System.Security.Cryptography;
using Flywheel.Primitives;

namespace Flywheel.Promotions.Domain.Coupons;

/// <summary>
/// Coupon codes: 11 characters drawn by a cryptographic RNG from a 32-character alphabet without look-alikes (no 0/O,
/// 1/I), plus a Luhn mod 32 check character, e.g. <c>7KQ4ZP2MXH9T</c>. 11 × 5 = 55 random bits: with a million codes
/// outstanding a guess hits one with probability about 3 in 10^11, and the check character turns away a typo (any one
/// wrong character, most swaps of neighbours) before the store is asked. Thread-safe.
/// </summary>
internal static class CouponCodes
{
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public const int Length = 12;

    private const int RandomLength = Length - 1;

    // The alphabet has exactly 32 = 2^5 characters, so the low 5 bits of a random byte pick one without modulo bias.
    private const int Mask = 31;

    private static readonly sbyte[] Values = BuildValues();

    /// <summary>A new random code.</summary>
    public static string New()
    {
        Span<byte> random = stackalloc byte[RandomLength];
        RandomNumberGenerator.Fill(random);
        return FromRandom(random);
    }

    /// <summary>
    /// <paramref name="count"/> new random codes, distinct from each other (a repeat, about 1 in 70,000 per million, is
    /// drawn again). Distinct from codes already stored is the primary key's job.
    /// </summary>
    public static string[] NewBatch(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var codes = new string[count];
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        const int Chunk = 4096;
        var random = new byte[Chunk * RandomLength];
        var made = 0;
        while (made < count)
        {
            var take = Math.Min(Chunk, count - made);
            RandomNumberGenerator.Fill(random.AsSpan(0, take * RandomLength));
            for (var i = 0; i < take; i++)
            {
                var code = FromRandom(random.AsSpan(i * RandomLength, RandomLength));
                if (seen.Add(code)) codes[made++] = code;
            }
        }
        return codes;
    }

    /// <summary>
    /// The code in canonical form (upper case, without spaces or hyphens people add when they copy it), or an
    /// invalid-input error naming <paramref name="path"/> when it cannot be a code: wrong length, a character outside
    /// the alphabet, or a check character that does not match (a typo).
    /// </summary>
    public static Result<string> Parse(string? text, string path = "code")
    {
        if (string.IsNullOrWhiteSpace(text)) return Error.Invalid(path, $"a coupon code is {Length} characters from {Alphabet}");
        Span<char> canonical = stackalloc char[Length];
        var n = 0;
        foreach (var c in text)
        {
            if (c is ' ' or '-') continue;
            if (n == Length) return Error.Invalid(path, $"'{Shorten(text)}' is too long for a coupon code ({Length} characters)");
            canonical[n++] = char.ToUpperInvariant(c);
        }
        if (n != Length) return Error.Invalid(path, $"'{text}' has {n} characters; a coupon code has {Length}");
        foreach (var c in canonical)
            if (ValueOf(c) < 0)
                return Error.Invalid(path, $"'{text}' has '{c}', which is not in coupon codes (they use {Alphabet}: no 0, 1, I or O)");
        if (CheckValue(canonical[..RandomLength]) != ValueOf(canonical[RandomLength]))
            return Error.Invalid(path, $"'{text}' is not a valid coupon code: its check character does not match (a mistyped character?)");
        return new string(canonical);
    }

    /// <summary>True when <paramref name="code"/> is a canonical code with a matching check character.</summary>
    public static bool IsValid(string code) => Parse(code).TryGetValue(out var canonical, out _) && canonical == code;

    internal static string FromRandom(ReadOnlySpan<byte> random)
    {
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < RandomLength; i++) chars[i] = Alphabet[random[i] & Mask];
        chars[RandomLength] = Alphabet[CheckValue(chars[..RandomLength])];
        return new string(chars);
    }

    /// <summary>Luhn mod N (N = 32) over the payload: doubling every second value from the right, folding in base 32.</summary>
    internal static int CheckValue(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        var factor = 2;
        for (var i = payload.Length - 1; i >= 0; i--)
        {
            var addend = factor * Values[payload[i]];
            factor = 3 - factor;
            sum += addend / 32 + addend % 32;
        }
        return (32 - sum % 32) % 32;
    }

    private static int ValueOf(char c) => c < Values.Length ? Values[c] : -1;

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++) values[Alphabet[i]] = (sbyte)i;
        return values;
    }

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "...";
}
