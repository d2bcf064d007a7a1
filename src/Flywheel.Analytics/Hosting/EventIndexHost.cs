using Flywheel.Analytics.Index;
using Flywheel.Storage;

namespace Flywheel.Analytics.Hosting;

/// <summary>
/// Holds the current <see cref="EventIndex"/> of a store for a long-running process (the server). Writers call
/// <see cref="Invalidate"/> after they commit; the next query that asks for a fresh index waits for one rebuild
/// from the store, shared by every query that arrives meanwhile (single flight). Queries that accept a stale
/// index get the current one at once. Thread-safe.
/// </summary>
public sealed class EventIndexHost
{
    private readonly FlywheelStore _store;
    private readonly Lock _gate = new();
    private EventIndex? _current;
    private long _currentVersion = -1;
    private long _version;
    private Task<EventIndex>? _building;
    private long _buildingVersion;

    public EventIndexHost(FlywheelStore store)
    {
        _store = store;
        store.Committed += Invalidate;
    }

    /// <summary>Marks the index out of date; the store calls it after every committed ingest session.</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    /// <summary>The index, rebuilt first if a write committed since it was built (or when there is none yet).</summary>
    public Task<EventIndex> GetAsync(bool allowStale, CancellationToken ct)
    {
        lock (_gate)
        {
            var wanted = Interlocked.Read(ref _version);
            if (_current is not null && (allowStale || _currentVersion == wanted)) return Task.FromResult(_current);
            if (_building is null || _buildingVersion != wanted)
            {
                // A build already running for an older version finishes and is then superseded by this one.
                _buildingVersion = wanted;
                _building = BuildAsync(wanted);
            }
            return _building.WaitAsync(ct);
        }
    }

    private async Task<EventIndex> BuildAsync(long version)
    {
        // The build must not be cancelled by the request that happened to start it: others wait on it too.
        var index = await EventIndexBuilder.BuildAsync(_store, null, CancellationToken.None).ConfigureAwait(false);
        lock (_gate)
        {
            if (version > _currentVersion)
            {
                _current = index;
                _currentVersion = version;
            }
            if (_buildingVersion == version) _building = null;
        }
        return index;
    }
}
