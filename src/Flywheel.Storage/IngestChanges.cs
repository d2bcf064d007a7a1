namespace Flywheel.Storage;

/// <summary>
/// What one committed ingest session changed, as keys: enough for a reader that keeps a derived copy of the store
/// (the event index) to re-read just those rows instead of everything. When a session changes more than
/// <see cref="MaxTrackedEvents"/> events, or changes something the keys cannot describe (settings, raw SQL),
/// <see cref="Everything"/> is set and the reader should rebuild from scratch.
/// </summary>
public sealed class IngestChanges
{
    /// <summary>Above this many new events in one session the keys are dropped: a rebuild is cheaper than re-reading them.</summary>
    public const int MaxTrackedEvents = 200_000;

    private readonly List<string> _events = [];
    private readonly HashSet<string> _orders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _customers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _products = new(StringComparer.Ordinal);
    private readonly List<(string AnonymousId, string CustomerId)> _links = [];

    public IngestChanges(long ingestId) => IngestId = ingestId;

    /// <summary>A change the keys cannot describe: readers rebuild.</summary>
    internal static IngestChanges Unknown()
    {
        var changes = new IngestChanges(0);
        changes.MarkEverything();
        return changes;
    }

    public long IngestId { get; }

    /// <summary>Event ids inserted, in insertion order (duplicates that were ignored are not here).</summary>
    public IReadOnlyList<string> Events => _events;
    /// <summary>Orders inserted or changed.</summary>
    public IReadOnlyCollection<string> Orders => _orders;
    /// <summary>Customers inserted or changed, bare ones included.</summary>
    public IReadOnlyCollection<string> Customers => _customers;
    /// <summary>Products (SKUs) inserted or changed.</summary>
    public IReadOnlyCollection<string> Products => _products;
    /// <summary>Anonymous ids linked to a customer by this session (their earlier events now belong to the customer).</summary>
    public IReadOnlyList<(string AnonymousId, string CustomerId)> Links => _links;
    public bool SpendChanged { get; private set; }
    public bool Everything { get; private set; }

    public bool IsEmpty => !Everything && !SpendChanged && _events.Count == 0 && _orders.Count == 0 && _customers.Count == 0 &&
                           _products.Count == 0 && _links.Count == 0;

    internal void Event(string eventId)
    {
        if (Everything) return;
        if (_events.Count >= MaxTrackedEvents) MarkEverything();
        else _events.Add(eventId);
    }

    internal void Order(string orderId) => _orders.Add(orderId);
    internal void Customer(string customerId) => _customers.Add(customerId);
    internal void Product(string sku) => _products.Add(sku);
    internal void Link(string anonymousId, string customerId) => _links.Add((anonymousId, customerId));
    internal void Spend() => SpendChanged = true;

    internal void MarkEverything()
    {
        Everything = true;
        _events.Clear();
    }
}
