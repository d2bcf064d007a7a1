using Flywheel.Storage;

namespace Flywheel.Customers.Profiles;

/// <summary>
/// Holds the current <see cref="ProfileTable"/> for a long-running process: loaded on first use, then refreshed with
/// just the customers each committed ingest touched (a reload when an ingest cannot say). Thread-safe; refreshes are
/// single-flight and never cancelled by the request that happened to start them.
/// </summary>
internal sealed class ProfileHost
{
    private readonly FlywheelStore _store;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private bool _reload = true;
    private ProfileTable? _current;
    private Task<ProfileTable>? _refreshing;

    public ProfileHost(FlywheelStore store)
    {
        _store = store;
        store.Committed += OnCommitted;
    }

    private void OnCommitted(IngestChanges changes)
    {
        lock (_gate)
        {
            if (changes.Everything) _reload = true;
            else _pending.UnionWith(changes.Customers);
        }
    }

    /// <summary>A customer's row changed outside an ingest (an erasure): the next read re-reads it.</summary>
    public void Changed(string customerId)
    {
        lock (_gate) _pending.Add(customerId);
    }

    /// <summary>The profiles with every committed write applied.</summary>
    public Task<ProfileTable> GetAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_current is not null && !_reload && _pending.Count == 0) return Task.FromResult(_current);
            if (_refreshing is null)
            {
                // A refresh that finished synchronously (SQLite reads can) already cleared _refreshing inside this lock: keeping
                // its completed task would hand every later caller the same stale table.
                var refresh = RefreshAsync();
                if (refresh.IsCompleted) return refresh.WaitAsync(ct);
                _refreshing = refresh;
            }
            return _refreshing.WaitAsync(ct);
        }
    }

    private async Task<ProfileTable> RefreshAsync()
    {
        while (true)
        {
            ProfileTable? current;
            bool reload;
            string[] customers;
            lock (_gate)
            {
                current = _current;
                reload = _reload || current is null;
                customers = [.. _pending];
                _pending.Clear();
                _reload = false;
            }
            ProfileTable next;
            try
            {
                next = reload
                    ? await ProfileTable.LoadAsync(_store, CancellationToken.None).ConfigureAwait(false)
                    : await current!.WithChanges(_store, customers, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    _reload = true;
                    _refreshing = null;
                }
                throw;
            }
            lock (_gate)
            {
                _current = next;
                if (_reload || _pending.Count > 0) continue;
                _refreshing = null;
                return next;
            }
        }
    }
}
