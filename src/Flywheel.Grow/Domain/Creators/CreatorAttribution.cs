using Flywheel.Analytics.Contracts;
using Flywheel.Ingestion.Contracts;

namespace Flywheel.Grow.Domain.Creators;

/// <summary>How an order came to a creator: their exclusive coupon code, their tracking link, or the attribution model's credit.</summary>
internal static class CreditSource
{
    public const string Code = "code";
    public const string Link = "link";
    public const string Model = "model";
}

/// <summary>
/// A share of one paid order credited to a creator and, when one applies, to one of their collaborations (null: the creator's
/// touches before any collaboration of theirs). <see cref="Orders"/> and <see cref="NewBuyers"/> are fractions of the order under a
/// multi-touch model (whole under code, link and last click); <see cref="Gmv"/> and <see cref="Refund"/> are whole fen.
/// </summary>
internal sealed record CreditedOrder(string OrderId, string CreatorId, string? CollabId, string Source, double Orders, long Gmv, long Refund, double NewBuyers);

/// <summary>What the attribution of orders to creators works from; times are index times (seconds since <see cref="EventIndex.Epoch"/>).</summary>
internal sealed record CreatorEvidence(
    IReadOnlyList<Creator> Creators,
    IReadOnlyList<Collaboration> Collaborations,
    EventIndex Index,
    IReadOnlyList<CouponOrder> CodeOrders,
    IReadOnlyList<OrderCredit> ModelCredits,
    IReadOnlyDictionary<string, string> LinkOrders);

/// <summary>
/// Orders to creators and collaborations. Pure. The rule, strongest evidence first, each order counted once:
/// <list type="number">
/// <item>Code: a paid order whose coupon_codes hold a collaboration's exclusive code is that collaboration's, whole (1 order, its
/// whole GMV). Two such codes on one order: the first recorded wins.</item>
/// <item>Link: an order the tracking links attribute to a collaboration (order id → collab id: see LinkOrderRule, a click on its link in the 7 days before payment) is
/// that collaboration's, whole.</item>
/// <item>Model: every other order is credited by the Measure module's model on the KOL dimension; a key that is a creator's id
/// gets its share (fraction of the order, whole fen of the GMV by the model's largest-remainder split). Orders taken by code or
/// link are left out of the model entirely, so no order is counted twice. A creator's model credit goes to their collaboration
/// with the latest posting time at or before the payment (cancelled ones never count); before their first, to no collaboration.</item>
/// </list>
/// A new buyer is an order that is its customer's first paid order ever (the index's first-order time), in the same share.
/// Refunds follow the share of GMV: refund × share ÷ GMV, rounded half up to the fen.
/// </summary>
internal static class CreatorAttribution
{
    public static IReadOnlyList<CreditedOrder> Credit(CreatorEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var index = evidence.Index;
        var creators = evidence.Creators.ToDictionary(c => c.CreatorId, StringComparer.Ordinal);
        var live = evidence.Collaborations.Where(c => c.Status != CollaborationStatus.Cancelled).ToList();
        var byCode = new Dictionary<string, Collaboration>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in live)
            if (c.CouponCode is { Length: > 0 } code) byCode.TryAdd(code, c);
        var byId = live.ToDictionary(c => c.CollabId, StringComparer.Ordinal);
        var windows = Windows(live);

