using System.Text;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Scopes;

/// <summary>
/// Which part of the business a report looks at: every filter given must hold (they AND together); a null filter
/// keeps everything. What each filter means for each KPI is in docs/kpis.md ("Scope"): in short, channel and campaign
/// filter events, orders and spend by their own channel and campaign (an order's campaign is its last touch's, ADR
/// 0005), store filters orders, category filters orders and product events, region filters visitors by province,
/// and <see cref="Customers"/> filters visitors by key.
/// </summary>
/// <param name="Channel">A channel name as stored (douyin, jd ...).</param>
/// <param name="Campaign">A campaign name as stored.</param>
/// <param name="Store">A store name as stored on orders.</param>
/// <param name="Category">A product category as stored on products.</param>
/// <param name="Region">A province as stored on customers.</param>
/// <param name="Customers">
/// Visitor keys (customer ids) to keep, resolved by the caller (from a saved segment or audience); compared with the
/// set's own comparer. An empty set keeps nobody. Anonymous visitors are never in it.
/// </param>
/// <param name="Segment">The name of the segment <see cref="Customers"/> came from: shown in reports, not used to filter.</param>
internal sealed record Scope(
    string? Channel = null,
    string? Campaign = null,
    string? Store = null,
    string? Category = null,
    string? Region = null,
    IReadOnlySet<string>? Customers = null,
    string? Segment = null)
{
    /// <summary>No filter: the whole business.</summary>
    public static Scope All { get; } = new();

    /// <summary>True when nothing is filtered.</summary>
    public bool IsAll => Channel is null && Campaign is null && Store is null && Category is null && Region is null && Customers is null;

    /// <summary>
    /// Ad spend (and impressions, clicks) carries only a date, a channel and a campaign, so it can be scoped by
    /// channel and campaign and by nothing else.
    /// </summary>
    public bool SpendAttributable => Store is null && Category is null && Region is null && Customers is null;

    /// <summary>Events carry no store, so traffic (UV, PV, sessions) cannot be scoped by store.</summary>
    public bool TrafficAttributable => Store is null;

    /// <summary>An empty filter value is a mistake (a blank form field), not "no filter": it names the field.</summary>
    public Error? Validate() =>
        Channel is { Length: 0 } ? Error.Invalid("channel", "an empty channel; leave it out to keep every channel")
        : Campaign is { Length: 0 } ? Error.Invalid("campaign", "an empty campaign; leave it out to keep every campaign")
        : Store is { Length: 0 } ? Error.Invalid("store", "an empty store; leave it out to keep every store")
        : Category is { Length: 0 } ? Error.Invalid("category", "an empty category; leave it out to keep every category")
        : Region is { Length: 0 } ? Error.Invalid("region", "an empty region; leave it out to keep every region")
        : Segment is { Length: 0 } ? Error.Invalid("segment", "an empty segment name")
        : Segment is not null && Customers is null ? Error.Invalid("segment", $"segment '{Segment}' was not resolved to its customers")
        : null;

    /// <summary>"channel douyin, region 广东, segment vip (1,204 customers)"; "all" without filters.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is null) return;
            if (text.Length > 0) text.Append(", ");
            text.Append(name).Append(' ').Append(value);
        }
        Add("channel", Channel);
        Add("campaign", Campaign);
        Add("store", Store);
        Add("category", Category);
        Add("region", Region);
        if (Customers is not null)
            Add("segment", System.FormattableString.Invariant($"{Segment ?? "(customers)"} ({Customers.Count:N0} customers)"));
        return text.Length == 0 ? "all" : text.ToString();
    }
}
