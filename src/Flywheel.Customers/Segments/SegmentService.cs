using Flywheel.Analytics.Contracts;
using Flywheel.Ingestion.Contracts;
using System.Diagnostics;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Customers.Segments;

/// <summary>Customers who entered and left a segment in one update, stored at <see cref="At"/> (the service clock's now).</summary>
internal sealed record SegmentMembershipChanged(string Segment, IReadOnlyList<string> Entered, IReadOnlyList<string> Exited, DateTimeOffset At);

/// <summary>
/// How the last batch of ingests reached the memberships: how many ingests and customers, what moved, and the time from
/// the first ingest's commit to the stored membership (<see cref="Latency"/>).
/// </summary>
internal sealed record SegmentUpdate(string Kind, int Ingests, int Customers, int Entered, int Exited, TimeSpan Latency);

/// <summary>
/// Saved segments and their memberships, kept current. Creating or changing a segment evaluates its rule over every
/// customer; after that, every committed ingest (<see cref="FlywheelStore.Committed"/>, once <see cref="KeepCurrent"/>
/// is called) re-evaluates every segment for just the customers it touched: the customers it wrote, the owners of the
/// orders it wrote (and their previous owner when an order changed hands), the customers of its events and of the
/// anonymous ids it linked. Changes are stored (segment_members, segment_membership_changes) and raised as
/// <see cref="MembershipChanged"/>.
/// <para>
/// Each ingest is applied in two steps. The fast step runs at once over an index of just the touched customers
/// (<see cref="Flywheel.Analytics.Contracts.IndexSlices"/>: their orders read afresh from the store, their events from the current index), so a
/// new order moves a customer in milliseconds whatever the store's size; it leaves out customers whose events or
/// identities the ingest changed, since the current index may not hold those yet. The exact step follows once the event
/// index has taken the ingest in, and re-evaluates every touched customer over it; it changes nothing when the fast step
/// was right, and <see cref="CatchUpAsync"/> waits for it.
/// </para>
/// <para>
/// Time moves customers too (orders(90d) forgets an order after 90 days), as do fields of other modules, which this
/// service cannot watch: <see cref="RefreshAllAsync"/> re-evaluates every segment over everyone, and the server calls
/// it periodically. Thread-safe: one operation at a time changes memberships, in the order ingests committed.
/// </para>
/// </summary>
internal sealed class SegmentService : IDisposable
{
    /// <summary>When one batch touches more than this share of all customers (and more than <see cref="FullRefreshMinimum"/>), re-evaluating everyone is cheaper.</summary>
    private const double FullRefreshShare = 0.2;

    private const int FullRefreshMinimum = 10_000;

    private readonly FlywheelStore _store;
    private readonly TimeProvider _time;
    private readonly Func<bool, CancellationToken, Task<EventIndex>> _index;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queue = new();
    private readonly List<(IngestChanges Changes, long Timestamp, long Version)> _pending = [];
    private readonly List<(long Version, TaskCompletionSource Done)> _waiters = [];
    private long _version, _applied;
    private Task? _loop;
    private TaskCompletionSource? _wake;
    private bool _subscribed;

    // Keeping current (the worker only): batches whose fast step ran and whose exact step has not, and the customers
    // whose events or identities such a batch changed (the current index may not hold those yet).
    private readonly List<Unverified> _unverified = [];
    private readonly Dictionary<string, long> _eventsPending = new(StringComparer.Ordinal);
    private long _fastVersion;
    private EventIndex? _lastExact;

    private Dictionary<string, Live>? _segments;
    private ProfileTable? _profiles;
    private SegmentData? _data;

    /// <param name="store">The store whose segments these are.</param>
    /// <param name="fields">The fields rules may use (built-ins plus whatever other modules registered).</param>
    /// <param name="time">"Now" for windows and day counts.</param>
    /// <param name="index">
    /// The event index: with every committed write when the flag (allow stale) is false, the current one at once when it
    /// is true. The server passes its index host's GetAsync.
    /// </param>
    public SegmentService(FlywheelStore store, FieldRegistry fields, TimeProvider time, Func<bool, CancellationToken, Task<EventIndex>> index)
    {
        _store = store;
        Fields = fields;
        _time = time;
        _index = index;
    }

    public FieldRegistry Fields { get; }

