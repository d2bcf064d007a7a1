using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Pricing;

namespace Flywheel.Promotions.Domain.Model;

/// <summary>
/// Checks a promotion's parameters (each mechanic's rules, the stage it may run in) and a promotion set's consistency, so a
/// conflicting definition is reported when it is saved, not discovered at checkout.
/// </summary>
internal static class PromotionValidator
{
    private const long MaxFen = MoneyText.MaxMinor;

    /// <summary>The longest experiment key a promotion may name.</summary>
    public const int MaxExperimentKey = 100;

    /// <summary>The first problem with the promotion, with the path of the field to fix; null when it is valid.</summary>
    public static Error? Validate(Promotion p)
    {
        if (TextRules.Id(p.Id, "id") is { } badId) return badId;
        if (string.IsNullOrWhiteSpace(p.Name)) return Error.Invalid("name", "name is required");
        if (TextRules.Name(p.Name, "name") is { } badName) return badName;
        if (p.Mechanic is null) return Error.Invalid("mechanic", "mechanic is required (an object with a \"type\")");
        if (p.ValidFrom is { } from && p.ValidTo is { } to && to <= from) return Error.Invalid("valid_to", "valid_to is after valid_from");
        if (p.Funding is { PlatformPercent: < 0 or > 100 }) return Error.Invalid("funding.platform_percent", "platform_percent is 0-100");
        if (p.Priority is < -1000 or > 1000) return Error.Invalid("priority", "priority is between -1000 and 1000");
        if (p.StackableWith is { } sw && sw.Any(string.IsNullOrWhiteSpace)) return Error.Invalid("stackable_with", "stackable_with lists promotion ids or exclusivity groups");
        if (p.Exclusive && p.StackableWith is { Count: > 0 }) return Error.Conflict("stackable_with", "an exclusive promotion stacks with nothing; remove stackable_with or exclusive");
        if (p.Scope is { } scope)
            foreach (var (name, list) in new[] { ("skus", scope.Skus), ("categories", scope.Categories), ("brands", scope.Brands), ("stores", scope.Stores) })
                if (list is not null && list.Any(string.IsNullOrWhiteSpace)) return Error.Invalid("scope." + name, "scope entries are non-empty");
        if (p.Experiment is { } experiment && (string.IsNullOrWhiteSpace(experiment) || experiment.Length > MaxExperimentKey || experiment.Any(char.IsControl)))
            return Error.Invalid("experiment", $"experiment is an experiment's key (1-{MaxExperimentKey} characters)");
        if (StageError(p) is { } stage) return stage;
        return Mechanic(p.Mechanic);
    }

    private static Error? StageError(Promotion p)
    {
        var allowed = p.Mechanic switch
        {
            FreeShipping => [Stage.Shipping],
            FlashPrice or MemberPrice or MemberDay or PresaleDeposit or DirectDiscount => new[] { Stage.Item },
            BuyXGetY or QuantityPercentOff => [Stage.Item, Stage.Store],
            _ => [Stage.Store, Stage.Platform],
        };
        return allowed.Contains(p.Stage) ? null
            : Error.Invalid("stage", $"a {Type(p.Mechanic)} promotion runs in the {string.Join(" or ", allowed.Select(s => s.ToString().ToLowerInvariant()))} stage");
    }

    private static string Type(Mechanic m) => m.GetType().Name;

