using Flywheel.Primitives;
using static Flywheel.Customers.Clv.SpecialFunctions;

namespace Flywheel.Customers.Clv;

/// <summary>A fitted BG/NBD model: its maximum-likelihood parameters and what the fit saw.</summary>
/// <param name="Customers">Customers in the fit.</param>
/// <param name="Groups">Distinct (x, t_x, T) among them: the likelihood was evaluated once per group, weighted by its size.</param>
/// <param name="Evaluations">Likelihood evaluations the optimiser made (all starts and restarts).</param>
/// <param name="Converged">False when a run stopped at its evaluation limit; the parameters are then the best seen.</param>
internal sealed record BgNbdFit(BgNbdModel Model, double LogLikelihood, int Customers, int Groups, int Evaluations, bool Converged);

/// <summary>A fitted Gamma-Gamma model over the customers with repeat purchases and positive spend.</summary>
internal sealed record GammaGammaFit(GammaGammaModel Model, double LogLikelihood, int Customers, int Evaluations, bool Converged);

/// <summary>
/// Maximum-likelihood fits of <see cref="BgNbdModel"/> and <see cref="GammaGammaModel"/>: Nelder–Mead on the logs of the
/// parameters (so they stay positive), from two starts, each restarted until it stops improving. Customers with equal
/// (x, t_x, T) are one weighted term of the likelihood, and every part of a term that depends on x alone or T alone is
/// summed once per distinct value, so what is left per group is one exp and one log for repeat buyers and nothing at all
/// for the rest. On large inputs (more than <see cref="WarmStartGroups"/> groups) the starts run on an evenly spaced
/// sample of the groups first, and the full data only polish the sample's optimum: the same maximum, in a fraction of
/// the full evaluations. Deterministic: the same customers in any order give the same parameters (terms are summed in
/// sorted order, in fixed chunks when parallel) — on a given machine, since vectorised exp and log may differ in the
/// last bits between CPUs.
/// </summary>
internal static class ClvFitter
{
    /// <summary>Fewest customers a store fit accepts by default: fewer give estimates too loose to act on.</summary>
    public const int DefaultMinCustomers = 50;

    /// <summary>Fewest customers with repeat purchases and positive spend for a Gamma-Gamma fit by default.</summary>
    public const int DefaultMinSpendCustomers = 10;

    /// <summary>Above this many groups, the starts run on a sample of this size before the full data polish the result.</summary>
    internal const int WarmStartGroups = 20_000;

    // The log-parameters stay within ±LogBound (e^25 ≈ 7·10¹⁰): on data that cannot pin a parameter down the likelihood
    // keeps rising towards 0 or ∞, and the fit stops at the bound instead of running away.
    private const double LogBound = 25;
    private const int ChunkSize = 16384;

    /// <summary>
    /// Fits BG/NBD. Invalid when there are fewer than <paramref name="minCustomers"/> customers, when none has a repeat
    /// purchase (the likelihood then has no maximum), or when a summary is invalid (<see cref="CustomerSummary.IsValid"/>).
    /// </summary>
    public static Result<BgNbdFit> FitBgNbd(IReadOnlyList<CustomerSummary> customers, int minCustomers = DefaultMinCustomers) =>
        FitBgNbd(customers, minCustomers, WarmStartGroups);

    /// <summary><see cref="FitBgNbd(IReadOnlyList{CustomerSummary}, int)"/> with the warm start above <paramref name="warmStartGroups"/> groups (tests).</summary>
    internal static Result<BgNbdFit> FitBgNbd(IReadOnlyList<CustomerSummary> customers, int minCustomers, int warmStartGroups)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (Check(customers, minCustomers) is { } error) return error;
        var groups = BgNbdData.Group(customers);
        var data = new BgNbdData(groups);
        var scale = Math.Max(data.MeanT, 1);
        double[][] starts =
        [
            [0, Math.Log(scale / 10), 0, Math.Log(2)],
            [Math.Log(0.1), Math.Log(scale), Math.Log(0.5), Math.Log(5)],
        ];
        var sample = groups.Length > warmStartGroups ? new BgNbdData(Sample(groups, warmStartGroups)) : null;
        // A sample without repeat buyers has no maximum to start from (few repeat buyers among many one-time ones).
        if (sample is { RepeatGroups: 0 }) sample = null;
        var minimum = Minimize(theta => -data.LogLikelihood(theta), sample is null ? null : theta => -sample.LogLikelihood(theta), starts);
        var p = minimum.Point;
        var model = new BgNbdModel(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
        return new BgNbdFit(model, -minimum.Value, data.Customers, data.Groups, minimum.Evaluations, minimum.Converged);
    }