    /// <summary>
    /// Raised after a membership change is stored, on the service's worker: handlers must return quickly and must not
    /// throw (an exception fails the update, which is then retried).
    /// </summary>
    public event Action<SegmentMembershipChanged>? MembershipChanged;

    /// <summary>The last update of memberships (incremental or full), for diagnostics and benchmarks.</summary>
    public SegmentUpdate? LastUpdate { get; private set; }

    /// <summary>The error of the last failed update; its ingests are retried by the next one.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Starts following the store's commits. Idempotent.</summary>
    public void KeepCurrent()
    {
        lock (_queue)
        {
            if (_subscribed) return;
            _subscribed = true;
        }
        _store.Committed += OnCommitted;
    }

    /// <summary>Stops following the store's commits (an update under way finishes).</summary>
    public void Dispose()
    {
        if (_subscribed) _store.Committed -= OnCommitted;
    }

    // --- reading ---

    /// <summary>Waits until every ingest committed so far is reflected in the memberships (its exact step done).</summary>
    public Task CatchUpAsync(CancellationToken ct)
    {
        lock (_queue)
        {
            if (_applied == _version) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((_version, done));
            _loop ??= Task.Run(LoopAsync, CancellationToken.None);
            return done.Task.WaitAsync(ct);
        }
    }

