using Flywheel.Analytics.Attribution;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Contracts;

/// <summary>
/// One paid order's credit under an attribution model: its row in <see cref="EventIndex"/> (order columns), and the keys on its
/// path with their whole-fen share of its GMV and their fraction of the order (shares sum to the order's GMV exactly).
/// </summary>
public sealed record OrderCredit(int OrderRow, IReadOnlyList<CreditedKey> Keys);

/// <summary>
/// <see cref="AttributedCredit"/> order by order, for modules that must combine the models' credit with evidence of their own
/// (Grow: an order that carries a creator's exclusive coupon code is that creator's whole, and the model's credit of it is
/// left out). Same rules, look-back and rounding as <c>GET /v1/attribution</c>.
/// </summary>
public static class OrderCredits
{
    /// <summary>
    /// The orders paid in the local days [<paramref name="from"/>, <paramref name="to"/>] that credit at least one key
    /// <paramref name="keep"/> accepts (asked once per key), with all their keys ("(none)", "(direct)" included).
    /// </summary>
    public static Result<IReadOnlyList<OrderCredit>> Run(EventIndex index, DateOnly from, DateOnly to, CreditDimension by, CreditModel model,
        Func<string, bool> keep, int lookbackDays = 30, double halfLifeDays = 7)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(keep);
        var table = by switch
        {
            CreditDimension.Channel => index.Channels,
            CreditDimension.Campaign => index.Campaigns,
            _ => index.Kols,
        };
        var direct = table.Count;
        var names = new string[direct + 1];
        var kept = new bool[direct + 1];
        for (var k = 0; k <= direct; k++)
        {
            names[k] = k == direct ? AttributedCredit.Direct : table.Decode(k) ?? AttributedCredit.None;
            kept[k] = keep(names[k]);
        }
        var result = new List<OrderCredit>();
        var current = -1;
        var keys = new List<CreditedKey>();
        var any = false;
        void Close()
        {
            if (current >= 0 && any) result.Add(new OrderCredit(current, [.. keys]));
            keys.Clear();
            any = false;
        }
        var query = new AttributionQuery(from, to, (AttributionDimension)by, lookbackDays, halfLifeDays);
        var run = AttributionEngine.Run(index, query, [(AttributionModel)model], (order, key, gmv, share) =>
        {
            if (order != current)
            {
                Close();
                current = order;
            }
            keys.Add(new CreditedKey(names[key], share, gmv));
            any |= kept[key];
        });
        if (!run.TryGetValue(out _, out var error)) return error;
        Close();
        return result;
    }
}
