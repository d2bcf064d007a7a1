using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;

namespace Flywheel.Customers.Segments;

/// <summary>
/// What rules are evaluated over: the customers' profiles and the event index, with each profile row's visitor in the
/// index. Immutable; build a new one when either side changes. The full row→visitor map is built on the first
/// evaluation over all customers (a merge of the two key-ordered lists, tens of milliseconds for a million customers)
/// and kept; an evaluation over a few customers looks each one up instead. Thread-safe.
/// </summary>
internal sealed class SegmentData
{
    private int[]? _visitorOfRow;
    private int _customerPrefix = -1;

    public SegmentData(ProfileTable profiles, EventIndex index)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(index);
        Profiles = profiles;
        Index = index;
    }

    public ProfileTable Profiles { get; }

    public EventIndex Index { get; }

    /// <summary>The index visitor of every profile row (-1: the customer has no events or orders in the index).</summary>
    internal int[] VisitorOfRow => Volatile.Read(ref _visitorOfRow) ?? BuildVisitorMap();

    /// <summary>The index visitor of one profile row, or -1.</summary>
    internal int VisitorOf(int row)
    {
        if (Volatile.Read(ref _visitorOfRow) is { } map) return map[row];
        var id = Profiles.CustomerIds[row];
        if (row < Index.VisitorCount && string.Equals(Index.VisitorKeys[row], id, StringComparison.Ordinal)) return row;
        return Search(id);
    }

    /// <summary>
    /// The index holds its customers first, in ordinal key order (EventIndexBuilder), and profiles list customers in the
    /// same order; customers a profile refresh added sit at the end. So a merge finds almost every visitor, and the
    /// rest are looked up.
    /// </summary>
    private int[] BuildVisitorMap()
    {
        var ids = Profiles.CustomerIds;
        var keys = Index.VisitorKeys;
        var prefix = CustomerPrefix;
        var map = new int[ids.Count];
        var j = 0;
        string? previous = null;
        for (var row = 0; row < map.Length; row++)
        {
            var id = ids[row];
            if (previous is not null && string.CompareOrdinal(id, previous) <= 0)
            {
                map[row] = Search(id);
                continue;
            }
            previous = id;
            while (j < prefix && string.CompareOrdinal(keys[j], id) < 0) j++;
            map[row] = j < prefix && string.Equals(keys[j], id, StringComparison.Ordinal) ? j : Search(id);
        }
        Volatile.Write(ref _visitorOfRow, map);
        return map;
    }

    private int CustomerPrefix
    {
        get
        {
            if (_customerPrefix >= 0) return _customerPrefix;
            var n = 0;
            while (n < Index.VisitorCount && Index.IsCustomer[n]) n++;
            _customerPrefix = n;
            return n;
        }
    }

    private int Search(string id)
    {
        int low = 0, high = CustomerPrefix - 1;
        var keys = Index.VisitorKeys;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(keys[mid], id);
            if (order == 0) return mid;
            if (order < 0) low = mid + 1;
            else high = mid - 1;
        }
        // Ordinal UTF-16 order and the store's byte order disagree only for characters beyond the BMP: ask the index
        // then (its lookup costs a dictionary of every visitor the first time, so not for every customer it lacks).
        if (!id.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')) return -1;
        var v = Index.FindVisitor(id);
        return v >= 0 && Index.IsCustomer[v] ? v : -1;
    }
}
