using Flywheel.Analytics.Index;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>Builds the event index from the record, for modules that need one outside a host (a host shares one through EventIndexHost).</summary>
public static class EventIndexes
{
    /// <summary>The whole index, read from the store in one pass; <paramref name="progress"/> hears each stage.</summary>
    public static Task<EventIndex> BuildAsync(FlywheelStore store, IProgress<IndexBuildProgress>? progress, CancellationToken ct) =>
        EventIndexBuilder.BuildAsync(store, progress, ct);
}
