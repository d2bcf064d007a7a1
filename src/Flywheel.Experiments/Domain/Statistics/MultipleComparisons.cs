namespace Flywheel.Experiments.Domain.Statistics;

/// <summary>
/// Several variants against one control: m comparisons at once inflate the chance that some variant looks like a winner by luck.
/// P-values are adjusted by Holm's step-down method (controls the family-wise error rate like Bonferroni, uniformly more powerful):
/// sorted ascending, p'₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Intervals are Bonferroni's, at confidence 1 − α/m: Holm
/// has no matching interval, and Bonferroni intervals are simultaneous (all m cover at once with probability ≥ 1 − α). With one
/// variant both are the unadjusted values.
/// </summary>
internal static class MultipleComparisons
{
    /// <summary>Holm-adjusted p-values in the input order; null stays null and does not count towards m.</summary>
    public static IReadOnlyList<double?> Holm(IReadOnlyList<double?> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var defined = pValues.Select((p, i) => (P: p, I: i)).Where(x => x.P is not null).OrderBy(x => x.P!.Value).ThenBy(x => x.I).ToList();
        var adjusted = new double?[pValues.Count];
        var m = defined.Count;
        var running = 0.0;
        for (var j = 0; j < m; j++)
        {
            running = Math.Max(running, Math.Min(1, (m - j) * defined[j].P!.Value));
            adjusted[defined[j].I] = running;
        }
        return adjusted;
    }

    /// <summary>The confidence of each of <paramref name="comparisons"/> Bonferroni intervals for a family at <paramref name="confidence"/>.</summary>
    public static double BonferroniConfidence(double confidence, int comparisons) => comparisons <= 1 ? confidence : 1 - (1 - confidence) / comparisons;
}
