namespace Flywheel.Customers.Clv;

/// <summary>
/// What the CLV models know of one customer at the end of a calibration period, in the notation of Fader, Hardie &amp;
/// Lee (2005): <see cref="X"/> repeat purchases (purchases after the first), <see cref="Tx"/> the time of the last
/// purchase and <see cref="T"/> the time of the calibration end, both measured from the first purchase in periods
/// (weeks or days, see <see cref="ClvUnit"/>); so 0 ≤ Tx ≤ T, and Tx = 0 when X = 0. <see cref="MeanSpend"/> is the mean
/// value of the repeat purchases (z̄, the Gamma-Gamma model's input) in money units — fen for a store — or 0 when
/// X = 0 or unknown.
/// </summary>
internal readonly record struct CustomerSummary(int X, double Tx, double T, double MeanSpend = 0)
{
    /// <summary>Whether the summary is one the models accept (see the type's remarks); NaN anywhere is not.</summary>
    public bool IsValid => X >= 0 && Tx >= 0 && T >= Tx && double.IsFinite(T) && (X > 0 || Tx == 0) && MeanSpend >= 0 && double.IsFinite(MeanSpend);
}

/// <summary>The period the times of a fit are counted in.</summary>
internal enum ClvUnit
{
    Week,
    Day,
}

/// <summary>Names and lengths of <see cref="ClvUnit"/>s.</summary>
internal static class ClvUnits
{
    /// <summary>"week" or "day".</summary>
    public static string Name(ClvUnit unit) => unit == ClvUnit.Day ? "day" : "week";

    /// <summary>Parses "week" or "day" (as the CLI and the API take them).</summary>
    public static ClvUnit? Parse(string? text) => text switch
    {
        "week" => ClvUnit.Week,
        "day" => ClvUnit.Day,
        _ => null,
    };

    /// <summary>Days in one period: 7 or 1.</summary>
    public static int Days(ClvUnit unit) => unit == ClvUnit.Day ? 1 : 7;

    /// <summary>Periods in a year of 365.25 days, for turning an annual discount rate into one per period.</summary>
    public static double PerYear(ClvUnit unit) => 365.25 / Days(unit);
}
