using Flywheel.Primitives;
using static Flywheel.Customers.Clv.SpecialFunctions;

namespace Flywheel.Customers.Clv;

/// <summary>A fitted BG/NBD model: its maximum-likelihood parameters and what the fit saw.</summary>
/// <param name="Customers">Customers in the fit.</param>
/// <param name="Groups">Distinct (x, t_x, T) among them: the likelihood was evaluated once per group, weighted by its size.</param>
/// <param name="Evaluations">Likelihood evaluations the optimiser made (all starts and restarts).</param>
/// <param name="Converged">False when a run stopped at its evaluation limit; the parameters are then the best seen.</param>
public sealed record BgNbdFit(BgNbdModel Model, double LogLikelihood, int Customers, int Groups, int Evaluations, bool Converged);

/// <summary>A fitted Gamma-Gamma model over the customers with repeat purchases and positive spend.</summary>
public sealed record GammaGammaFit(GammaGammaModel Model, double LogLikelihood, int Customers, int Evaluations, bool Converged);

/// <summary>
/// Maximum-likelihood fits of <see cref="BgNbdModel"/> and <see cref="GammaGammaModel"/>: Nelder–Mead on the logs of the
/// parameters (so they stay positive), from two starts, each restarted until it stops improving. Customers with equal
/// (x, t_x, T) are one weighted term of the likelihood, and the per-x and per-T parts of each term are computed once per
/// evaluation, so a million customers measured in whole days cost a few hundred thousand cheap terms. Deterministic:
/// the same customers in any order give the same parameters (large inputs are summed in fixed chunks).
/// </summary>
public static class ClvFitter
{
    /// <summary>Fewest customers a store fit accepts by default: fewer give estimates too loose to act on.</summary>
    public const int DefaultMinCustomers = 50;

    /// <summary>Fewest customers with repeat purchases and positive spend for a Gamma-Gamma fit by default.</summary>
    public const int DefaultMinSpendCustomers = 10;

    // The log-parameters stay within ±LogBound (e^25 ≈ 7·10¹⁰): on data that cannot pin a parameter down the likelihood
    // keeps rising towards 0 or ∞, and the fit stops at the bound instead of running away.
    private const double LogBound = 25;
    private const int ChunkSize = 16384;

