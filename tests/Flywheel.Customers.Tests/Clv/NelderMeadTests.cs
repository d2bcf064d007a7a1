using Flywheel.Customers.Clv;

namespace Flywheel.Customers.Tests.Clv;

public class NelderMeadTests
{
    private static double Rosenbrock(double[] p) => 100 * Math.Pow(p[1] - p[0] * p[0], 2) + Math.Pow(1 - p[0], 2);

    [Fact]
    public void MinimizeWithRestarts_FindsTheRosenbrockValley()
    {
        var minimum = NelderMead.MinimizeWithRestarts(Rosenbrock, [[-1.2, 1.0]]);
        Assert.True(minimum.Converged);
        Assert.Equal(1, minimum.Point[0], 1e-6);
        Assert.Equal(1, minimum.Point[1], 1e-6);
    }

    [Fact]
    public void Minimize_IsDeterministic()
    {
        var first = NelderMead.MinimizeWithRestarts(Rosenbrock, [[-1.2, 1.0], [3, 3]]);
        var second = NelderMead.MinimizeWithRestarts(Rosenbrock, [[-1.2, 1.0], [3, 3]]);
        Assert.Equal(first.Point, second.Point);
        Assert.Equal(first.Evaluations, second.Evaluations);
    }

    [Fact]
    public void Minimize_TreatsNaNAsARefusedRegion()
    {
        // Minimum of (x − 2)² subject to x ≤ 1 (NaN beyond): the constrained minimum at the edge.
        var minimum = NelderMead.MinimizeWithRestarts(p => p[0] > 1 ? double.NaN : Math.Pow(p[0] - 2, 2), [[0.0]]);
        Assert.Equal(1, minimum.Point[0], 1e-6);
    }
}
