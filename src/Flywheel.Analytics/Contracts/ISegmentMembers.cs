using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>
/// Who is in a named customer set (a saved audience or a segment) on a day, for reports scoped with <c>segment</c>. Analytics
/// asks; the module that owns segments (Customers) answers by registering an implementation. Without one, only audiences
/// (Analytics' own) resolve.
/// </summary>
public interface ISegmentMembers
{
    /// <summary>The members' customer ids, or a validation error naming the unknown set.</summary>
    Task<Result<IReadOnlySet<string>>> ResolveAsync(FlywheelStore store, EventIndex index, string name, DateOnly asOf, CancellationToken ct);
}
