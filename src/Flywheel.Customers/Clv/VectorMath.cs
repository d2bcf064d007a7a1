using System.Runtime.Intrinsics;

namespace Flywheel.Customers.Clv;

/// <summary>
/// The two weighted sums the likelihoods spend their time in, four doubles at a time where the CPU has 256-bit vectors
/// (Vector256.Exp and .Log, accurate to a few ulp), one at a time otherwise. Lanes are added in a fixed order, so a
/// sum is the same on every run on the same machine.
/// </summary>
internal static class VectorMath
{
    /// <summary>The argument of term g, computed from a state (passed by reference, so the delegate can be static).</summary>
    public delegate double Term<TState>(in TState state, int g);

    /// <summary>
    /// Σ_{g in [from, to)} w[g] · ln(1 + e^u(g)), with u(g) = <paramref name="term"/>(state, g) computed four at a time
    /// straight into a vector (no array of arguments to write and read back). Terms with u &lt; −36 (under 3·10⁻¹⁶
    /// each) may be counted as 0.
    /// </summary>
    public static double WeightedLog1PExp<TState>(int from, int to, double[] w, in TState state, Term<TState> term)
    {
        var g = from;
        var total = 0.0;
        if (Vector256.IsHardwareAccelerated)
        {
            var sum = Vector256<double>.Zero;
            var cap = Vector256.Create(36.0);
            var one = Vector256.Create(1.0);
            for (; g <= to - 4; g += 4)
            {
                var v = Vector256.Create(term(state, g), term(state, g + 1), term(state, g + 2), term(state, g + 3));
                var soft = Vector256.Log(one + Vector256.Exp(Vector256.Min(v, cap)));
                sum += Vector256.Create(w.AsSpan(g, 4)) * Vector256.ConditionalSelect(Vector256.GreaterThan(v, cap), v, soft);
            }
            total = sum[0] + sum[1] + sum[2] + sum[3];
        }
        for (; g < to; g++)
        {
            var x = term(state, g);
            total += w[g] * (x > 36 ? x : x < -36 ? Math.Exp(x) : Math.Log(1 + Math.Exp(x)));
        }
        return total;
    }

    /// <summary>(Σ c1[i] · ln(a + x[i]), Σ c2[i] · ln(a + x[i])).</summary>
    public static (double First, double Second) WeightedLogs(double a, ReadOnlySpan<double> x, ReadOnlySpan<double> c1, ReadOnlySpan<double> c2)
    {
        var i = 0;
        double first = 0, second = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<double>.Count)
        {
            Vector256<double> s1 = Vector256<double>.Zero, s2 = Vector256<double>.Zero;
            var va = Vector256.Create(a);
            for (; i <= x.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var log = Vector256.Log(va + Vector256.Create(x.Slice(i, Vector256<double>.Count)));
                s1 += Vector256.Create(c1.Slice(i, Vector256<double>.Count)) * log;
                s2 += Vector256.Create(c2.Slice(i, Vector256<double>.Count)) * log;
            }
            first = s1[0] + s1[1] + s1[2] + s1[3];
            second = s2[0] + s2[1] + s2[2] + s2[3];
        }
        for (; i < x.Length; i++)
        {
            var log = Math.Log(a + x[i]);
            first += c1[i] * log;
            second += c2[i] * log;
        }
        return (first, second);
    }
}
