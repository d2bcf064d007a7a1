using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Storage;
using Flywheel.Customers.Storage;

namespace Flywheel.Customers.Lifecycle;

/// <summary>What a refresh found and recorded.</summary>
internal sealed record LifecycleRefresh(DateOnly AsOf, IReadOnlyDictionary<string, long> Stages, IReadOnlyList<StageTransition> Transitions);

/// <summary>
/// Keeps the stored stages current: computes every customer's stage, records the ones that changed as transitions
/// (one transaction) and raises <see cref="StageChanged"/> for listeners in this process (journeys); other processes
/// read <see cref="LifecycleStore.TransitionsAsync"/> with a cursor. Refreshing twice with the same data records nothing.
/// <para>
/// The stored stages are kept between calls with the version they were read at (<see cref="LifecycleStore.VersionAsync"/>,
/// the largest committed transition id, which any process's recording moves): a call reads all of them again only when
/// the version has moved, and this service's own recording updates them in place when nothing else recorded before it.
/// </para>
/// </summary>
internal sealed class LifecycleService(FlywheelStore store) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private LifecycleStore.Stored? _stored;
    private Aligned? _aligned;

    /// <summary>
    /// The kept stages by visitor of one index (null: none stored), at a version: a refresh compares each state with one
    /// array element instead of a dictionary lookup by customer id. The index is held weakly, so a replaced index is freed.
    /// </summary>
    private sealed record Aligned(WeakReference<EventIndex> Index, long Version, string?[] Stages);

    public event Action<IReadOnlyList<StageTransition>>? StageChanged;

    public void Dispose() => _gate.Dispose();

    public async Task<LifecycleRefresh> RefreshAsync(EventIndex index, DateOnly asOf, bool record, Func<int, double?>? pAlive, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var states = LifecycleEngine.Run(index, asOf, pAlive);
            var stored = await StoredAsync(ct);
            var current = AlignedTo(index, stored);
            var counts = new long[LifecycleStages.All.Count];
            // The changed states by position, with their stored stage: a GET writes only their count, so no transition is
            // built for them until it is asked for.
            var changed = new List<int>();
            var from = new List<string?>();
            for (var k = 0; k < states.Count; k++)
            {
                var state = states[k];
                counts[Position(state.Stage)]++;
                if (current[state.Visitor] is var was && was != state.Stage)
                {
                    changed.Add(k);
                    from.Add(was);
                }
            }
            var stages = new Dictionary<string, long>(LifecycleStages.All.Count);
            for (var s = 0; s < counts.Length; s++) stages[LifecycleStages.All[s]] = counts[s];
            if (!record) return new LifecycleRefresh(asOf, stages, new Unrecorded(states, changed, from, store.Time.GetUtcNow(), asOf));

            var changes = new (string CustomerId, string? From, string To)[changed.Count];
            for (var c = 0; c < changes.Length; c++) changes[c] = (states[changed[c]].CustomerId, from[c], states[changed[c]].Stage);
            // A failed recording leaves the kept stages as they were: if its commit happened after all, the version has moved.
            var recorded = await LifecycleStore.RecordAsync(store, changes, asOf, ct);
            if (recorded.Transitions.Count > 0)
            {
                if (recorded.VersionBefore == stored.Version)
                {
                    var version = recorded.Transitions[^1].Id;
                    foreach (var t in recorded.Transitions) stored.Stages[t.CustomerId] = t.To;
                    foreach (var k in changed) current[states[k].Visitor] = states[k].Stage;
                    _stored = stored with { Version = version };
                    _aligned = _aligned! with { Version = version };
                }
                else
                {
                    // Another process recorded since the stages were read: read them again next time.
                    _stored = null;
                    _aligned = null;
                }
                StageChanged?.Invoke(recorded.Transitions);
            }
            return new LifecycleRefresh(asOf, stages, recorded.Transitions);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the stored stages ahead of the first refresh (the server does it when it starts), so that call costs what later ones do.</summary>
    public async Task WarmAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await StoredAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The stored stages as of now: those kept, when the store's version is still theirs, else read afresh.</summary>
    private async Task<LifecycleStore.Stored> StoredAsync(CancellationToken ct)
    {
        if (_stored is { } kept && await LifecycleStore.VersionAsync(store, ct) == kept.Version) return kept;
        _stored = null; // let the old stages go before the new ones are read
        return _stored = await LifecycleStore.ReadAsync(store, ct);
    }

    /// <summary>The stored stages by visitor of <paramref name="index"/>: those kept when they are for this index and version.</summary>
    private string?[] AlignedTo(EventIndex index, LifecycleStore.Stored stored)
    {
        if (_aligned is { } kept && kept.Version == stored.Version && kept.Index.TryGetTarget(out var of) && ReferenceEquals(of, index)) return kept.Stages;
        _aligned = null;
        var stages = new string?[index.VisitorCount];
        for (var v = 0; v < stages.Length; v++)
            if (index.IsCustomer[v]) stages[v] = stored.Stages.GetValueOrDefault(index.VisitorKeys[v]);
        _aligned = new Aligned(new WeakReference<EventIndex>(index), stored.Version, stages);
        return stages;
    }

    private static int Position(string stage)
    {
        var all = LifecycleStages.All;
        for (var s = 0; s < all.Count; s++)
            if (ReferenceEquals(all[s], stage) || all[s] == stage) return s;
        throw new InvalidOperationException($"unknown lifecycle stage '{stage}'");
    }

    /// <summary>The transitions a refresh would record (id 0), made one by one as they are read.</summary>
    private sealed class Unrecorded(IReadOnlyList<LifecycleState> states, List<int> changed, List<string?> from, DateTimeOffset at, DateOnly asOf)
        : IReadOnlyList<StageTransition>
    {
        public int Count => changed.Count;

        public StageTransition this[int index]
        {
            get
            {
                var state = states[changed[index]];
                return new StageTransition(0, state.CustomerId, from[index], state.Stage, at, asOf);
            }
        }

        public IEnumerator<StageTransition> GetEnumerator()
        {
            for (var k = 0; k < changed.Count; k++) yield return this[k];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
