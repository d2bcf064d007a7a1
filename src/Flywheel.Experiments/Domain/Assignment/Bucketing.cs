using System.Text;
using Flywheel.Experiments.Domain.Definitions;

namespace Flywheel.Experiments.Domain.Assignment;

/// <summary>The variant a hash gives a unit, before segment targeting and stickiness; <see cref="Variant"/> null means "outside the traffic".</summary>
internal sealed record Bucketed(string? Variant, bool Holdout)
{
    public bool InTraffic => Variant is not null;
}

/// <summary>
/// Deterministic assignment. A unit's position is <c>Unit(seed, unit)</c>: the 64-bit FNV-1a hash of the UTF-8 bytes of the seed, one
/// 0x00 byte and the unit id, passed through MurmurHash3's fmix64 finalizer (FNV-1a alone mixes its last bytes poorly into the high
/// bits), whose top 53 bits give a number in [0, 1). It depends on nothing but its input — not on .NET's per-process randomized
/// string hash — so every server and every run agrees. Two positions per unit:
/// <list type="bullet">
/// <item>traffic: <c>Unit(salt + ":traffic", unit) &lt; traffic</c> decides whether the unit is in at all. It ignores the variants, so
/// raising traffic only adds units: every unit in at 0.2 is in at 0.5, with the same variant;</item>
/// <item>variant: <c>Unit(salt, unit) × Σ weights</c> falls into one variant's slice of the cumulative weights, in definition order.</item>
/// </list>
/// Units cannot contain control characters, so the 0x00 separator makes (seed, unit) → bytes one-to-one.
/// </summary>
internal static class Bucketing
{
    private const ulong FnvOffset = 14695981039346656037UL, FnvPrime = 1099511628211UL;

    /// <summary>The variant (or none) that <paramref name="definition"/> with <paramref name="salt"/> gives <paramref name="unit"/>.</summary>
    public static Bucketed Assign(ExperimentDefinition definition, string salt, string unit)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Unit(salt + ":traffic", unit) >= definition.Traffic) return new Bucketed(null, false);
        var variant = Pick(definition.Variants, Unit(salt, unit));
        return new Bucketed(variant.Key, variant.Holdout);
    }

    /// <summary>The variant whose slice of the cumulative weights holds <paramref name="position"/> ∈ [0, 1).</summary>
    public static VariantDefinition Pick(IReadOnlyList<VariantDefinition> variants, double position)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var total = variants.Sum(v => (long)v.Weight);
        var target = position * total;
        long cumulative = 0;
        foreach (var v in variants)
        {
            cumulative += v.Weight;
            if (target < cumulative) return v;
        }
        return variants[^1]; // position < 1 makes this unreachable, short of rounding at the very top
    }

    /// <summary>The unit's position in [0, 1) for <paramref name="seed"/>.</summary>
    public static double Unit(string seed, string unit) => (Hash(seed, unit) >> 11) * (1.0 / (1UL << 53));

    /// <summary>FNV-1a 64 over UTF-8(seed) · 0x00 · UTF-8(unit), then fmix64.</summary>
    public static ulong Hash(string seed, string unit)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(unit);
        var hash = FnvOffset;
        hash = Fnv(hash, seed);
        hash = unchecked((hash ^ 0) * FnvPrime);
        hash = Fnv(hash, unit);
        return Fmix64(hash);
    }

    private static ulong Fnv(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = max <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes) hash = unchecked((hash ^ b) * FnvPrime);
        return hash;
    }

    private static ulong Fmix64(ulong k)
    {
        unchecked
        {
            k ^= k >> 33;
            k *= 0xff51afd7ed558ccdUL;
            k ^= k >> 33;
            k *= 0xc4ceb9fe1a85ec53UL;
            k ^= k >> 33;
            return k;
        }
    }
}