    /// <summary>
    /// Fits Gamma-Gamma on the customers with x &gt; 0 and positive <see cref="CustomerSummary.MeanSpend"/> (the others
    /// carry no spend information). Invalid when fewer than <paramref name="minCustomers"/> of them remain.
    /// </summary>
    public static Result<GammaGammaFit> FitGammaGamma(IReadOnlyList<CustomerSummary> customers, int minCustomers = DefaultMinSpendCustomers) =>
        FitGammaGamma(customers, minCustomers, WarmStartGroups);

    /// <summary><see cref="FitGammaGamma(IReadOnlyList{CustomerSummary}, int)"/> with the warm start above <paramref name="warmStartGroups"/> groups (tests).</summary>
    internal static Result<GammaGammaFit> FitGammaGamma(IReadOnlyList<CustomerSummary> customers, int minCustomers, int warmStartGroups)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var groups = GammaGammaData.Group(customers);
        var data = new GammaGammaData(groups);
        if (data.Customers < Math.Max(1, minCustomers))
            return Error.Invalid("customers", $"{data.Customers} customers have repeat purchases with spend; a Gamma-Gamma fit needs at least {Math.Max(1, minCustomers)}");
        var mean = data.MeanSpend;
        double[][] starts =
        [
            [0, Math.Log(2), Math.Log(mean)],
            [Math.Log(5), Math.Log(5), Math.Log(mean * 4 / 5)],
        ];
        var sample = groups.Length > warmStartGroups ? new GammaGammaData(Sample(groups, warmStartGroups)) : null;
        var minimum = Minimize(theta => -data.LogLikelihood(theta), sample is null ? null : theta => -sample.LogLikelihood(theta), starts);
        var p = minimum.Point;
        return new GammaGammaFit(new GammaGammaModel(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2])), -minimum.Value, data.Customers,
            minimum.Evaluations, minimum.Converged);
    }

    /// <summary>Σ log-likelihood of the customers under a model, grouped as in a fit (tests and diagnostics).</summary>
    public static double LogLikelihood(BgNbdModel model, IReadOnlyList<CustomerSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new BgNbdData(BgNbdData.Group(customers)).LogLikelihood([Math.Log(model.R), Math.Log(model.Alpha), Math.Log(model.A), Math.Log(model.B)]);
    }

    /// <summary>
    /// Nelder–Mead with restarts on <paramref name="full"/>; when a <paramref name="sample"/> likelihood is given, the starts
    /// run on it and the full function starts from the sample's optimum with a smaller simplex (its evaluations are
    /// counted too).
    /// </summary>
    private static NelderMead.Minimum Minimize(Func<double[], double> full, Func<double[], double>? sample, double[][] starts)
    {
        if (sample is null) return NelderMead.MinimizeWithRestarts(full, starts);
        var warm = NelderMead.MinimizeWithRestarts(sample, starts, fTolerance: 1e-9, xTolerance: 1e-5);
        var polished = NelderMead.MinimizeWithRestarts(full, [warm.Point], step: 0.05, xTolerance: 1e-6, restartStep: 0.001);
        return polished with { Evaluations = polished.Evaluations + warm.Evaluations };
    }

    /// <summary>Every k-th group in sorted order (k chosen for about <paramref name="size"/> groups), so the sample spans every x, t_x and T.</summary>
    private static (TKey Key, int Weight)[] Sample<TKey>((TKey Key, int Weight)[] groups, int size)
    {
        var step = (groups.Length + size - 1) / size;
        var sample = new (TKey, int)[(groups.Length + step - 1) / step];
        for (var i = 0; i < sample.Length; i++) sample[i] = groups[i * step];
        return sample;
    }

    private static Error? Check(IReadOnlyList<CustomerSummary> customers, int minCustomers)
    {
        var repeat = 0;
        for (var i = 0; i < customers.Count; i++)
        {
            var c = customers[i];
            if (!c.IsValid)
                return Error.Invalid("customers", $"customer {i + 1} has an invalid summary (x {c.X}, t_x {c.Tx}, T {c.T}): x ≥ 0, 0 ≤ t_x ≤ T, t_x = 0 when x = 0");
            if (c.X > 0) repeat++;
        }
        if (customers.Count < Math.Max(1, minCustomers))
            return Error.Invalid("customers", $"{customers.Count} customers to fit on; a fit needs at least {Math.Max(1, minCustomers)}");
        if (repeat == 0)
            return Error.Invalid("customers", $"none of the {customers.Count} customers has a repeat purchase (x = 0 for all): the model cannot tell how often anyone buys again");
        return null;
    }

    private static bool InBounds(double[] theta)
    {
        foreach (var t in theta)
            if (!(Math.Abs(t) <= LogBound)) return false;
        return true;
    }

    /// <summary>Sums f over [0, count) in fixed chunks (in parallel when large), adding the chunks in order: deterministic.</summary>
    private static double Sum(int count, Func<int, int, double> range)
    {
        if (count <= ChunkSize) return range(0, count);
        var chunks = (count + ChunkSize - 1) / ChunkSize;
        var partial = new double[chunks];
        Parallel.For(0, chunks, k => partial[k] = range(k * ChunkSize, Math.Min(count, (k + 1) * ChunkSize)));
        var total = 0.0;
        foreach (var s in partial) total += s;
        return total;
    }

    /// <summary>Runs of equal keys in a sorted array, as (key, length).</summary>
    private static (TKey Key, int Weight)[] Runs<TKey>(TKey[] sorted) where TKey : IEquatable<TKey>
    {
        var runs = new List<(TKey, int)>();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i + 1;
            while (j < sorted.Length && sorted[j].Equals(sorted[i])) j++;
            runs.Add((sorted[i], j - i));
            i = j;
        }
        return [.. runs];
    }

    /// <summary>Distinct values of a sequence in order of first appearance, with each element's index among them.</summary>
    private static (T[] Values, int[] Index) Distinct<T>(IEnumerable<T> values) where T : notnull
    {
        var map = new Dictionary<T, int>();
        var index = new List<int>();
        foreach (var v in values)
        {
            if (!map.TryGetValue(v, out var i)) map[v] = i = map.Count;
            index.Add(i);
        }
        var distinct = new T[map.Count];
        foreach (var (v, i) in map) distinct[i] = v;
        return (distinct, [.. index]);
    }

    /// <summary>
    /// Customers grouped by (x, t_x, T). ln L of a group is
    /// c(x) − (r+x) ln(α+T) + δ(x&gt;0) ln(1 + exp(ln a − ln(b+x−1) − (r+x)(ln(α+t_x) − ln(α+T)))), with c(x) the log-gamma
    /// and r ln α terms: the first two parts are summed per distinct x and per distinct T, only the last per group.
    /// </summary>
    private sealed class BgNbdData
    {
        private readonly int[] _xs;          // distinct x
        private readonly double[] _xWeight;  // customers per distinct x
        private readonly double[] _ts;       // distinct T
        private readonly double[] _tWeight;  // customers per distinct T, and Σ x over them
        private readonly double[] _tXWeight;
        private readonly double[] _txs;      // distinct t_x of repeat buyers
        // Repeat-buyer groups: indexes into the distinct values, and the group's size.
        private readonly int[] _gx, _gtx, _gt;
        private readonly double[] _weight;
        // Per-evaluation scratch.
        private readonly double[] _rx, _a4X, _logTx, _logT;

        public int Customers { get; }
        public int Groups { get; }
        public int RepeatGroups => _weight.Length;
        public double MeanT { get; }

        /// <summary>Customers grouped by (x, t_x, T), sorted, with the group sizes.</summary>
        public static ((int X, double Tx, double T) Key, int Weight)[] Group(IReadOnlyList<CustomerSummary> customers)
        {
            // Sorted, so the terms are summed in the same order however the customers arrived; equal keys are then adjacent.
            var keys = new (int X, double Tx, double T)[customers.Count];
            for (var i = 0; i < keys.Length; i++) keys[i] = (customers[i].X, customers[i].Tx, customers[i].T);
            Array.Sort(keys, KeyOrder.Instance);
            return Runs(keys);
        }

        private sealed class KeyOrder : IComparer<(int X, double Tx, double T)>
        {
            public static readonly KeyOrder Instance = new();

            public int Compare((int X, double Tx, double T) a, (int X, double Tx, double T) b) =>
                a.X != b.X ? a.X.CompareTo(b.X) : a.Tx != b.Tx ? a.Tx.CompareTo(b.Tx) : a.T.CompareTo(b.T);
        }

        public BgNbdData(((int X, double Tx, double T) Key, int Weight)[] groups)
        {
            Groups = groups.Length;
            (_xs, var xIndex) = Distinct(groups.Select(g => g.Key.X));
            (_ts, var tIndex) = Distinct(groups.Select(g => g.Key.T));
            _xWeight = new double[_xs.Length];
            _tWeight = new double[_ts.Length];
            _tXWeight = new double[_ts.Length];
            var sumT = 0.0;
            var repeat = new List<int>();
            for (var g = 0; g < groups.Length; g++)
            {
                var ((x, _, T), w) = groups[g];
                Customers += w;
                sumT += T * w;
                _xWeight[xIndex[g]] += w;
                _tWeight[tIndex[g]] += w;
                _tXWeight[tIndex[g]] += (double)x * w;
                if (x > 0) repeat.Add(g);
            }
            MeanT = Customers == 0 ? 0 : sumT / Customers;
            (_txs, _gtx) = Distinct(repeat.Select(g => groups[g].Key.Tx));
            _gx = [.. repeat.Select(g => xIndex[g])];
            _gt = [.. repeat.Select(g => tIndex[g])];
            _weight = [.. repeat.Select(g => (double)groups[g].Weight)];
            _rx = new double[_xs.Length];
            _a4X = new double[_xs.Length];
            _logTx = new double[_txs.Length];
            _logT = new double[_ts.Length];
        }

        /// <summary>Σ ln L at θ = (ln r, ln α, ln a, ln b); −∞ outside the bounds. Not thread-safe (scratch arrays).</summary>
        public double LogLikelihood(double[] theta)
        {
            if (!InBounds(theta)) return double.NegativeInfinity;
            double r = Math.Exp(theta[0]), alpha = Math.Exp(theta[1]), a = Math.Exp(theta[2]), b = Math.Exp(theta[3]);
            var shared = -LogGamma(r) + r * Math.Log(alpha) + LogGamma(a + b) - LogGamma(b);
            var logA = Math.Log(a);
            var total = 0.0;
            for (var i = 0; i < _xs.Length; i++)
            {
                var x = _xs[i];
                _rx[i] = r + x;
                _a4X[i] = x > 0 ? logA - Math.Log(b + x - 1) : 0;
                total += _xWeight[i] * (shared + LogGamma(r + x) + LogGamma(b + x) - LogGamma(a + b + x));
            }
            for (var i = 0; i < _ts.Length; i++)
            {
                _logT[i] = Math.Log(alpha + _ts[i]);
                total -= (r * _tWeight[i] + _tXWeight[i]) * _logT[i];
            }
            for (var i = 0; i < _txs.Length; i++) _logTx[i] = Math.Log(alpha + _txs[i]);
            return total + Sum(_weight.Length, RepeatTerms);
        }

        private double RepeatTerms(int from, int to) =>
            VectorMath.WeightedLog1PExp(from, to, _weight, (_gx, _gtx, _gt, _rx, _a4X, _logTx, _logT),
                static (in (int[] Gx, int[] Gtx, int[] Gt, double[] Rx, double[] A4X, double[] LogTx, double[] LogT) t, int g) =>
                {
                    var xi = t.Gx[g];
                    return t.A4X[xi] - t.Rx[xi] * (t.LogTx[t.Gtx[g]] - t.LogT[t.Gt[g]]);
                });
    }

    /// <summary>
    /// Customers with x &gt; 0 and positive spend, grouped by (x, z̄). ln L of a group is
    /// ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + p·x(ln z̄ + ln x) − ln z̄ − (px+q) ln(γ + x z̄): all but the last part are
    /// sums fixed by the data times functions of p, q, γ; the last needs one log per group.
    /// </summary>
    private sealed class GammaGammaData
    {
        private readonly int[] _xs;
        private readonly double[] _xWeight;
        private readonly double _xLogXm, _logM; // Σ w·x·(ln z̄ + ln x), Σ w·ln z̄
        private readonly double[] _weight, _xWeighted, _xm; // per group: w, w·x, x·z̄

        public int Customers { get; }
        public double MeanSpend { get; }

        public static ((int X, double M) Key, int Weight)[] Group(IReadOnlyList<CustomerSummary> customers)
        {
            var keys = new List<(int X, double M)>();
            foreach (var c in customers)
                if (c.X > 0 && c.MeanSpend > 0 && double.IsFinite(c.MeanSpend)) keys.Add((c.X, c.MeanSpend));
            var sorted = keys.ToArray();
            Array.Sort(sorted, KeyOrder.Instance);
            return Runs(sorted);
        }

        private sealed class KeyOrder : IComparer<(int X, double M)>
        {
            public static readonly KeyOrder Instance = new();

            public int Compare((int X, double M) a, (int X, double M) b) => a.X != b.X ? a.X.CompareTo(b.X) : a.M.CompareTo(b.M);
        }

        public GammaGammaData(((int X, double M) Key, int Weight)[] groups)
        {
            (_xs, var xIndex) = Distinct(groups.Select(g => g.Key.X));
            _xWeight = new double[_xs.Length];
            _weight = new double[groups.Length];
            _xWeighted = new double[groups.Length];
            _xm = new double[groups.Length];
            var sum = 0.0;
            for (var g = 0; g < groups.Length; g++)
            {
                var ((x, m), w) = groups[g];
                Customers += w;
                sum += m * w;
                _xWeight[xIndex[g]] += w;
                _xLogXm += (double)w * x * (Math.Log(m) + Math.Log(x));
                _logM += w * Math.Log(m);
                _weight[g] = w;
                _xWeighted[g] = (double)w * x;
                _xm[g] = x * m;
            }
            MeanSpend = Customers == 0 ? 0 : sum / Customers;
        }

        /// <summary>Σ ln L at θ = (ln p, ln q, ln γ); −∞ outside the bounds.</summary>
        public double LogLikelihood(double[] theta)
        {
            if (!InBounds(theta)) return double.NegativeInfinity;
            double p = Math.Exp(theta[0]), q = Math.Exp(theta[1]), gamma = Math.Exp(theta[2]);
            var total = Customers * (q * Math.Log(gamma) - LogGamma(q)) + p * _xLogXm - _logM;
            for (var i = 0; i < _xs.Length; i++)
                total += _xWeight[i] * (LogGamma(p * _xs[i] + q) - LogGamma(p * _xs[i]));
            var (weight, xWeighted, xm) = (_weight, _xWeighted, _xm);
            return total - Sum(_weight.Length, (from, to) =>
            {
                var (withX, withoutX) = VectorMath.WeightedLogs(gamma, xm.AsSpan(from, to - from), xWeighted.AsSpan(from, to - from), weight.AsSpan(from, to - from));
                return p * withX + q * withoutX;
            });
        }
    }
}