    /// <summary>
    /// Fits BG/NBD. Invalid when there are fewer than <paramref name="minCustomers"/> customers, when none has a repeat
    /// purchase (the likelihood then has no maximum), or when a summary is invalid (<see cref="CustomerSummary.IsValid"/>).
    /// </summary>
    public static Result<BgNbdFit> FitBgNbd(IReadOnlyList<CustomerSummary> customers, int minCustomers = DefaultMinCustomers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (Check(customers, minCustomers) is { } error) return error;
        var data = BgNbdData.From(customers);
        var scale = Math.Max(data.MeanT, 1);
        double[][] starts =
        [
            [0, Math.Log(scale / 10), 0, Math.Log(2)],
            [Math.Log(0.1), Math.Log(scale), Math.Log(0.5), Math.Log(5)],
        ];
        var minimum = NelderMead.MinimizeWithRestarts(theta => -data.LogLikelihood(theta), starts);
        var p = minimum.Point;
        var model = new BgNbdModel(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
        return new BgNbdFit(model, -minimum.Value, data.Customers, data.Groups, minimum.Evaluations, minimum.Converged);
    }

    /// <summary>
    /// Fits Gamma-Gamma on the customers with x &gt; 0 and positive <see cref="CustomerSummary.MeanSpend"/> (the others
    /// carry no spend information). Invalid when fewer than <paramref name="minCustomers"/> of them remain.
    /// </summary>
    public static Result<GammaGammaFit> FitGammaGamma(IReadOnlyList<CustomerSummary> customers, int minCustomers = DefaultMinSpendCustomers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var data = GammaGammaData.From(customers);
        if (data.Customers < Math.Max(1, minCustomers))
            return Error.Invalid("customers", $"{data.Customers} customers have repeat purchases with spend; a Gamma-Gamma fit needs at least {Math.Max(1, minCustomers)}");
        var mean = data.MeanSpend;
        double[][] starts =
        [
            [0, Math.Log(2), Math.Log(mean)],
            [Math.Log(5), Math.Log(5), Math.Log(mean * 4 / 5)],
        ];
        var minimum = NelderMead.MinimizeWithRestarts(theta => -data.LogLikelihood(theta), starts);
        var p = minimum.Point;
        return new GammaGammaFit(new GammaGammaModel(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2])), -minimum.Value, data.Customers,
            minimum.Evaluations, minimum.Converged);
    }

    /// <summary>Σ log-likelihood of the customers under a model, grouped as in a fit (tests and diagnostics).</summary>
    public static double LogLikelihood(BgNbdModel model, IReadOnlyList<CustomerSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(model);
        return BgNbdData.From(customers).LogLikelihood([Math.Log(model.R), Math.Log(model.Alpha), Math.Log(model.A), Math.Log(model.B)]);
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

    /// <summary>Customers grouped by (x, t_x, T), with the distinct x, t_x and T values indexed.</summary>
    private sealed class BgNbdData
    {
        private int[] _xs = [];
        private double[] _txs = [], _ts = [];
        private int[] _gx = [], _gtx = [], _gt = [];
        private double[] _weight = [];
        // Per-evaluation scratch: the parts of each term that depend only on x, t_x or T.
        private double[] _constX = [], _rx = [], _a4X = [], _logTx = [], _logT = [];

        public int Customers { get; private init; }
        public int Groups => _weight.Length;
        public double MeanT { get; private init; }

        public static BgNbdData From(IReadOnlyList<CustomerSummary> customers)
        {
            var counts = new Dictionary<(int X, double Tx, double T), int>();
            foreach (var c in customers) counts[(c.X, c.Tx, c.T)] = counts.GetValueOrDefault((c.X, c.Tx, c.T)) + 1;
            // Sorted, so the terms are summed in the same order however the customers arrived.
            var keys = counts.Keys.ToArray();
            Array.Sort(keys);
            var xs = new Dictionary<int, int>();
            var txs = new Dictionary<double, int>();
            var ts = new Dictionary<double, int>();
            var sumT = 0.0;
            foreach (var key in keys) sumT += key.T * counts[key];
            var data = new BgNbdData
            {
                Customers = customers.Count,
                MeanT = customers.Count == 0 ? 0 : sumT / customers.Count,
                _gx = new int[keys.Length], _gtx = new int[keys.Length], _gt = new int[keys.Length], _weight = new double[keys.Length],
            };
            for (var g = 0; g < keys.Length; g++)
            {
                data._gx[g] = Index(xs, keys[g].X);
                data._gtx[g] = Index(txs, keys[g].Tx);
                data._gt[g] = Index(ts, keys[g].T);
                data._weight[g] = counts[keys[g]];
            }
            data._xs = [.. xs.OrderBy(e => e.Value).Select(e => e.Key)];
            data._txs = [.. txs.OrderBy(e => e.Value).Select(e => e.Key)];
            data._ts = [.. ts.OrderBy(e => e.Value).Select(e => e.Key)];
            data._constX = new double[data._xs.Length];
            data._rx = new double[data._xs.Length];
            data._a4X = new double[data._xs.Length];
            data._logTx = new double[data._txs.Length];
            data._logT = new double[data._ts.Length];
            return data;
        }

        private static int Index<T>(Dictionary<T, int> distinct, T value) where T : notnull
        {
            if (!distinct.TryGetValue(value, out var index)) distinct[value] = index = distinct.Count;
            return index;
        }

        /// <summary>Σ weight · ln L at θ = (ln r, ln α, ln a, ln b); −∞ outside the bounds. Not thread-safe (scratch arrays).</summary>
        public double LogLikelihood(double[] theta)
        {
            if (!InBounds(theta)) return double.NegativeInfinity;
            double r = Math.Exp(theta[0]), alpha = Math.Exp(theta[1]), a = Math.Exp(theta[2]), b = Math.Exp(theta[3]);
            var shared = -LogGamma(r) + r * Math.Log(alpha) + LogGamma(a + b) - LogGamma(b);
            var logA = Math.Log(a);
            for (var i = 0; i < _xs.Length; i++)
            {
                var x = _xs[i];
                _rx[i] = r + x;
                _constX[i] = shared + LogGamma(r + x) + LogGamma(b + x) - LogGamma(a + b + x);
                _a4X[i] = x > 0 ? logA - Math.Log(b + x - 1) : double.NaN;
            }
            for (var i = 0; i < _txs.Length; i++) _logTx[i] = Math.Log(alpha + _txs[i]);
            for (var i = 0; i < _ts.Length; i++) _logT[i] = Math.Log(alpha + _ts[i]);
            var xs = _xs;
            return Sum(Groups, (from, to) =>
            {
                var sum = 0.0;
                for (var g = from; g < to; g++)
                {
                    var xi = _gx[g];
                    var a3 = -_rx[xi] * _logT[_gt[g]];
                    var term = xs[xi] == 0 ? a3 : BgNbdModel.LogAddExp(a3, _a4X[xi] - _rx[xi] * _logTx[_gtx[g]]);
                    sum += _weight[g] * (_constX[xi] + term);
                }
                return sum;
            });
        }
    }

    /// <summary>Customers with x &gt; 0 and positive spend, grouped by (x, z̄).</summary>
    private sealed class GammaGammaData
    {
        private int[] _xs = [];
        private int[] _gx = [];
        private double[] _weight = [], _logM = [], _logX = [], _xm = [];
        private double[] _px = [], _constX = [];

        public int Customers { get; private init; }
        public double MeanSpend { get; private init; }

        public static GammaGammaData From(IReadOnlyList<CustomerSummary> customers)
        {
            var counts = new Dictionary<(int X, double M), int>();
            var count = 0;
            foreach (var c in customers)
            {
                if (c.X <= 0 || !(c.MeanSpend > 0) || !double.IsFinite(c.MeanSpend)) continue;
                count++;
                counts[(c.X, c.MeanSpend)] = counts.GetValueOrDefault((c.X, c.MeanSpend)) + 1;
            }
            var keys = counts.Keys.ToArray();
            Array.Sort(keys);
            var sum = 0.0;
            foreach (var key in keys) sum += key.M * counts[key];
            var xs = new Dictionary<int, int>();
            var data = new GammaGammaData
            {
                Customers = count,
                MeanSpend = count == 0 ? 0 : sum / count,
                _gx = new int[keys.Length], _weight = new double[keys.Length], _logM = new double[keys.Length], _logX = new double[keys.Length],
                _xm = new double[keys.Length],
            };
            for (var g = 0; g < keys.Length; g++)
            {
                var (x, m) = keys[g];
                if (!xs.TryGetValue(x, out var xi)) xs[x] = xi = xs.Count;
                data._gx[g] = xi;
                data._weight[g] = counts[keys[g]];
                data._logM[g] = Math.Log(m);
                data._logX[g] = Math.Log(x);
                data._xm[g] = x * m;
            }
            data._xs = [.. xs.OrderBy(e => e.Value).Select(e => e.Key)];
            data._px = new double[data._xs.Length];
            data._constX = new double[data._xs.Length];
            return data;
        }

        /// <summary>Σ weight · ln L at θ = (ln p, ln q, ln γ); −∞ outside the bounds. Not thread-safe (scratch arrays).</summary>
        public double LogLikelihood(double[] theta)
        {
            if (!InBounds(theta)) return double.NegativeInfinity;
            double p = Math.Exp(theta[0]), q = Math.Exp(theta[1]), gamma = Math.Exp(theta[2]);
            var shared = -LogGamma(q) + q * Math.Log(gamma);
            for (var i = 0; i < _xs.Length; i++)
            {
                _px[i] = p * _xs[i];
                _constX[i] = shared + LogGamma(_px[i] + q) - LogGamma(_px[i]);
            }
            return Sum(_weight.Length, (from, to) =>
            {
                var sum = 0.0;
                for (var g = from; g < to; g++)
                {
                    var px = _px[_gx[g]];
                    sum += _weight[g] * (_constX[_gx[g]] + (px - 1) * _logM[g] + px * _logX[g] - (px + q) * Math.Log(gamma + _xm[g]));
                }
                return sum;
            });
        }
    }
}
