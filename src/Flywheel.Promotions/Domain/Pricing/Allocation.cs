namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>Cent-exact splitting of an amount by weights.</summary>
internal static class Allocation
{
    /// <summary>
    /// Splits <paramref name="total"/> over <paramref name="weights"/> by largest remainder: each share is the floor of its exact
    /// proportion, and the cents left over go to the largest remainders (ties to the lower index). Shares sum exactly to the total,
    /// and when total ≤ sum of weights no share exceeds its weight. Weights must be non-negative; a zero weight gets nothing.
    /// </summary>
    public static void LargestRemainder(long total, ReadOnlySpan<long> weights, Span<long> shares, Span<long> remainders)
    {
        long sum = 0;
        for (var i = 0; i < weights.Length; i++) sum = checked(sum + weights[i]);
        shares[..weights.Length].Clear();
        if (total == 0 || sum == 0) return;
        long given = 0;
        // Carts stay far below 2^31 fen (21 million yuan), so the products fit in a long; Int128 division is several times slower.
        var small = total <= int.MaxValue && sum <= int.MaxValue;
        for (var i = 0; i < weights.Length; i++)
        {
            long share, remainder;
            if (small)
            {
                var exact = total * weights[i];
                share = exact / sum;
                remainder = exact - share * sum;
            }
            else
            {
                var exact = (Int128)total * weights[i];
                share = (long)(exact / sum);
                remainder = (long)(exact % sum);
            }
            shares[i] = share;
            remainders[i] = remainder;
            given += share;
        }
        for (var extra = total - given; extra > 0; extra--)
        {
            var best = -1;
            for (var i = 0; i < weights.Length; i++)
                if (weights[i] > 0 && remainders[i] >= 0 && (best < 0 || remainders[i] > remainders[best])) best = i;
            shares[best]++;
            remainders[best] = -1;
        }
    }

    /// <summary>
    /// The money for units [0, units) of a line of <paramref name="quantity"/> units paid <paramref name="paid"/> in total:
    /// floor(paid × units / quantity). Refunds take differences of this, so partial refunds always add up to exactly what was paid.
    /// </summary>
    public static long Cumulative(long paid, int units, int quantity) => (long)((Int128)paid * units / quantity);
}
