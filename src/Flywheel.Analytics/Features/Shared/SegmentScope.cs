using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Scopes;
using Flywheel.Analytics.Storage;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Analytics.Features.Shared;

/// <summary>Resolves a <c>segment</c> (an audience, or a segment through <see cref="ISegmentMembers"/>) into the customers a report scope keeps.</summary>
internal static class SegmentScope
{
    /// <summary>
    /// The scope with the set's members, or a validation error for an unknown or empty name (its path is <paramref name="place"/>):
    /// a name the request gives that matches nothing is bad input (400), not a missing resource.
    /// </summary>
    public static async Task<Result<Scope>> ApplyAsync(ISegmentMembers? members, FlywheelStore store, EventIndex index, Scope scope, string? segment,
        DateOnly asOf, string place, CancellationToken ct)
    {
        if (segment is null) return scope;
        if (segment.Length == 0) return Error.Invalid(place, "an empty segment name");
        var resolved = members is not null
            ? await members.ResolveAsync(store, index, segment, asOf, ct)
            : await SavedAudiences.MembersAsync(store, segment, ct) is { } audience
                ? Result<IReadOnlySet<string>>.Success(audience)
                : Error.Invalid(place, $"there is no audience named '{segment}'");
        if (!resolved.TryGetValue(out var ids, out var unknown)) return unknown with { Path = place, Kind = ErrorKind.Validation };
        return scope with { Customers = ids, Segment = segment };
    }
}