    private static Error? Mechanic(Mechanic m)
    {
        switch (m)
        {
            case ThresholdOff t:
                if (!Fen(t.Threshold, positive: true)) return Error.Invalid("mechanic.threshold", "threshold is positive fen");
                if (!Fen(t.AmountOff, positive: true) || t.AmountOff > t.Threshold) return Error.Invalid("mechanic.amount_off", "amount_off is positive fen, at most the threshold");
                return null;
            case RepeatingThresholdOff r:
                if (!Fen(r.Step, positive: true)) return Error.Invalid("mechanic.step", "step is positive fen");
                if (!Fen(r.AmountOff, positive: true) || r.AmountOff > r.Step) return Error.Invalid("mechanic.amount_off", "amount_off is positive fen, at most the step");
                if (r.Cap is { } cap && (cap < r.AmountOff || !Fen(cap, true))) return Error.Invalid("mechanic.cap", "cap is at least one step's amount_off");
                return null;
            case TieredThresholdOff tiered:
                if (tiered.Tiers is null || tiered.Tiers.Count == 0 || tiered.Tiers.Count > 20) return Error.Invalid("mechanic.tiers", "1-20 tiers");
                for (var i = 0; i < tiered.Tiers.Count; i++)
                {
                    var t = tiered.Tiers[i];
                    if (!Fen(t.Threshold, true)) return Error.Invalid($"mechanic.tiers[{i}].threshold", "threshold is positive fen");
                    if (!Fen(t.AmountOff, true) || t.AmountOff > t.Threshold) return Error.Invalid($"mechanic.tiers[{i}].amount_off", "amount_off is positive fen, at most the threshold");
                    if (i > 0 && (t.Threshold <= tiered.Tiers[i - 1].Threshold || t.AmountOff <= tiered.Tiers[i - 1].AmountOff))
                        return Error.Invalid($"mechanic.tiers[{i}]", "tiers rise: each threshold and amount_off is above the previous tier's");
                }
                return null;
            case ThresholdPercentOff tp:
                if (!Fen(tp.Threshold, false)) return Error.Invalid("mechanic.threshold", "threshold is fen, zero or more");
                return Percent(tp.PercentOff, "mechanic.percent_off");
            case QuantityPercentOff qp:
                if (qp.Tiers is null || qp.Tiers.Count == 0 || qp.Tiers.Count > 20) return Error.Invalid("mechanic.tiers", "1-20 tiers");
                for (var i = 0; i < qp.Tiers.Count; i++)
                {
                    var t = qp.Tiers[i];
                    if (t.Quantity is < 1 or > 10_000) return Error.Invalid($"mechanic.tiers[{i}].quantity", "quantity is 1-10000");
                    if (Percent(t.PercentOff, $"mechanic.tiers[{i}].percent_off") is { } e) return e;
                    if (i > 0 && (t.Quantity <= qp.Tiers[i - 1].Quantity || t.PercentOff <= qp.Tiers[i - 1].PercentOff))
                        return Error.Invalid($"mechanic.tiers[{i}]", "tiers rise: more units, a larger discount");
                }
                return null;
            case BuyXGetY b:
                if (b.Buy is < 1 or > 100) return Error.Invalid("mechanic.buy", "buy is 1-100");
                if (b.Get is < 1 or > 100) return Error.Invalid("mechanic.get", "get is 1-100");
                if (b.PercentOff is < 1 or > 100) return Error.Invalid("mechanic.percent_off", "percent_off is 1-100 (100 = free, 50 = half price)");
                if (b.GetSku is "") return Error.Invalid("mechanic.get_sku", "get_sku is a SKU or absent for the same SKU");
                return null;
            case GiftWithPurchase g:
                if (!Fen(g.Threshold, false)) return Error.Invalid("mechanic.threshold", "threshold is fen, zero or more");
                if (string.IsNullOrWhiteSpace(g.GiftSku)) return Error.Invalid("mechanic.gift_sku", "gift_sku is required");
                if (g.Quantity is < 1 or > 100) return Error.Invalid("mechanic.quantity", "quantity is 1-100");
                return null;
            case DirectDiscount d:
                if ((d.PercentOff is null) == (d.AmountOff is null)) return Error.Invalid("mechanic", "a direct discount has exactly one of percent_off and amount_off");
                if (d.PercentOff is { } pct) return Percent(pct, "mechanic.percent_off");
                return Fen(d.AmountOff!.Value, true) ? null : Error.Invalid("mechanic.amount_off", "amount_off is positive fen per unit");
            case FlashPrice f:
                return Fen(f.UnitPrice, false) ? null : Error.Invalid("mechanic.unit_price", "unit_price is fen, zero or more");
            case MemberPrice mp:
                if (mp.Tiers is null || mp.Tiers.Count == 0) return Error.Invalid("mechanic.tiers", "at least one tier");
                for (var i = 0; i < mp.Tiers.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(mp.Tiers[i].Tier)) return Error.Invalid($"mechanic.tiers[{i}].tier", "tier is required");
                    if (Percent(mp.Tiers[i].PercentOff, $"mechanic.tiers[{i}].percent_off") is { } e) return e;
                    if (mp.Tiers.Take(i).Any(t => t.Tier == mp.Tiers[i].Tier)) return Error.Conflict($"mechanic.tiers[{i}].tier", $"tier '{mp.Tiers[i].Tier}' appears twice");
                }
                return null;
            case MemberDay md:
                if (!Enum.IsDefined(md.Day)) return Error.Invalid("mechanic.day", "day is monday..sunday");
                if (md.Tiers is null || md.Tiers.Count == 0 || md.Tiers.Any(string.IsNullOrWhiteSpace)) return Error.Invalid("mechanic.tiers", "at least one member tier");
                return Percent(md.PercentOff, "mechanic.percent_off");
            case FreeShipping fs:
                return Fen(fs.Threshold, false) ? null : Error.Invalid("mechanic.threshold", "threshold is fen, zero or more");
            case PresaleDeposit pd:
                if (!Fen(pd.Deposit, true)) return Error.Invalid("mechanic.deposit", "deposit is positive fen per unit");
                if (!Fen(pd.Value, true) || pd.Value <= pd.Deposit) return Error.Invalid("mechanic.value", "value is more than the deposit (定金膨胀)");
                return null;
            default:
                return Error.Invalid("mechanic.type", "unknown mechanic");
        }
    }

    private static bool Fen(long value, bool positive) => value <= MaxFen && (positive ? value > 0 : value >= 0);

    private static Error? Percent(int value, string path) =>
        value is >= 1 and <= 99 ? null : Error.Invalid(path, "percent_off is 1-99 (9折 = 10)");

    /// <summary>
    /// Conflicts between a promotion and the others it would be active with: duplicate ids; an ambiguous tie (same exclusivity group,
    /// same stage and priority, overlapping scope and window — which one wins would depend on the id); a one-sided stackable_with;
    /// two time-limited prices that would stack on one SKU. Each conflict names the other promotion.
    /// </summary>
    public static IReadOnlyList<Error> Conflicts(Promotion candidate, IEnumerable<Promotion> others)
    {
        var errors = new List<Error>();
        foreach (var other in others)
        {
            if (other.Status == PromotionStatus.Archived || ReferenceEquals(other, candidate)) continue;
            if (other.Id == candidate.Id)
            {
                errors.Add(Error.Conflict("id", $"promotion '{candidate.Id}' appears twice"));
                continue;
            }
            if (!Overlap(candidate, other)) continue;
            var a = new CompiledPromotion(candidate, 0);
            var b = new CompiledPromotion(other, 1);
            if (candidate.ExclusivityGroup is not null && candidate.ExclusivityGroup == other.ExclusivityGroup &&
                candidate.Stage == other.Stage && candidate.Priority == other.Priority)
                errors.Add(Error.Conflict("priority", $"'{candidate.Id}' and '{other.Id}' share exclusivity group '{candidate.ExclusivityGroup}', stage and priority {candidate.Priority} with overlapping scope and dates: give one a higher priority so the winner is intended"));
            if (OneSided(candidate, other) || OneSided(other, candidate))
                errors.Add(Error.Conflict("stackable_with", $"'{candidate.Id}' and '{other.Id}' disagree on stacking: one lists the other in stackable_with but the other's list excludes it"));
            if (candidate.Mechanic is FlashPrice && other.Mechanic is FlashPrice && CompiledPromotion.CanStack(a, b))
                errors.Add(Error.Conflict("exclusivity_group", $"'{candidate.Id}' and '{other.Id}' are both time-limited prices on the same goods and would stack: put them in one exclusivity group"));
        }
        return errors;
    }

    /// <summary>Every conflict within a set (each pair reported once), for saving a draft set or a simulation.</summary>
    public static IReadOnlyList<Error> Conflicts(IReadOnlyList<Promotion> set)
    {
        var errors = new List<Error>();
        for (var i = 0; i < set.Count; i++)
            foreach (var e in Conflicts(set[i], set.Skip(i + 1)))
                errors.Add(e with { Path = $"[{i}].{e.Path}" });
        return errors;
    }

    private static bool OneSided(Promotion a, Promotion b)
    {
        if (a.StackableWith is null || b.StackableWith is null) return false;
        var aAllows = a.StackableWith.Contains(b.Id) || (b.ExclusivityGroup is { } gb && a.StackableWith.Contains(gb));
        var bAllows = b.StackableWith.Contains(a.Id) || (a.ExclusivityGroup is { } ga && b.StackableWith.Contains(ga));
        return aAllows != bAllows;
    }

    private static bool Overlap(Promotion a, Promotion b)
    {
        var aFrom = a.ValidFrom ?? DateTimeOffset.MinValue;
        var aTo = a.ValidTo ?? DateTimeOffset.MaxValue;
        var bFrom = b.ValidFrom ?? DateTimeOffset.MinValue;
        var bTo = b.ValidTo ?? DateTimeOffset.MaxValue;
        if (aFrom >= bTo || bFrom >= aTo) return false;
        var sa = a.Scope ?? Scope.All;
        var sb = b.Scope ?? Scope.All;
        return Intersects(sa.Skus, sb.Skus) && Intersects(sa.Categories, sb.Categories) && Intersects(sa.Brands, sb.Brands) && Intersects(sa.Stores, sb.Stores);
    }

    private static bool Intersects(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null || a.Count == 0 || b is null || b.Count == 0 || a.Intersect(b, StringComparer.Ordinal).Any();
}
