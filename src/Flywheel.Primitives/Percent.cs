namespace Flywheel.Primitives;

/// <summary>A share in basis points (1/100 of a percent), so 8.5% is 850. Integer, to keep discounts exact.</summary>
public readonly record struct Percent(int BasisPoints)
{
    public static Percent FromPercent(decimal percent) => new(checked((int)Math.Round(percent * 100m, MidpointRounding.AwayFromZero)));

    public override string ToString() => $"{BasisPoints / 100m:0.##}%";
}
