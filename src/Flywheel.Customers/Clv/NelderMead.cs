namespace Flywheel.Customers.Clv;

/// <summary>
/// Nelder–Mead simplex minimisation (Nelder &amp; Mead 1965, with the coefficients and the order of tests of Lagarias et
/// al. 1998: reflect 1, expand 2, contract ½, shrink ½). Deterministic: the same function and start give the same
/// steps, with ties between vertices broken by their position. A NaN value counts as +∞, so a function can refuse a
/// region by returning NaN or +∞. Restarts from the best point with a fresh simplex undo the method's known habit of
/// stalling on a collapsed simplex short of the minimum.
/// </summary>
internal static class NelderMead
{
    public sealed record Minimum(double[] Point, double Value, int Evaluations, bool Converged);

    /// <summary>
    /// Minimises from each start in turn, restarting each run from its best point (with a simplex of
    /// <paramref name="restartStep"/>, by default half the first) until a restart improves the value by less than
    /// <paramref name="fTolerance"/> (relative); gives the best of all.
    /// </summary>
    public static Minimum MinimizeWithRestarts(Func<double[], double> f, IReadOnlyList<double[]> starts, double step = 0.5,
        double fTolerance = 1e-12, double xTolerance = 1e-9, int maxEvaluations = 5000, int maxRestarts = 8, double? restartStep = null)
    {
        Minimum? best = null;
        var evaluations = 0;
        foreach (var start in starts)
        {
            var run = Minimize(f, start, step, fTolerance, xTolerance, maxEvaluations);
            evaluations += run.Evaluations;
            for (var restart = 0; restart < maxRestarts; restart++)
            {
                var again = Minimize(f, run.Point, restartStep ?? step / 2, fTolerance, xTolerance, maxEvaluations);
                evaluations += again.Evaluations;
                var improved = again.Value < run.Value - fTolerance * (1 + Math.Abs(run.Value));
                if (again.Value <= run.Value) run = again;
                if (!improved) break;
            }
            if (best is null || run.Value < best.Value) best = run;
        }
        return best! with { Evaluations = evaluations };
    }

    /// <summary>
    /// One run from <paramref name="start"/> with an initial simplex of <paramref name="step"/> along each axis. Stops
    /// when the vertices' values agree to <paramref name="fTolerance"/> (relative) and their coordinates to
    /// <paramref name="xTolerance"/>, or after <paramref name="maxEvaluations"/> evaluations (then not converged).
    /// </summary>
    public static Minimum Minimize(Func<double[], double> f, double[] start, double step, double fTolerance, double xTolerance, int maxEvaluations)
    {
        var n = start.Length;
        var points = new double[n + 1][];
        var values = new double[n + 1];
        var evaluations = 0;
        double Eval(double[] x)
        {
            evaluations++;
            var v = f(x);
            return double.IsNaN(v) ? double.PositiveInfinity : v;
        }

        for (var i = 0; i <= n; i++)
        {
            points[i] = (double[])start.Clone();
            if (i > 0) points[i][i - 1] += step;
            values[i] = Eval(points[i]);
        }

        var centroid = new double[n];
        var converged = false;
        while (evaluations < maxEvaluations)
        {
            Sort(points, values);
            if (Spread(points, values, fTolerance, xTolerance))
            {
                converged = true;
                break;
            }

            Array.Clear(centroid);
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++) centroid[j] += points[i][j] / n;

            var worst = points[n];
            var reflected = Along(centroid, worst, 1);
            var fr = Eval(reflected);
            if (fr < values[0])
            {
                var expanded = Along(centroid, worst, 2);
                var fe = Eval(expanded);
                if (fe < fr) Replace(expanded, fe);
                else Replace(reflected, fr);
            }
            else if (fr < values[n - 1])
            {
                Replace(reflected, fr);
            }
            else
            {
                // Contract outside when the reflection beat the worst vertex, inside otherwise.
                var outside = fr < values[n];
                var contracted = Along(centroid, worst, outside ? 0.5 : -0.5);
                var fc = Eval(contracted);
                if (outside ? fc <= fr : fc < values[n]) Replace(contracted, fc);
                else
                {
                    for (var i = 1; i <= n; i++)
                    {
                        for (var j = 0; j < n; j++) points[i][j] = points[0][j] + 0.5 * (points[i][j] - points[0][j]);
                        values[i] = Eval(points[i]);
                    }
                }
            }
        }
        Sort(points, values);
        return new Minimum(points[0], values[0], evaluations, converged);

        void Replace(double[] point, double value)
        {
            points[n] = point;
            values[n] = value;
        }
    }

    /// <summary>centroid + t·(centroid − worst): t = 1 reflects, 2 expands, ½ and −½ contract.</summary>
    private static double[] Along(double[] centroid, double[] worst, double t)
    {
        var x = new double[centroid.Length];
        for (var j = 0; j < x.Length; j++) x[j] = centroid[j] + t * (centroid[j] - worst[j]);
        return x;
    }

    /// <summary>Stable insertion sort by value (n + 1 is tiny), so equal values keep their order.</summary>
    private static void Sort(double[][] points, double[] values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            var (p, v) = (points[i], values[i]);
            var k = i - 1;
            while (k >= 0 && values[k] > v)
            {
                points[k + 1] = points[k];
                values[k + 1] = values[k];
                k--;
            }
            points[k + 1] = p;
            values[k + 1] = v;
        }
    }

    private static bool Spread(double[][] points, double[] values, double fTolerance, double xTolerance)
    {
        var best = values[0];
        if (double.IsInfinity(best)) return false;
        if (values[^1] - best > fTolerance * (1 + Math.Abs(best))) return false;
        for (var i = 1; i < points.Length; i++)
            for (var j = 0; j < points[0].Length; j++)
                if (Math.Abs(points[i][j] - points[0][j]) > xTolerance) return false;
        return true;
    }
}
