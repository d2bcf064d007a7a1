using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Rfm;
using Flywheel.Customers.Segments;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Customers.Contracts;

/// <summary>
/// Turns a segment name a marketer gives (<c>flywheel persona NAME</c>, <c>report kpi --segment NAME</c>,
/// <c>?segment=NAME</c>) into customer ids: a saved audience of that name (a funnel's abandoned carts), else <c>all</c>,
/// an RFM segment code (<c>champions</c>, <c>at_risk</c> …, scored as of <c>asOf</c> over a year) or an operating group
/// (<c>high_value</c>, <c>potential</c>, <c>churn_risk</c>).
/// </summary>
public static class CustomerSets
{
    public static IReadOnlyList<string> Names { get; } =
        ["all", .. RfmSegments.All.Select(s => s.Code), .. Enum.GetValues<OperatingGroup>().Select(RfmSegments.GroupCode)];

    /// <summary>A saved audience of that name first (e.g. a funnel's abandoned carts), else <see cref="Resolve"/>.</summary>
    public static async Task<Result<IReadOnlySet<string>>> ResolveAsync(FlywheelStore store, EventIndex index, string name, DateOnly asOf,
        CancellationToken ct)
    {
        if (await SavedAudiences.MembersAsync(store, name, ct) is { } audience) return Result<IReadOnlySet<string>>.Success(audience);
        if (await Segments.SegmentStore.GetAsync(store, name, ct) is not null)
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var (id, _) in Segments.SegmentStore.AllMembersAsync(store, name, ct)) members.Add(id);
            return members;
        }
        return Resolve(index, name, asOf);
    }

    public static Result<IReadOnlySet<string>> Resolve(EventIndex index, string name, DateOnly asOf)
    {
        if (name == "all") return Result(Enumerable.Range(0, index.VisitorCount).Where(v => index.IsCustomer[v]).Select(v => index.VisitorKeys[v]));
        var segment = RfmSegments.Find(name);
        OperatingGroup? group = Enum.GetValues<OperatingGroup>().Where(g => RfmSegments.GroupCode(g) == name).Select(g => (OperatingGroup?)g).FirstOrDefault();
        if (segment is null && group is null)
            return Error.NotFound("segment", $"no segment '{name}': use all, an RFM segment ({string.Join(", ", RfmSegments.All.Select(s => s.Code))}), " +
                                             "high_value, potential, churn_risk, or a saved segment or audience");
        var rfm = RfmEngine.Run(index, new RfmQuery(asOf)).Value;
        return Result(rfm.Scores.Where(s => segment is not null ? s.Segment == segment : s.Segment.Group == group).Select(s => s.CustomerId));
    }

    private static Result<IReadOnlySet<string>> Result(IEnumerable<string> ids) => new HashSet<string>(ids, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> names a set: a built-in one (<see cref="Names"/>), a saved audience or a saved segment.</summary>
    public static async Task<bool> ExistsAsync(FlywheelStore store, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (Names.Contains(name)) return true;
        if (await SavedAudiences.ExistsAsync(store, name, ct)) return true;
        return await SegmentStore.GetAsync(store, name, ct) is not null;
    }
}