        var result = new List<CreditedOrder>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var rows = OrderRows(index, evidence.CodeOrders.Select(o => o.OrderId).Concat(evidence.LinkOrders.Keys));
        foreach (var order in evidence.CodeOrders)
        {
            var collab = order.Codes.Select(c => byCode.GetValueOrDefault(c)).FirstOrDefault(c => c is not null);
            if (collab is null || !taken.Add(order.OrderId)) continue;
            var first = rows.TryGetValue(order.OrderId, out var row) && IsFirstOrder(index, row.Visitor, row.Order) ? 1 : 0;
            result.Add(new CreditedOrder(order.OrderId, collab.CreatorId, collab.CollabId, CreditSource.Code, 1, order.TotalPaid, order.RefundAmount, first));
        }
        foreach (var (orderId, collabId) in evidence.LinkOrders.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!byId.TryGetValue(collabId, out var collab) || !rows.TryGetValue(orderId, out var row) || !taken.Add(orderId)) continue;
            result.Add(new CreditedOrder(orderId, collab.CreatorId, collabId, CreditSource.Link, 1, index.OrderGmv[row.Order], index.OrderRefund[row.Order],
                IsFirstOrder(index, row.Visitor, row.Order) ? 1 : 0));
        }

        var visitorOf = evidence.ModelCredits.Count == 0 ? [] : VisitorOfOrders(index);
        foreach (var credit in evidence.ModelCredits)
        {
            var o = credit.OrderRow;
            var id = index.OrderIds[o];
            if (taken.Contains(id)) continue;
            var gmv = index.OrderGmv[o];
            var refund = index.OrderRefund[o];
            var first = IsFirstOrder(index, visitorOf[o], o);
            foreach (var key in credit.Keys)
            {
                if (!creators.ContainsKey(key.Key)) continue;
                var collab = windows.TryGetValue(key.Key, out var list) ? At(list, index.OrderPaidTime[o]) : null;
                var share = gmv == 0 ? 0 : RoundHalfUp((Int128)refund * key.Gmv, gmv);
                result.Add(new CreditedOrder(id, key.Key, collab?.CollabId, CreditSource.Model, key.Orders, key.Gmv, share, first ? key.Orders : 0));
            }
        }
        return result;
    }

    /// <summary>Each creator's live collaborations by posting time (then id), with their posting times as index times.</summary>
    public static Dictionary<string, List<(int From, Collaboration Collab)>> Windows(IEnumerable<Collaboration> live) =>
        live.GroupBy(c => c.CreatorId, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.Select(c => (From: EventIndex.ToIndexTime(c.PostingAt.ToUnixTimeMilliseconds()), Collab: c))
                .OrderBy(w => w.From).ThenBy(w => w.Collab.CollabId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

    /// <summary>The collaboration whose window holds <paramref name="time"/>: the last posted at or before it; null before the first.</summary>
    public static Collaboration? At(List<(int From, Collaboration Collab)> windows, int time)
    {
        Collaboration? found = null;
        foreach (var (from, collab) in windows)
        {
            if (from > time) break;
            found = collab;
        }
        return found;
    }

    private static bool IsFirstOrder(EventIndex index, int visitor, int order) =>
        visitor >= 0 && index.IsCustomer[visitor] && index.FirstOrderTime[visitor] == index.OrderPaidTime[order] && index.OrderStart[visitor] <= order
        && FirstRowAtFirstTime(index, visitor) == order;

    // Two orders paid in the same second: only the first row is the first order.
    private static int FirstRowAtFirstTime(EventIndex index, int visitor)
    {
        for (var o = index.OrderStart[visitor]; o < index.OrderStart[visitor + 1]; o++)
            if (index.OrderPaidTime[o] == index.FirstOrderTime[visitor]) return o;
        return -1;
    }

    /// <summary>The order rows and visitors of the given order ids (ids not in the index are absent).</summary>
    private static Dictionary<string, (int Order, int Visitor)> OrderRows(EventIndex index, IEnumerable<string> ids)
    {
        var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
        var rows = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        if (wanted.Count == 0) return rows;
        for (var v = 0; v < index.VisitorCount; v++)
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                if (wanted.Contains(index.OrderIds[o])) rows[index.OrderIds[o]] = (o, v);
        return rows;
    }

    private static int[] VisitorOfOrders(EventIndex index)
    {
        var visitors = new int[index.OrderCount];
        for (var v = 0; v < index.VisitorCount; v++)
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++) visitors[o] = v;
        return visitors;
    }

    /// <summary>a ÷ b rounded half up (a ≥ 0, b &gt; 0), as a long.</summary>
    public static long RoundHalfUp(Int128 a, long b) => checked((long)((a * 2 + b) / (2 * (Int128)b)));

    /// <summary>Commission on <paramref name="gmv"/> fen at <paramref name="bp"/> basis points: gmv × bp ÷ 10000, rounded half up to the fen.</summary>
    public static long Commission(long gmv, int bp) => gmv <= 0 ? 0 : RoundHalfUp((Int128)gmv * bp, 10_000);
}
