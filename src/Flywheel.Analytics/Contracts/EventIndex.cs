namespace Flywheel.Analytics.Contracts;

/// <summary>
/// The in-memory columnar index of events and orders (ADR 0002). Immutable once built, so queries run without
/// locks while a newer index is built beside it.
/// <para>
/// Visitors are customers, or anonymous ids never stitched to a customer. Each visitor's events are contiguous and
/// sorted by time (then by store order): visitor <c>v</c> owns rows <c>EventStart[v] .. EventStart[v+1]</c> of every
/// event column. Orders are laid out the same way. Strings are dictionary-encoded; times are seconds since
/// <see cref="Epoch"/> as int (good until 2088), so one event costs about 24 bytes across its columns.
/// </para>
/// </summary>
public sealed class EventIndex
{
    /// <summary>Seconds in the time columns count from 2020-01-01T00:00:00Z.</summary>
    public static readonly long Epoch = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    internal EventIndex() { }

    // --- visitors ---
    /// <summary>Visitor keys: the customer id, or "~" + anonymous id for visitors never identified.</summary>
    public required string[] VisitorKeys { get; init; }
    /// <summary>Whether the visitor is a known customer (false: an anonymous id).</summary>
    public required bool[] IsCustomer { get; init; }
    /// <summary>The customer's province code in <see cref="Provinces"/> (0 when unknown or anonymous).</summary>
    public required ushort[] VisitorProvince { get; init; }

    // --- events, grouped by visitor, sorted by time ---
    public required int[] EventStart { get; init; }
    public required int[] EventTime { get; init; }
    /// <summary>
    /// The millisecond within <see cref="EventTime"/>'s second (0..999). Queries work in seconds; an append needs the
    /// milliseconds to place a new event among a visitor's earlier ones exactly where a rebuild would.
    /// </summary>
    public required ushort[] EventMillis { get; init; }
    public required ushort[] EventType { get; init; }
    public required ushort[] EventChannel { get; init; }
    public required ushort[] EventSource { get; init; }
    public required ushort[] EventMedium { get; init; }
    public required int[] EventCampaign { get; init; }
    public required int[] EventSku { get; init; }
    public required int[] EventKol { get; init; }
    /// <summary>
    /// Rows that carry a value (order_paid and the like, a few percent of events), ascending, with their value in fen in
    /// <see cref="ValueAmounts"/>. Sparse because a dense 8-byte column would be a quarter of the index.
    /// </summary>
    public required int[] ValueRows { get; init; }
    public required long[] ValueAmounts { get; init; }

    /// <summary>The value of an event row in fen, 0 when it has none.</summary>
    public long EventValue(int row)
    {
        var at = Array.BinarySearch(ValueRows, row);
        return at >= 0 ? ValueAmounts[at] : 0;
    }

    // --- paid orders (status paid or later), grouped by visitor, sorted by paid time ---
    public required int[] OrderStart { get; init; }
    /// <summary>The store's order id of each order row (an append replaces a changed order's row by it).</summary>
    public required string[] OrderIds { get; init; }
    public required int[] OrderPaidTime { get; init; }
    public required ushort[] OrderChannel { get; init; }
    public required ushort[] OrderStore { get; init; }
    /// <summary>total_paid in fen: goods − discounts + shipping.</summary>
    public required long[] OrderGmv { get; init; }
    public required long[] OrderRefund { get; init; }
    public required int[] OrderUnits { get; init; }
    /// <summary>Category code (in <see cref="Categories"/>) of the order's largest line.</summary>
    public required int[] OrderCategory { get; init; }
    /// <summary>SKU code (in <see cref="Skus"/>) of the order's largest line: an append recomputes categories from it.</summary>
    public required int[] OrderSku { get; init; }
    /// <summary>The paid time of the visitor's first paid order ever (int.MaxValue when none): new vs returning.</summary>
    public required int[] FirstOrderTime { get; init; }

    // --- ad spend, one row per (date, channel, campaign) ---
    public required int[] SpendDay { get; init; }
    public required ushort[] SpendChannel { get; init; }
    public required int[] SpendCampaign { get; init; }
    public required long[] SpendCost { get; init; }
    public required long[] SpendImpressions { get; init; }
    public required long[] SpendClicks { get; init; }

    // --- dictionaries ---
    public required StringTable Types { get; init; }
    public required StringTable Channels { get; init; }
    public required StringTable Sources { get; init; }
    public required StringTable Mediums { get; init; }
    public required StringTable Campaigns { get; init; }
    public required StringTable Skus { get; init; }
    public required StringTable Kols { get; init; }
    public required StringTable Stores { get; init; }
    public required StringTable Categories { get; init; }
    public required StringTable Provinces { get; init; }
    /// <summary>Category code of each SKU code (index: SKU code).</summary>
    public required int[] SkuCategory { get; init; }

    /// <summary>
    /// The ingests a build from the store saw (finished in its snapshot); null for an index built by hand. Changes of
    /// these ingests that are queued for an append are already in the index.
    /// </summary>
    internal IReadOnlySet<long>? SnapshotIngests { get; init; }

    /// <summary>The store's time zone (IANA id): days, weeks and months are counted in it.</summary>
    public required string TimeZone { get; init; }

    public int VisitorCount => VisitorKeys.Length;
    public int EventCount => EventTime.Length;
    public int OrderCount => OrderPaidTime.Length;

    public static int ToIndexTime(long unixMs) => checked((int)(Math.DivRem(unixMs, 1000, out var rem) - (rem < 0 ? 1 : 0) - Epoch));

    public static long ToUnixMs(int indexTime) => (indexTime + Epoch) * 1000;

    /// <summary>The millisecond within the second of a Unix time in milliseconds (0..999, also before 1970).</summary>
    public static ushort MillisOf(long unixMs) => (ushort)(((unixMs % 1000) + 1000) % 1000);

    private Dictionary<string, int>? _visitorLookup;

    /// <summary>The visitor id of a key (a customer id, or "~" + an anonymous id), or -1 when the index has none.</summary>
    public int FindVisitor(string key) => VisitorLookup.TryGetValue(key, out var v) ? v : -1;

    /// <summary>Visitor id by key, built on first use (appends need it; queries do not).</summary>
    internal Dictionary<string, int> VisitorLookup
    {
        get
        {
            var lookup = Volatile.Read(ref _visitorLookup);
            if (lookup is not null) return lookup;
            lookup = new Dictionary<string, int>(VisitorKeys.Length, StringComparer.Ordinal);
            for (var v = 0; v < VisitorKeys.Length; v++) lookup[VisitorKeys[v]] = v;
            Volatile.Write(ref _visitorLookup, lookup);
            return lookup;
        }
    }

    /// <summary>Bytes held by the event columns (with the sparse values and the per-visitor offsets), divided by the event count.</summary>
    public double BytesPerEvent => EventCount == 0 ? 0 :
        ((double)EventCount * (4 + 2 + 2 + 2 + 2 + 2 + 4 + 4 + 4) + ValueRows.Length * 12.0 + EventStart.Length * 4.0) / EventCount;
}
