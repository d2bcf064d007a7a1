using Flywheel.Analytics.Contracts;

namespace Flywheel.Grow.Domain.Creators;

/// <summary>
/// The figures of a creator, a collaboration or a tier over a period. Reach is the impression events with the creator's kol_id;
/// clicks are the click and page_view events with it (a visit from the creator's content; stores that record no click events,
/// the demo's among them, still count visits); <see cref="Orders"/> and <see cref="NewBuyers"/> may be fractional (multi-touch models); money is fen:
/// <see cref="Fee"/> of the collaborations posted in the period, <see cref="Commission"/> at each collaboration's rate on its
/// attributed GMV (rounded half up to the fen per collaboration), <see cref="Cost"/> = fee + commission.
/// </summary>
internal sealed record CreatorMetrics(long Reach, long Clicks, double Orders, long Gmv, double NewBuyers, long CodeOrders, long Fee, long Commission)
{
    public long Cost => checked(Fee + Commission);
    /// <summary>Clicks ÷ impressions; null without impressions.</summary>
    public double? Ctr => Reach > 0 ? (double)Clicks / Reach : null;
    /// <summary>GMV ÷ (fee + commission); null without cost.</summary>
    public double? Roi => Cost > 0 ? (double)Gmv / Cost : null;
    /// <summary>(fee + commission) ÷ orders in fen, rounded half up; null without orders.</summary>
    public long? Cpa => Orders > 1e-9 ? (long)Math.Round((decimal)Cost / (decimal)Orders, MidpointRounding.AwayFromZero) : null;
}

internal sealed record CollaborationLine(string CollabId, string CreatorId, string CreatorName, string Tier, string Title, string Status,
    DateTimeOffset PostingAt, int CommissionBp, string? CouponCode, string? LinkCode, CreatorMetrics Metrics);

internal sealed record CreatorLine(string CreatorId, string Name, string Platform, long Followers, string Tier, string? Category, int Collaborations,
    CreatorMetrics Metrics);

internal sealed record TierLine(string Tier, string TierZh, int Creators, CreatorMetrics Metrics);

/// <summary>The creator ROI report over local days [From, To] under one attribution model.</summary>
internal sealed record CreatorReport(DateOnly From, DateOnly To, string Model, string TimeZone, CreatorMetrics Total, IReadOnlyList<CreatorLine> Creators,
    IReadOnlyList<CollaborationLine> Collaborations, IReadOnlyList<TierLine> Tiers, string Rule);

/// <summary>Builds <see cref="CreatorReport"/> from the credited orders and the event index. Pure.</summary>
internal static class CreatorReports
{
    public const string Rule =
        "orders carrying a collaboration's exclusive coupon code are that collaboration's, whole; every other order is credited by the " +
        "attribution model on kol_id, to the creator's collaboration posted last before the payment; no order counts twice. " +
        "Reach = impression events with the kol_id; clicks = click and page_view events with it. " +
        "Commission = rate × attributed GMV per collaboration, rounded half up to the fen.";

    public static CreatorReport Build(CreatorEvidence evidence, IReadOnlyList<CreditedOrder> credited, DateOnly from, DateOnly to, int start, int end, string model)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(credited);
        var index = evidence.Index;
        var creators = evidence.Creators;
        var live = evidence.Collaborations.Where(c => c.Status != CollaborationStatus.Cancelled).ToList();
        var windows = CreatorAttribution.Windows(live);

        var collab = new Dictionary<string, Acc>(StringComparer.Ordinal);
        var creator = creators.ToDictionary(c => c.CreatorId, _ => new Acc(), StringComparer.Ordinal);
        foreach (var c in evidence.Collaborations) collab[c.CollabId] = new Acc();

