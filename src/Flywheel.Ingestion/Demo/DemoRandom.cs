namespace Flywheel.Ingestion.Demo;

/// <summary>
/// The demo's random source: a seeded <see cref="Random"/> plus the few distributions the generator needs.
/// <c>new Random(seed)</c> uses the legacy seeded algorithm, which is the same on every runtime and platform,
/// so one seed always gives the same store.
/// </summary>
internal sealed class DemoRandom
{
    private readonly Random _random;

    public DemoRandom(int seed) => _random = new Random(seed);

    /// <summary>An independent stream for one part of the build, so changing one part does not reshuffle the others.</summary>
    public static DemoRandom Derive(int seed, long stream)
    {
        // SplitMix64's finaliser spreads (seed, stream) over the seed space; HashCode is randomised per process and
        // would break reproducibility.
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return new DemoRandom((int)(z & int.MaxValue));
        }
    }

    public double Uniform() => _random.NextDouble();

    /// <summary>Uniform on (0, 1]: safe to take a logarithm of.</summary>
    public double UniformOpen() => 1.0 - _random.NextDouble();

    public int Int(int maxExclusive) => _random.Next(maxExclusive);

    public int Int(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public double Exponential(double rate) => -Math.Log(UniformOpen()) / rate;

    public double Normal()
    {
        // Box-Muller; the second variate is dropped to keep the stream simple to reason about.
        var u1 = UniformOpen();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double LogNormal(double mu, double sigma) => Math.Exp(mu + sigma * Normal());

    /// <summary>Gamma with shape k and rate θ⁻¹ = <paramref name="rate"/> (mean k / rate). Marsaglia–Tsang.</summary>
    public double Gamma(double shape, double rate)
    {
        if (shape < 1.0)
        {
            // Boost: Gamma(k) = Gamma(k + 1) · U^(1/k).
            return Gamma(shape + 1.0, rate) * Math.Pow(UniformOpen(), 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = UniformOpen();
            if (u < 1.0 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v)))
                return d * v / rate;
        }
    }

    public double Beta(double a, double b)
    {
        var x = Gamma(a, 1.0);
        var y = Gamma(b, 1.0);
        return x / (x + y);
    }

    /// <summary>Number of failures before the first success: 0 with probability 1 - <paramref name="continueProbability"/>.</summary>
    public int Geometric(double continueProbability, int max)
    {
        var n = 0;
        while (n < max && Chance(continueProbability)) n++;
        return n;
    }

    /// <summary>An index drawn in proportion to <paramref name="cumulative"/> weights (a running sum, last = total).</summary>
    public int Weighted(double[] cumulative)
    {
        var target = _random.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, target);
        if (index < 0) index = ~index;
        return Math.Min(index, cumulative.Length - 1);
    }

    public static double[] Cumulative(IReadOnlyList<double> weights)
    {
        var sums = new double[weights.Count];
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            total += weights[i];
            sums[i] = total;
        }
        return sums;
    }
}
