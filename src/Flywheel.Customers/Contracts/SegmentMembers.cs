using Flywheel.Analytics.Contracts;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Customers.Contracts;

/// <summary>Customers' answer to Analytics' <see cref="ISegmentMembers"/>: audiences first, then segments (<see cref="CustomerSets"/>).</summary>
internal sealed class SegmentMembers : ISegmentMembers
{
    public Task<Result<IReadOnlySet<string>>> ResolveAsync(FlywheelStore store, EventIndex index, string name, DateOnly asOf, CancellationToken ct) =>
        CustomerSets.ResolveAsync(store, index, name, asOf, ct);
}
