using Flywheel.Analytics.Contracts;
using System.Diagnostics;
using Flywheel.Analytics.Index;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>How the index was last brought up to date: a full build, or an append of committed ingests.</summary>
public sealed record IndexRefresh(string Kind, int Ingests, long Events, TimeSpan Elapsed);

/// <summary>
/// Holds the current <see cref="EventIndex"/> of a store for a long-running process (the server). Every committed
/// ingest is appended to it in the background, in commit order, by one refresh loop (<see cref="EventIndexAppender"/>);
/// ingests that arrive while an append runs are applied together by the next one. A change an append cannot apply
/// (settings, a product changing category, a very large import) makes the loop rebuild from the store instead.
/// Queries that need every committed write wait for the loop to catch up; queries that accept a stale index get the
/// current one at once. Thread-safe.
/// </summary>
public sealed class EventIndexHost
{
    private readonly FlywheelStore _store;
    private readonly Lock _gate = new();
    private readonly List<IngestChanges> _pending = [];
    private readonly List<(long Version, TaskCompletionSource<EventIndex> Done)> _waiters = [];
    private EventIndex? _current;
    private long _currentVersion = -1;
    private long _version;
    private Task? _loop;

    public EventIndexHost(FlywheelStore store)
    {
        _store = store;
        store.Committed += OnCommitted;
    }

    /// <summary>The index as it is now (possibly a commit or two behind), or null before the first build.</summary>
    public EventIndex? Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    /// <summary>The last refresh, for diagnostics and tests.</summary>
    public IndexRefresh? LastRefresh { get; private set; }

    /// <summary>Called by the store after every committed ingest session: queues the changes and wakes the loop.</summary>
    public void OnCommitted(IngestChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            if (changes.IsEmpty) return;
            _pending.Add(changes);
            _version++;
            // Nobody has asked for an index yet: the first query builds it from the store, changes included.
            if (_current is not null) EnsureLoop();
        }
    }

    /// <summary>The index with every committed write applied, or the current one at once when <paramref name="allowStale"/>.</summary>
    public Task<EventIndex> GetAsync(bool allowStale, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_current is not null && (allowStale || _currentVersion == _version)) return Task.FromResult(_current);
            var done = new TaskCompletionSource<EventIndex>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((_version, done));
            EnsureLoop();
            return done.Task.WaitAsync(ct);
        }
    }

    private void EnsureLoop() => _loop ??= Task.Run(RefreshLoopAsync);

    private async Task RefreshLoopAsync()
    {
        while (true)
        {
            List<IngestChanges> batch;
            long target;
            EventIndex? baseIndex;
            lock (_gate)
            {
                if (_current is not null && _pending.Count == 0)
                {
                    _loop = null;
                    return;
                }
                batch = [.. _pending];
                _pending.Clear();
                target = _version;
                baseIndex = _current;
            }

            var clock = Stopwatch.StartNew();
            EventIndex next;
            string kind;
            try
            {
                // Neither the request that woke the loop nor anyone else may cancel it: every waiter depends on it.
                EventIndex? appended = null;
                if (baseIndex is not null)
                {
                    try
                    {
                        appended = await EventIndexAppender.AppendAsync(_store, baseIndex, batch, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (InvalidOperationException)
                    {
                        appended = null; // e.g. a 16-bit dictionary overflowed: the rebuild reports it properly
                    }
                }
                kind = appended is null ? "full" : "append";
                next = appended ?? await EventIndexBuilder.BuildAsync(_store, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                List<TaskCompletionSource<EventIndex>> failed;
                lock (_gate)
                {
                    // Keep the changes: the next query retries them (or rebuilds, which covers them).
                    _pending.InsertRange(0, batch);
                    failed = [.. _waiters.Select(w => w.Done)];
                    _waiters.Clear();
                    _loop = null;
                }
                foreach (var waiter in failed) waiter.TrySetException(ex);
                return;
            }

            List<TaskCompletionSource<EventIndex>> ready;
            lock (_gate)
            {
                _current = next;
                _currentVersion = target;
                LastRefresh = new IndexRefresh(kind, batch.Count, batch.Sum(c => (long)c.Events.Count), clock.Elapsed);
                ready = [.. _waiters.Where(w => w.Version <= target).Select(w => w.Done)];
                _waiters.RemoveAll(w => w.Version <= target);
            }
            foreach (var waiter in ready) waiter.TrySetResult(next);
        }
    }
}
