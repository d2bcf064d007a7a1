using System.Globalization;
using CsCheck;
using Flywheel.Experiments.Domain.Assignment;
using Flywheel.Experiments.Domain.Definitions;

namespace Flywheel.Experiments.Tests.Assignment;

public sealed class BucketingTests
{
    private const string Salt = "9f3c2a7be1d84c5f8a0e6b1d2c3f4a5b";

    private static ExperimentDefinition Definition(double traffic, params int[] weights) =>
        new("t", "t", null, ExperimentCatalog.Customer, [.. weights.Select((w, i) => new VariantDefinition($"v{i}", $"v{i}", w, false))], traffic, null, 14, 0.95,
            new MetricSelection("conversion", [], []));

    private static string UnitId(int i) => "c" + i.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Hash_IsPinned_SoEveryServerAndEveryReleaseAgrees()
    {
        // If this changes, every running experiment's units move: never change the hash.
        Assert.Equal(Bucketing.Hash(Salt, "c1"), Bucketing.Hash(Salt, "c1"));
        // Reference values from an independent implementation (Python: FNV-1a 64 over seed · 0x00 · unit, then fmix64).
        Assert.Equal(0xdc7072176285a6edUL, Bucketing.Hash("salt", "unit"));
        Assert.Equal(0xb9034ad37056f5fbUL, Bucketing.Hash("", ""));
        Assert.Equal(0xe1659daed53de086UL, Bucketing.Hash("双11", "顾客-1"));
        Assert.NotEqual(Bucketing.Hash("ab", "c"), Bucketing.Hash("a", "bc")); // the separator keeps (seed, unit) apart
    }

    [Theory]
    [InlineData(new[] { 50, 50 })]
    [InlineData(new[] { 10, 90 })]
    [InlineData(new[] { 1, 2, 7 })]
    [InlineData(new[] { 3333, 3333, 3334 })]
    public void Split_Over100kUnits_LandsWithinOnePercentOfTheWeights(int[] weights)
    {
        const int n = 100_000;
        var d = Definition(1.0, weights);
        var counts = new int[weights.Length];
        for (var i = 0; i < n; i++) counts[int.Parse(Bucketing.Assign(d, Salt, UnitId(i)).Variant![1..], CultureInfo.InvariantCulture)]++;
        var total = weights.Sum();
        for (var v = 0; v < weights.Length; v++)
        {
            var expected = (double)weights[v] / total;
            Assert.True(Math.Abs((double)counts[v] / n - expected) < 0.01, $"variant {v}: {counts[v]} of {n}, expected {expected:P1}");
        }
    }

    [Fact]
    public void Traffic_Growing_KeepsEveryUnitThatWasIn_WithItsVariant()
    {
        const int n = 100_000;
        int at20 = 0, at50 = 0;
        for (var i = 0; i < n; i++)
        {
            var small = Bucketing.Assign(Definition(0.2, 50, 50), Salt, UnitId(i));
            var large = Bucketing.Assign(Definition(0.5, 50, 50), Salt, UnitId(i));
            if (small.InTraffic)
            {
                at20++;
                Assert.True(large.InTraffic, $"{UnitId(i)} was in at 0.2 but not at 0.5");
                Assert.Equal(small.Variant, large.Variant);
            }
            if (large.InTraffic) at50++;
        }
        Assert.InRange((double)at20 / n, 0.19, 0.21);
        Assert.InRange((double)at50 / n, 0.49, 0.51);
    }

    [Fact]
    public void Traffic_And_Variant_AreIndependent_TheSplitHoldsInsideTheTraffic()
    {
        var d = Definition(0.3, 50, 50);
        var inside = Enumerable.Range(0, 100_000).Select(i => Bucketing.Assign(d, Salt, UnitId(i))).Where(b => b.InTraffic).ToList();
        var control = inside.Count(b => b.Variant == "v0");
        Assert.InRange((double)control / inside.Count, 0.49, 0.51);
    }

    [Fact]
    public void Salt_DecidesTheSplit_AnotherSaltReshuffles()
    {
        var d = Definition(1.0, 50, 50);
        var same = Enumerable.Range(0, 20_000).Count(i => Bucketing.Assign(d, Salt, UnitId(i)).Variant == Bucketing.Assign(d, "another-salt", UnitId(i)).Variant);
        Assert.InRange(same / 20_000.0, 0.47, 0.53); // unrelated experiments do not put the same units together
    }

    [Fact]
    public void Holdout_IsAVariant_ThatSaysSo()
    {
        var d = Definition(1.0, 10, 90) is var plain ? plain with { Variants = [plain.Variants[0] with { Holdout = true }, plain.Variants[1]] } : null!;
        var held = Enumerable.Range(0, 10_000).Select(i => Bucketing.Assign(d, Salt, UnitId(i))).Where(b => b.Holdout).ToList();
        Assert.All(held, b => Assert.Equal("v0", b.Variant));
        Assert.InRange(held.Count / 10_000.0, 0.09, 0.11);
    }

    [Fact]
    public void Pick_AnyWeights_FollowsTheCumulativeSlices()
    {
        Gen.Select(Gen.Int[1, 10_000].Array[2, 10], Gen.Double[0.0, 0.999999]).Sample((weights, position) =>
        {
            var variants = weights.Select((w, i) => new VariantDefinition($"v{i}", $"v{i}", w, false)).ToList();
            var picked = Bucketing.Pick(variants, position);
            var index = variants.IndexOf(picked);
            var total = weights.Sum();
            var before = weights.Take(index).Sum();
            // position × total lies in the picked variant's slice [before, before + weight).
            return position * total >= before && position * total < before + weights[index];
        });
    }

    [Fact]
    public void Unit_IsInTheUnitInterval_ForAnyText()
    {
        Gen.Select(Gen.String, Gen.String).Sample((seed, unit) => Bucketing.Unit(seed, unit) is >= 0 and < 1);
    }
}
