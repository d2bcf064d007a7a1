using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Scopes;

/// <summary>
/// A <see cref="Scope"/> resolved against one index: names become dictionary codes, the customer set becomes a mask
/// over visitors. Immutable, so the parts of a parallel pass share it. A code of -1 means "no filter".
/// </summary>
internal sealed class ScopeFilter
{
    private readonly EventIndex _index;
    private readonly bool[]? _visitors;
    private readonly bool[]? _categories;

    private ScopeFilter(EventIndex index, Scope scope, int channel, int campaign, int store, bool[]? categories, int region, bool[]? visitors)
    {
        _index = index;
        Scope = scope;
        Channel = channel;
        Campaign = campaign;
        Store = store;
        _categories = categories;
        Region = region;
        _visitors = visitors;
    }

    public Scope Scope { get; }
    public int Channel { get; }
    public int Campaign { get; }
    public int Store { get; }
    public int Region { get; }

    public bool IsAll => Scope.IsAll;

    /// <summary>Whether orders need their last-touch campaign (a campaign filter).</summary>
    public bool NeedsOrderCampaign => Campaign >= 0;

    /// <summary>
    /// Resolves the scope; a name the index has never seen is an error naming the field (most likely a typo), like the
    /// cohort report's channel always was.
    /// </summary>
    public static Result<ScopeFilter> Resolve(EventIndex index, Scope? scope)
    {
        scope ??= Scope.All;
        if (scope.Validate() is { } invalid) return invalid;
        var channel = Find(index.Channels, scope.Channel);
        if (channel == -2) return Error.Invalid("channel", $"no channel '{scope.Channel}' in the store");
        var campaign = Find(index.Campaigns, scope.Campaign);
        if (campaign == -2) return Error.Invalid("campaign", $"no campaign '{scope.Campaign}' in the store");
        var store = Find(index.Stores, scope.Store);
        if (store == -2) return Error.Invalid("store", $"no store '{scope.Store}' in the store's orders");
        bool[]? categories = null;
        if (scope.Category is { } wanted)
        {
            // Paths: a value keeps its path, the paths under it and the paths with a level of that name.
            categories = CategoryPaths.Mask(index.Categories, wanted);
            if (!categories.Contains(true)) return Error.Invalid("category", CategoryPaths.NoneMatch(wanted));
        }
        var region = Find(index.Provinces, scope.Region);
        if (region == -2) return Error.Invalid("region", $"no customer in region '{scope.Region}'");
        bool[]? visitors = null;
        if (scope.Customers is { } customers)
        {
            // One set lookup per visitor: no key → visitor map has to be kept in the index for it.
            visitors = new bool[index.VisitorCount];
            for (var v = 0; v < visitors.Length; v++)
                visitors[v] = index.IsCustomer[v] && customers.Contains(index.VisitorKeys[v]);
        }
        return new ScopeFilter(index, scope, channel, campaign, store, categories, region, visitors);
    }

    /// <summary>-1 without a filter, -2 for a value the table never held, else its code.</summary>
    private static int Find(StringTable table, string? value) => value is null ? -1 : table.Find(value) is var code and > 0 ? code : -2;

    /// <summary>Region and customer filters: whether the visitor is in scope at all.</summary>
    public bool Visitor(int v) => (Region < 0 || _index.VisitorProvince[v] == Region) && (_visitors is null || _visitors[v]);

    /// <summary>Channel, campaign and category filters on an event row (store does not apply to events).</summary>
    public bool Event(int e) =>
        (Channel < 0 || _index.EventChannel[e] == Channel)
        && (Campaign < 0 || _index.EventCampaign[e] == Campaign)
        && (_categories is null || _categories[_index.SkuCategory[_index.EventSku[e]]]);

    /// <summary>Channel, store, category and campaign filters on an order row; <paramref name="campaign"/> is its last-touch campaign.</summary>
    public bool Order(int o, int campaign) =>
        (Channel < 0 || _index.OrderChannel[o] == Channel)
        && (Store < 0 || _index.OrderStore[o] == Store)
        && (_categories is null || _categories[_index.OrderCategory[o]])
        && (Campaign < 0 || campaign == Campaign);

    /// <summary>Channel and campaign filters on an ad spend row (the only filters spend can take).</summary>
    public bool Spend(int s) =>
        (Channel < 0 || _index.SpendChannel[s] == Channel)
        && (Campaign < 0 || _index.SpendCampaign[s] == Campaign);
}

/// <summary>
/// The campaign an order is counted under. Orders carry no campaign, so an order takes the campaign of its last touch:
/// the last-click rule of the attribution report (ADR 0004) with its default 30-day look-back — the latest impression,
/// click, page_view or product_view with a channel, at or before the paid time and at most 30 days before it. No such
/// touch, or a touch without a campaign, is <see cref="StringTable.None"/>. Why: docs/adr/0005-kpi-scope.md.
/// </summary>
internal sealed class OrderCampaigns
{
    public const int LookbackSeconds = 30 * 86400;

    private readonly EventIndex _index;
    private readonly bool[] _isTouch;

    public OrderCampaigns(EventIndex index)
    {
        _index = index;
        _isTouch = new bool[Math.Max(1, index.Types.Count)];
        foreach (var type in AttributionEngine.TouchTypes)
            if (index.Types.Find(type) is var code and > 0) _isTouch[code] = true;
    }

    /// <summary>
    /// The campaign code of an order of visitor v paid at <paramref name="paid"/>. Calls for one visitor must come in
    /// paid-time order with the same cursor, which starts at -1: it walks the visitor's events once.
    /// </summary>
    public int Of(int v, int paid, ref Cursor cursor)
    {
        if (cursor.Next < 0)
        {
            cursor.Next = _index.EventStart[v];
            cursor.LastTouch = -1;
        }
        var end = _index.EventStart[v + 1];
        var time = _index.EventTime;
        while (cursor.Next < end && time[cursor.Next] <= paid)
        {
            var e = cursor.Next++;
            if (_isTouch[_index.EventType[e]] && _index.EventChannel[e] != StringTable.None) cursor.LastTouch = e;
        }
        var last = cursor.LastTouch;
        return last >= 0 && (long)time[last] >= (long)paid - LookbackSeconds ? _index.EventCampaign[last] : StringTable.None;
    }

    /// <summary>Where a visitor's walk has got to.</summary>
    public struct Cursor
    {
        public static Cursor Start => new() { Next = -1, LastTouch = -1 };
        public int Next;
        public int LastTouch;
    }
}