        // Reach and clicks: one pass over the events with a kol_id of a known creator.
        var impression = index.Types.Find("impression");
        var click = index.Types.Find("click");
        var pageView = index.Types.Find("page_view");
        var kolCreator = new string?[index.Kols.Count];
        for (var k = 1; k < kolCreator.Length; k++)
            if (index.Kols.Decode(k) is { } id && creator.ContainsKey(id)) kolCreator[k] = id;
        for (var e = 0; e < index.EventCount; e++)
        {
            var kol = index.EventKol[e];
            if (kol == 0 || kolCreator[kol] is not { } id) continue;
            var type = index.EventType[e];
            if (type != impression && type != click && type != pageView) continue;
            var t = index.EventTime[e];
            if (t < start || t >= end) continue;
            var target = windows.TryGetValue(id, out var list) ? CreatorAttribution.At(list, t) : null;
            foreach (var acc in Targets(creator[id], target is null ? null : collab[target.CollabId]))
            {
                if (type == impression) acc.Reach++;
                else acc.Clicks++;
            }
        }

        foreach (var o in credited)
        {
            if (!creator.TryGetValue(o.CreatorId, out var owner)) continue;
            foreach (var acc in Targets(owner, o.CollabId is null ? null : collab[o.CollabId]))
            {
                acc.Orders += o.Orders;
                acc.Gmv = checked(acc.Gmv + o.Gmv);
                acc.NewBuyers += o.NewBuyers;
                if (o.Source == CreditSource.Code) acc.CodeOrders++;
            }
        }

        var collabLines = new List<CollaborationLine>();
        var byCreator = creators.ToDictionary(c => c.CreatorId, StringComparer.Ordinal);
        foreach (var c in evidence.Collaborations.OrderBy(c => c.PostingAt).ThenBy(c => c.CollabId, StringComparer.Ordinal))
        {
            var acc = collab[c.CollabId];
            var posted = EventIndex.ToIndexTime(c.PostingAt.ToUnixTimeMilliseconds());
            if (c.Status != CollaborationStatus.Cancelled)
            {
                acc.Fee = posted >= start && posted < end ? c.Fee : 0;
                acc.Commission = CreatorAttribution.Commission(acc.Gmv, c.CommissionBp);
                var owner = creator[c.CreatorId];
                owner.Fee = checked(owner.Fee + acc.Fee);
                owner.Commission = checked(owner.Commission + acc.Commission);
            }
            var who = byCreator[c.CreatorId];
            collabLines.Add(new CollaborationLine(c.CollabId, c.CreatorId, who.Name, who.Tier, c.Title, c.Status, c.PostingAt, c.CommissionBp, c.CouponCode,
                c.LinkCode, acc.Metrics()));
        }

        var counts = evidence.Collaborations.GroupBy(c => c.CreatorId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var creatorLines = creators.Select(c => new CreatorLine(c.CreatorId, c.Name, c.Platform, c.Followers, c.Tier, c.Category,
                counts.GetValueOrDefault(c.CreatorId), creator[c.CreatorId].Metrics()))
            .OrderByDescending(l => l.Metrics.Gmv).ThenBy(l => l.CreatorId, StringComparer.Ordinal).ToList();
        var tiers = CreatorTier.All.Select(tier =>
        {
            var members = creators.Where(c => c.Tier == tier).ToList();
            var acc = new Acc();
            foreach (var m in members) acc.Add(creator[m.CreatorId]);
            return new TierLine(tier, CreatorTier.Chinese[tier], members.Count, acc.Metrics());
        }).ToList();
        var total = new Acc();
        foreach (var c in creator.Values) total.Add(c);
        return new CreatorReport(from, to, model, index.TimeZone, total.Metrics(), creatorLines, collabLines, tiers, Rule);
    }

    private static IEnumerable<Acc> Targets(Acc creator, Acc? collab)
    {
        yield return creator;
        if (collab is not null) yield return collab;
    }

    private sealed class Acc
    {
        public long Reach, Clicks, Gmv, CodeOrders, Fee, Commission;
        public double Orders, NewBuyers;

