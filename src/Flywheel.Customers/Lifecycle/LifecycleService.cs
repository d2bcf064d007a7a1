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
/// </summary>
internal sealed class LifecycleService(FlywheelStore store) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public event Action<IReadOnlyList<StageTransition>>? StageChanged;

    public void Dispose() => _gate.Dispose();

    public async Task<LifecycleRefresh> RefreshAsync(EventIndex index, DateOnly asOf, bool record, Func<int, double?>? pAlive, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var states = LifecycleEngine.Run(index, asOf, pAlive);
            var stages = LifecycleStages.All.ToDictionary(s => s, _ => 0L);
            foreach (var state in states) stages[state.Stage]++;
            var current = await LifecycleStore.CurrentAsync(store, ct);
            var changes = new List<(string CustomerId, string? From, string To)>();
            foreach (var state in states)
                if (current.GetValueOrDefault(state.CustomerId) is var from && from != state.Stage) changes.Add((state.CustomerId, from, state.Stage));
            if (!record)
            {
                var now = store.Time.GetUtcNow();
                return new LifecycleRefresh(asOf, stages, [.. changes.Select(c => new StageTransition(0, c.CustomerId, c.From, c.To, now, asOf))]);
            }
            var transitions = await LifecycleStore.RecordAsync(store, changes, asOf, ct);
            if (transitions.Count > 0) StageChanged?.Invoke(transitions);
            return new LifecycleRefresh(asOf, stages, transitions);
        }
        finally
        {
            _gate.Release();
        }
    }
}
