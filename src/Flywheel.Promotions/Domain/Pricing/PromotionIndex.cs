using System.Collections.Frozen;
using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>A promotion prepared for pricing: scope as sets, window as ticks, labels for messages.</summary>
internal sealed class CompiledPromotion
{
    public CompiledPromotion(Promotion promotion, int ordinal)
    {
        Promotion = promotion;
        Ordinal = ordinal;
        var scope = promotion.Scope ?? Scope.All;
        Skus = ToSet(scope.Skus);
        Categories = ToSet(scope.Categories);
        Brands = ToSet(scope.Brands);
        Stores = ToSet(scope.Stores);
        From = promotion.ValidFrom?.UtcTicks ?? long.MinValue;
        To = promotion.ValidTo?.UtcTicks ?? long.MaxValue;
        PlatformPercent = (promotion.Funding ?? Funding.Merchant).PlatformPercent;
        StackableWith = promotion.StackableWith is null ? null : promotion.StackableWith.ToFrozenSet(StringComparer.Ordinal);
        Label = Labels.Of(promotion.Mechanic);
    }

    public Promotion Promotion { get; }
    public int Ordinal { get; }
    public string Id => Promotion.Id;
    public Mechanic Mechanic => Promotion.Mechanic;
    public Stage Stage => Promotion.Stage;
    public FrozenSet<string>? Skus { get; }
    public FrozenSet<string>? Categories { get; }
    public FrozenSet<string>? Brands { get; }
    public FrozenSet<string>? Stores { get; }
    public long From { get; }
    public long To { get; }
    public int PlatformPercent { get; }
    public FrozenSet<string>? StackableWith { get; }
    public (string Zh, string En) Label { get; }

    public bool ActiveAt(long utcTicks) => utcTicks >= From && utcTicks < To;

    public bool Matches(CartLine line) =>
        (Skus is null || Skus.Contains(line.Sku)) &&
        (Categories is null || Categories.Contains(line.Category)) &&
        (Brands is null || (line.Brand is not null && Brands.Contains(line.Brand))) &&
        (Stores is null || Stores.Contains(line.Store));

    /// <summary>Whether two promotions may share a line: never across an exclusive one or within one group; explicit lists must both agree.</summary>
    public static bool CanStack(CompiledPromotion a, CompiledPromotion b)
    {
        if (a.Promotion.Exclusive || b.Promotion.Exclusive) return false;
        var ga = a.Promotion.ExclusivityGroup;
        var gb = b.Promotion.ExclusivityGroup;
        if (ga is not null && ga == gb) return false;
        return Allows(a, b) && Allows(b, a);
    }

    private static bool Allows(CompiledPromotion a, CompiledPromotion b) =>
        a.StackableWith is null || a.StackableWith.Contains(b.Id) ||
        (b.Promotion.ExclusivityGroup is { } g && a.StackableWith.Contains(g));

    private static FrozenSet<string>? ToSet(IReadOnlyList<string>? values) =>
        values is null || values.Count == 0 ? null : values.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>
/// The active promotions compiled for pricing: ordered by stage, then priority (highest first), then id, and indexed by the
/// most selective dimension of their scope (SKU, else category, else brand, else store, else global). Immutable: a change
/// builds a new index and the holder swaps the reference, so pricing never waits and never touches the database.
/// </summary>
internal sealed class PromotionIndex
{
    private readonly FrozenDictionary<string, int[]> _bySku;
    private readonly FrozenDictionary<string, int[]> _byCategory;
    private readonly FrozenDictionary<string, int[]> _byBrand;
    private readonly FrozenDictionary<string, int[]> _byStore;
    private readonly int[] _global;

    private PromotionIndex(CompiledPromotion[] all)
    {
        All = all;
        HasExperiments = all.Any(p => p.Promotion.Experiment is not null);
        var bySku = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byCategory = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byBrand = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byStore = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var global = new List<int>();
        foreach (var p in all)
        {
            var (map, keys) = p.Skus is not null ? (bySku, p.Skus) : p.Categories is not null ? (byCategory, p.Categories)
                : p.Brands is not null ? (byBrand, p.Brands) : p.Stores is not null ? (byStore, p.Stores) : (null, null);
            if (map is null || keys is null)
            {
                global.Add(p.Ordinal);
                continue;
            }
            foreach (var key in keys)
            {
                if (!map.TryGetValue(key, out var list)) map[key] = list = [];
                list.Add(p.Ordinal);
            }
        }
        _bySku = Freeze(bySku);
        _byCategory = Freeze(byCategory);
        _byBrand = Freeze(byBrand);
        _byStore = Freeze(byStore);
        _global = [.. global];
    }

    public static readonly PromotionIndex Empty = Build([]);

    internal CompiledPromotion[] All { get; }

    /// <summary>Whether any promotion names an experiment (else pricing asks no one about holdouts).</summary>
    public bool HasExperiments { get; }

    /// <summary>How many promotions the index holds.</summary>
    public int Count => All.Length;

    /// <summary>Compiles the active promotions among <paramref name="promotions"/>; drafts and archived ones are left out.</summary>
    public static PromotionIndex Build(IEnumerable<Promotion> promotions)
    {
        var ordered = promotions.Where(p => p.Status == PromotionStatus.Active)
            .OrderBy(p => p.Stage).ThenByDescending(p => p.Priority).ThenBy(p => p.Id, StringComparer.Ordinal).ToArray();
        var compiled = new CompiledPromotion[ordered.Length];
        for (var i = 0; i < ordered.Length; i++) compiled[i] = new CompiledPromotion(ordered[i], i);
        return new PromotionIndex(compiled);
    }

    /// <summary>Adds the ordinals of promotions that may touch any of the lines and are active at the time, ascending (processing order).</summary>
    internal void Collect(IReadOnlyList<CartLine> lines, long utcTicks, List<int> into, bool[] seen)
    {
        foreach (var o in _global) Mark(o, utcTicks, into, seen);
        foreach (var line in lines)
        {
            if (_bySku.TryGetValue(line.Sku, out var a)) foreach (var o in a) Mark(o, utcTicks, into, seen);
            if (_byCategory.TryGetValue(line.Category, out var b)) foreach (var o in b) Mark(o, utcTicks, into, seen);
            if (line.Brand is not null && _byBrand.TryGetValue(line.Brand, out var c)) foreach (var o in c) Mark(o, utcTicks, into, seen);
            if (_byStore.TryGetValue(line.Store, out var d)) foreach (var o in d) Mark(o, utcTicks, into, seen);
        }
        foreach (var o in into) seen[o] = false;
        into.Sort();
    }

    /// <summary>The naive reference: every promotion checked against every line (the benchmark's baseline).</summary>
    internal void CollectNaive(IReadOnlyList<CartLine> lines, long utcTicks, List<int> into)
    {
        foreach (var p in All)
        {
            if (!p.ActiveAt(utcTicks)) continue;
            foreach (var line in lines)
            {
                if (p.Matches(line) || IsGetSkuOf(p, line))
                {
                    into.Add(p.Ordinal);
                    break;
                }
            }
        }
    }

    private void Mark(int ordinal, long utcTicks, List<int> into, bool[] seen)
    {
        if (seen[ordinal]) return;
        if (!All[ordinal].ActiveAt(utcTicks)) return;
        seen[ordinal] = true;
        into.Add(ordinal);
    }

    private static bool IsGetSkuOf(CompiledPromotion p, CartLine line) => p.Mechanic is BuyXGetY { GetSku: { } g } && g == line.Sku;

    private static FrozenDictionary<string, int[]> Freeze(Dictionary<string, List<int>> map) =>
        map.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
}