        public void Add(Acc other)
        {
            Reach += other.Reach;
            Clicks += other.Clicks;
            Gmv = checked(Gmv + other.Gmv);
            CodeOrders += other.CodeOrders;
            Fee = checked(Fee + other.Fee);
            Commission = checked(Commission + other.Commission);
            Orders += other.Orders;
            NewBuyers += other.NewBuyers;
        }

        public CreatorMetrics Metrics() => new(Reach, Clicks, Math.Round(Orders, 6), Gmv, Math.Round(NewBuyers, 6), CodeOrders, Fee, Commission);
    }
}

/// <summary>One collaboration's line of a month's payout: total = fee due + commission − commission on refunds, all fen.</summary>
internal sealed record PayoutLine(string CollabId, string CreatorId, string CreatorName, string Title, string Status, int CommissionBp, long FeeDue,
    long AttributedGmv, long Commission, long RefundedGmv, long CommissionReversed, long Total);

/// <summary>A month's payout: its lines sum exactly to <see cref="Total"/> (and each column to its total).</summary>
internal sealed record PayoutReport(string Month, string Model, string TimeZone, IReadOnlyList<PayoutLine> Lines, long FeeDue, long Commission,
    long CommissionReversed, long Total, string Rule);

/// <summary>The month's payout per collaboration. Pure.</summary>
internal static class Payouts
{
    public const string Rule =
        "fee due: collaborations (not cancelled) posted in the month; commission: rate × GMV attributed to the collaboration of orders paid in " +
        "the month, rounded half up to the fen per line; reversed: rate × the refunds recorded so far on those orders, rounded half up " +
        "per line; total = fee + commission − reversed; the lines sum to the total exactly.";

    public static PayoutReport Build(CreatorEvidence evidence, IReadOnlyList<CreditedOrder> credited, string month, int start, int end, string model)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(credited);
        var names = evidence.Creators.ToDictionary(c => c.CreatorId, c => c.Name, StringComparer.Ordinal);
        var gmv = new Dictionary<string, (long Gmv, long Refund)>(StringComparer.Ordinal);
        foreach (var o in credited)
        {
            if (o.CollabId is null) continue;
            var (g, r) = gmv.GetValueOrDefault(o.CollabId);
            gmv[o.CollabId] = (checked(g + o.Gmv), checked(r + o.Refund));
        }
        var lines = new List<PayoutLine>();
        foreach (var c in evidence.Collaborations.Where(c => c.Status != CollaborationStatus.Cancelled)
                     .OrderBy(c => c.CreatorId, StringComparer.Ordinal).ThenBy(c => c.PostingAt).ThenBy(c => c.CollabId, StringComparer.Ordinal))
        {
            var posted = EventIndex.ToIndexTime(c.PostingAt.ToUnixTimeMilliseconds());
            var fee = posted >= start && posted < end ? c.Fee : 0;
            var (g, r) = gmv.GetValueOrDefault(c.CollabId);
            if (fee == 0 && g == 0 && r == 0) continue;
            var commission = CreatorAttribution.Commission(g, c.CommissionBp);
            var reversed = CreatorAttribution.Commission(r, c.CommissionBp);
            lines.Add(new PayoutLine(c.CollabId, c.CreatorId, names.GetValueOrDefault(c.CreatorId, c.CreatorId), c.Title, c.Status, c.CommissionBp, fee, g,
                commission, r, reversed, checked(fee + commission - reversed)));
        }
        long feeDue = 0, commissionSum = 0, reversedSum = 0, total = 0;
        foreach (var l in lines)
        {
            feeDue = checked(feeDue + l.FeeDue);
            commissionSum = checked(commissionSum + l.Commission);
            reversedSum = checked(reversedSum + l.CommissionReversed);
            total = checked(total + l.Total);
        }
        return new PayoutReport(month, model, evidence.Index.TimeZone, lines, feeDue, commissionSum, reversedSum, total, Rule);
    }
}