    /// <summary>Whether a customer is in a segment now (as of the last applied ingest); false for an unknown segment.</summary>
    public async Task<bool> IsMemberAsync(string segment, string customerId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var segments = await SegmentsAsync(ct);
            return segments.TryGetValue(segment, out var live) && live.Members.Contains(customerId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Whether one customer matches a rule now (journeys' branch, exit and send-time conditions). The rule is evaluated over
    /// everyone once per (rule, data) pair and the match is kept, so checking many customers against one rule stays cheap.
    /// </summary>
    public async Task<bool> MatchesAsync(SegmentRule rule, string customerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await _gate.WaitAsync(ct);
        try
        {
            var data = await DataAsync(ct);
            var now = _time.GetUtcNow();
            lock (_ruleMatches)
            {
                // A cached match is reused within a minute: rules with relative windows drift with time alone.
                if (_ruleMatches.TryGetValue(rule.Text, out var cached) && cached.Data == data && now - cached.At < TimeSpan.FromMinutes(1))
                    return cached.Match.ContainsRow(data.Profiles.Row(customerId));
            }
            var match = SegmentEvaluator.Evaluate(rule, data, now);
            lock (_ruleMatches)
            {
                if (_ruleMatches.Count > 256) _ruleMatches.Clear();
                _ruleMatches[rule.Text] = (data, now, match);
            }
            return match.ContainsRow(data.Profiles.Row(customerId));
        }
        finally
        {
            _gate.Release();
        }
    }

    private readonly Dictionary<string, (SegmentData Data, DateTimeOffset At, SegmentMatch Match)> _ruleMatches = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts the customers a rule selects right now, with up to <paramref name="sample"/> of their ids (in id order); stores
    /// nothing. A rule whose values do not fit the data (<see cref="SegmentRule.CheckValues"/>) is an error naming "rule".
    /// </summary>
    public async Task<Result<(int Count, IReadOnlyList<string> Sample)>> CountAsync(SegmentRule rule, int sample, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await _gate.WaitAsync(ct);
        try
        {
            var data = await DataAsync(ct);
            if (rule.CheckValues(data.Index) is { } bad) return bad.ToError("rule");
            var match = SegmentEvaluator.Evaluate(rule, data, _time.GetUtcNow());
            return (match.Count, (IReadOnlyList<string>)[.. match.CustomerIds.Order(StringComparer.Ordinal).Take(sample)]);
        }
        finally
        {
            _gate.Release();
        }
    }

    // --- saving ---

    /// <summary>
    /// Saves a new segment and its membership over every customer now; a conflict error when the name is taken, an
    /// invalid_rule error naming "rule" when its values do not fit the data (<see cref="SegmentRule.CheckValues"/>).
    /// </summary>
    public async Task<Result<StoredSegment>> CreateAsync(string name, string? title, SegmentRule rule, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if ((SegmentNames.Check(name) ?? SegmentNames.CheckTitle(title)) is { } invalid) return invalid;
        await _gate.WaitAsync(ct);
        try
        {
            var segments = await SegmentsAsync(ct);
            if (segments.ContainsKey(name)) return Taken(name);
            var data = await DataAsync(ct);
            if (rule.CheckValues(data.Index) is { } bad) return bad.ToError("rule");
            var members = Members(rule, data);
            if (!await SegmentStore.CreateAsync(_store, name, title, rule.Text, members, ct)) return Taken(name);
            var stored = (await SegmentStore.GetAsync(_store, name, ct))!;
            segments[name] = new Live(stored, rule, members);
            return stored;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replaces a segment's title and rule and recomputes its membership (who entered and left is recorded and raised);
    /// a not-found error when there is no such segment.
    /// </summary>
    public async Task<Result<StoredSegment>> ReplaceAsync(string name, string? title, SegmentRule rule, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if ((SegmentNames.Check(name) ?? SegmentNames.CheckTitle(title)) is { } invalid) return invalid;
        await _gate.WaitAsync(ct);
        try
        {
            var segments = await SegmentsAsync(ct);
            var data = await DataAsync(ct);
            if (rule.CheckValues(data.Index) is { } bad) return bad.ToError("rule");
            var members = Members(rule, data);
            var delta = await SegmentStore.ReplaceAsync(_store, name, title, rule.Text, members, ct);
            if (delta is null) return Error.NotFound("name", $"there is no segment '{name}'");
            var stored = (await SegmentStore.GetAsync(_store, name, ct))!;
            segments[name] = new Live(stored, rule, members);
            Raise([delta], stored.RefreshedAt ?? _time.GetUtcNow());
            return stored;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes a segment with its members and history; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var segments = await SegmentsAsync(ct);
            segments.Remove(name);
            return await SegmentStore.DeleteAsync(_store, name, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-evaluates every segment over every customer (profiles re-read), storing and raising what moved.</summary>
    public async Task RefreshAllAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await _gate.WaitAsync(ct);
        try
        {
            _profiles = null;
            await FullAsync(0, clock.Elapsed, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Error Taken(string name) => Error.Conflict("name", $"a segment named '{name}' exists: choose another name, or replace it");

    private HashSet<string> Members(SegmentRule rule, SegmentData data) =>
        SegmentEvaluator.Evaluate(rule, data, _time.GetUtcNow()).CustomerIds.ToHashSet(StringComparer.Ordinal);

    // --- keeping current ---

    private void OnCommitted(IngestChanges changes)
    {
        if (changes.IsEmpty) return;
        lock (_queue)
        {
            _pending.Add((changes, Stopwatch.GetTimestamp(), ++_version));
            _wake?.TrySetResult();
            _loop ??= Task.Run(LoopAsync, CancellationToken.None);
        }
    }

    /// <summary>
    /// The worker: fast steps for new ingests first, then the exact step for everything fast so far once the index has
    /// it; an ingest arriving while the index catches up gets its fast step without waiting for that.
    /// </summary>
    private async Task LoopAsync()
    {
        Task<EventIndex>? exact = null;
        long exactUpTo = 0;
        while (true)
        {
            List<(IngestChanges Changes, long Timestamp, long Version)> batch;
            TaskCompletionSource? wake = null;
            lock (_queue)
            {
                batch = [.. _pending];
                _pending.Clear();
                if (batch.Count == 0 && _unverified.Count == 0)
                {
                    // Caught up: release every waiter (also those of ingests that needed no step).
                    _applied = _fastVersion = Math.Max(_fastVersion, _version);
                    foreach (var waiter in _waiters) waiter.Done.TrySetResult();
                    _waiters.Clear();
                    _loop = null;
                    return;
                }
                if (batch.Count == 0) _wake = wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            try
            {
                // Neither a request nor a shutdown may cancel an update half-way: memberships would fall behind the store.
                if (batch.Count > 0)
                {
                    await FastAsync(batch, CancellationToken.None);
                    continue;
                }
                if (exact is null)
                {
                    exactUpTo = _fastVersion;
                    exact = _index(false, CancellationToken.None);
                }
                await Task.WhenAny(exact, wake!.Task);
                if (!exact.IsCompleted) continue; // a new ingest: its fast step first
                var index = await exact;
                exact = null;
                await ExactAsync(index, exactUpTo, CancellationToken.None);
                LastError = null;
                Release(exactUpTo);
            }
            catch (Exception e)
            {
                List<TaskCompletionSource> failed;
                lock (_queue)
                {
                    // The batch is retried; customers already fast-stepped stay unverified, so their exact step is too.
                    _pending.InsertRange(0, batch);
                    failed = [.. _waiters.Select(w => w.Done)];
                    _waiters.Clear();
                    _loop = null;
                }
                LastError = e;
                foreach (var waiter in failed) waiter.TrySetException(e);
                return;
            }
            finally
            {
                lock (_queue) _wake = null;
            }
        }
    }

    private void Release(long upTo)
    {
        List<TaskCompletionSource> ready;
        lock (_queue)
        {
            _applied = Math.Max(_applied, upTo);
            ready = [.. _waiters.Where(w => w.Version <= upTo).Select(w => w.Done)];
            _waiters.RemoveAll(w => w.Version <= upTo);
        }
        foreach (var waiter in ready) waiter.TrySetResult();
    }

    /// <summary>
    /// The fast step of a batch: refreshes the touched customers' profiles, records who needs the exact step, and
    /// evaluates those whose events the current index already holds over a slice of the index with their orders read afresh.
    /// </summary>
    private async Task FastAsync(List<(IngestChanges Changes, long Timestamp, long Version)> batch, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var version = batch[^1].Version;
            var changes = batch.Select(b => b.Changes).ToList();
            var segments = await SegmentsAsync(ct);
            if (segments.Count == 0)
            {
                // No segment to keep: forget the profiles rather than refresh them; the next segment loads them afresh.
                _profiles = null;
                _data = null;
                _fastVersion = version;
                return;
            }
            if (changes.Any(c => c.Everything))
            {
                _profiles = null;
                _unverified.Clear();
                _eventsPending.Clear();
                await FullAsync(batch.Count, Stopwatch.GetElapsedTime(batch[0].Timestamp), ct);
                _fastVersion = version;
                return;
            }

            var written = changes.SelectMany(c => c.Customers).ToHashSet(StringComparer.Ordinal);
            var profiles = _profiles = _profiles is null ? await ProfileTable.LoadAsync(_store, ct) : await _profiles.WithChanges(_store, written, ct);
            var (affected, withEvents, updatedOrders) = await AffectedAsync(changes, written, ct);
            var current = await _index(true, ct);
            // The current index most likely predates the ingest (it is still taking it in): an updated order's owner
            // there may be its previous owner. The exact step asks the index of the last exact step too.
            PreviousOwners(current, updatedOrders, affected);
            foreach (var id in withEvents) _eventsPending[id] = version;
            _unverified.Add(new Unverified(version, affected, updatedOrders, batch[0].Timestamp, batch.Count));
            _fastVersion = version;

            var fast = affected.Where(id => !_eventsPending.ContainsKey(id)).Select(id => (Id: id, Row: profiles.Row(id))).Where(c => c.Row >= 0)
                .OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            var live = segments.Values.Where(s => s.Rule is not null).ToList();
            if (fast.Count == 0 || fast.Count > FullRefreshMinimum || live.Count == 0) return;

            var visitors = new SegmentData(profiles, current);
            var slice = await IndexSlices.BuildAsync(_store, current, [.. fast.Select(c => (c.Id, visitors.VisitorOf(c.Row)))], ct);
            var now = _time.GetUtcNow();
            var deltas = Compare(live, profiles, SegmentEvaluator.EvaluateRows([.. live.Select(s => s.Rule!)], new SegmentData(profiles, slice), now,
                [.. fast.Select(c => c.Row)]), [.. fast.Select(c => c.Row)]);
            await StoreAsync(deltas, now, ct);
            LastUpdate = new SegmentUpdate("fast", batch.Count, fast.Count, deltas.Sum(d => d.Entered.Count), deltas.Sum(d => d.Exited.Count),
                Stopwatch.GetElapsedTime(batch[0].Timestamp));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The exact step of every batch up to <paramref name="upTo"/>, over an index that holds them.</summary>
    private async Task ExactAsync(EventIndex index, long upTo, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var entries = _unverified.Where(u => u.Version <= upTo).ToList();
            if (entries.Count == 0) return;
            _unverified.RemoveAll(u => u.Version <= upTo);
            foreach (var id in _eventsPending.Where(p => p.Value <= upTo).Select(p => p.Key).ToList()) _eventsPending.Remove(id);
            var previous = _lastExact;
            _lastExact = index;
            var segments = await SegmentsAsync(ct);
            var profiles = _profiles;
            if (segments.Count == 0 || profiles is null) return;

            var affected = new HashSet<string>(entries.SelectMany(e => e.Customers), StringComparer.Ordinal);
            if (previous is not null) PreviousOwners(previous, entries.SelectMany(e => e.UpdatedOrders).ToHashSet(StringComparer.Ordinal), affected);

            var started = entries[0].Timestamp;
            var ingests = entries.Sum(e => e.Ingests);
            var data = _data = new SegmentData(profiles, index);
            if (affected.Count > Math.Max(FullRefreshMinimum, FullRefreshShare * profiles.Count))
            {
                await FullAsync(ingests, Stopwatch.GetElapsedTime(started), ct);
                return;
            }
            var rows = affected.Select(profiles.Row).Where(r => r >= 0).Order().ToArray();
            var live = segments.Values.Where(s => s.Rule is not null).ToList();
            var now = _time.GetUtcNow();
            var deltas = Compare(live, profiles, SegmentEvaluator.EvaluateRows([.. live.Select(s => s.Rule!)], data, now, rows), rows);
            await StoreAsync(deltas, now, ct);
            LastUpdate = new SegmentUpdate("exact", ingests, rows.Length, deltas.Sum(d => d.Entered.Count), deltas.Sum(d => d.Exited.Count),
                Stopwatch.GetElapsedTime(started));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Adds the owners in <paramref name="index"/> of updated orders: an order written before may have belonged to
    /// someone else. A scan of the index's order ids, so only for updated orders (a new order, the common case, cannot
    /// have had an owner).
    /// </summary>
    private static void PreviousOwners(EventIndex index, HashSet<string> updated, HashSet<string> owners)
    {
        if (updated.Count == 0) return;
        for (var v = 0; v < index.VisitorCount; v++)
            for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                if (updated.Contains(index.OrderIds[o]) && index.IsCustomer[v]) owners.Add(index.VisitorKeys[v]);
    }

    /// <summary>Who entered and left each segment among <paramref name="rows"/>, given which of them match now.</summary>
    private static List<SegmentDelta> Compare(List<Live> live, ProfileTable profiles, IReadOnlyList<IReadOnlySet<int>> matches, int[] rows)
    {
        var deltas = new List<SegmentDelta>();
        for (var s = 0; s < live.Count; s++)
        {
            List<string> entered = [], exited = [];
            foreach (var row in rows)
            {
                var id = profiles.CustomerIds[row];
                var member = matches[s].Contains(row);
                if (member && !live[s].Members.Contains(id)) entered.Add(id);
                else if (!member && live[s].Members.Contains(id)) exited.Add(id);
            }
            if (entered.Count > 0 || exited.Count > 0) deltas.Add(new SegmentDelta(live[s].Stored.Name, entered, exited));
        }
        return deltas;
    }

    /// <summary>Every segment over every customer. Runs inside the gate.</summary>
    private async Task FullAsync(int ingests, TimeSpan started, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var segments = await SegmentsAsync(ct);
        if (segments.Count == 0) return;
        var data = await DataAsync(ct);
        var live = segments.Values.Where(s => s.Rule is not null).ToList();
        var now = _time.GetUtcNow();
        var matches = SegmentEvaluator.EvaluateAll([.. live.Select(s => s.Rule!)], data, now);
        var deltas = new List<SegmentDelta>();
        for (var s = 0; s < live.Count; s++)
        {
            var members = matches[s].CustomerIds.ToHashSet(StringComparer.Ordinal);
            var old = live[s].Members;
            var delta = new SegmentDelta(live[s].Stored.Name, [.. members.Where(id => !old.Contains(id))], [.. old.Where(id => !members.Contains(id))]);
            if (!delta.IsEmpty) deltas.Add(delta);
        }
        await StoreAsync(deltas, now, ct);
        LastUpdate = new SegmentUpdate("full", ingests, data.Profiles.Count, deltas.Sum(d => d.Entered.Count), deltas.Sum(d => d.Exited.Count),
            started + clock.Elapsed);
    }

    /// <summary>Writes the deltas (one transaction), then applies them in memory and raises them.</summary>
    private async Task StoreAsync(List<SegmentDelta> deltas, DateTimeOffset now, CancellationToken ct)
    {
        if (deltas.Count == 0) return;
        await SegmentStore.ApplyAsync(_store, deltas, ct);
        foreach (var delta in deltas)
        {
            if (!_segments!.TryGetValue(delta.Segment, out var live)) continue;
            foreach (var id in delta.Exited) live.Members.Remove(id);
            foreach (var id in delta.Entered) live.Members.Add(id);
            // The write moved refreshed_at: remember it, or the next look at the store would reload these members.
            if (await SegmentStore.GetAsync(_store, delta.Segment, ct) is { } stored) _segments[delta.Segment] = live with { Stored = stored };
        }
        Raise(deltas, now);
    }

    private void Raise(IEnumerable<SegmentDelta> deltas, DateTimeOffset at)
    {
        foreach (var delta in deltas.Where(d => !d.IsEmpty))
            MembershipChanged?.Invoke(new SegmentMembershipChanged(delta.Segment, [.. delta.Entered], [.. delta.Exited], at));
    }

    /// <summary>
    /// The customers an ingest may have moved: those it wrote, the owners of its orders, the customers of its events
    /// (stitched ones included) and of the anonymous ids it linked. Also which of them had events or links (the index
    /// may not hold those yet) and which orders were updated rather than new (their previous owner may differ).
    /// </summary>
    private async Task<(HashSet<string> Affected, HashSet<string> WithEvents, HashSet<string> UpdatedOrders)> AffectedAsync(List<IngestChanges> changes,
        HashSet<string> written, CancellationToken ct)
    {
        var affected = new HashSet<string>(written, StringComparer.Ordinal);
        var withEvents = new HashSet<string>(StringComparer.Ordinal);
        var updated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in changes)
            foreach (var (_, customer) in change.Links) withEvents.Add(customer);
        var orders = changes.SelectMany(c => c.Orders).Distinct(StringComparer.Ordinal).ToArray();
        var events = changes.SelectMany(c => c.Events).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var (orderId, customerId, wasUpdated) in await OrderFacts.OwnersAsync(_store, orders, ct))
        {
            affected.Add(customerId);
            if (wasUpdated) updated.Add(orderId);
        }
        withEvents.UnionWith(await EventLookups.CustomersOfAsync(_store, events, ct));
        affected.UnionWith(withEvents);
        return (affected, withEvents, updated);
    }

    /// <summary>The profiles and the current index, reusing the last pair (and its visitor map) when neither changed. Inside the gate.</summary>
    private async Task<SegmentData> DataAsync(CancellationToken ct)
    {
        var index = await _index(false, ct);
        // With nothing pending, this index predates every ingest still to come: where their updated orders were before.
        if (_unverified.Count == 0)
            lock (_queue)
                if (_pending.Count == 0) _lastExact = index;
        var profiles = _profiles ??= await ProfileTable.LoadAsync(_store, ct);
        if (_data is { } data && data.Index == index && data.Profiles == profiles) return data;
        return _data = new SegmentData(profiles, index);
    }

    /// <summary>
    /// The saved segments with their rules and members, loaded on first use and brought in line with the store on each
    /// call (another process, the CLI, may have added, replaced or deleted one). Inside the gate.
    /// </summary>
    private async Task<Dictionary<string, Live>> SegmentsAsync(CancellationToken ct)
    {
        var segments = _segments ??= new Dictionary<string, Live>(StringComparer.Ordinal);
        var stored = await SegmentStore.ListAsync(_store, ct);
        var names = stored.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in segments.Keys.Where(n => !names.Contains(n)).ToList()) segments.Remove(gone);
        foreach (var segment in stored)
        {
            // Another process (flywheel segments refresh) may have moved members: refreshed_at tells.
            if (segments.TryGetValue(segment.Name, out var known) && known.Stored.UpdatedAt == segment.UpdatedAt && known.Stored.RefreshedAt == segment.RefreshedAt)
                continue;
            // A rule that no longer compiles (a field its module no longer registers) keeps its members but is not evaluated.
            SegmentRule.TryCompile(segment.Rule, Fields, out var rule, out _);
            var members = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var (id, _) in SegmentStore.AllMembersAsync(_store, segment.Name, ct)) members.Add(id);
            segments[segment.Name] = new Live(segment, rule, members);
        }
        return segments;
    }

    private sealed record Live(StoredSegment Stored, SegmentRule? Rule, HashSet<string> Members);

    private sealed record Unverified(long Version, HashSet<string> Customers, HashSet<string> UpdatedOrders, long Timestamp, int Ingests);
}
