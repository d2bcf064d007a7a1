using Flywheel.Analytics.Attribution;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Contracts;

/// <summary>The attribution models of the Measure module (docs/kpis.md), for modules that credit orders to their own keys.</summary>
public enum CreditModel
{
    LastClick,
    FirstClick,
    Linear,
    TimeDecay,
    PositionBased,
    Markov,
}

/// <summary>What attributed orders are keyed by: the touch's channel, utm_campaign or KOL id (kol_id).</summary>
public enum CreditDimension
{
    Channel,
    Campaign,
    Kol,
}

/// <summary>One key's credit: fractional orders and whole-fen GMV (credits of all keys sum to the orders' GMV exactly).</summary>
public sealed record CreditedKey(string Key, double Orders, long Gmv);

/// <summary>
/// Multi-touch attribution over the event index, as <c>GET /v1/attribution</c> runs it: orders paid in the local days
/// [<paramref name="from"/>, <paramref name="to"/>] credited to the touches (impression, click, page_view, product_view) within
/// the look-back before each payment. Orders with no touch go to "(direct)"; touches without the key to "(none)".
/// </summary>
public static class AttributedCredit
{
    /// <summary>Orders with no touch on their path are credited to this key.</summary>
    public const string Direct = AttributionEngine.Direct;

    /// <summary>Touches without the dimension's value (no kol_id) are credited to this key.</summary>
    public const string None = AttributionEngine.NoneKey;

    public static Result<IReadOnlyList<CreditedKey>> Run(EventIndex index, DateOnly from, DateOnly to, CreditDimension by, CreditModel model,
        int lookbackDays = 30, double halfLifeDays = 7)
    {
        ArgumentNullException.ThrowIfNull(index);
        var query = new AttributionQuery(from, to, (AttributionDimension)by, lookbackDays, halfLifeDays);
        var run = AttributionEngine.Run(index, query, [(AttributionModel)model]);
        if (!run.TryGetValue(out var report, out var error)) return error;
        return Result<IReadOnlyList<CreditedKey>>.Success(report.Models[0].Rows.Select(r => new CreditedKey(r.Key, r.Orders, r.Gmv)).ToList());
    }
}
