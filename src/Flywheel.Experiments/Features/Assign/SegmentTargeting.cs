using System.Collections.Concurrent;
using Flywheel.Analytics.Contracts;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Experiments.Features.Assign;

/// <summary>
/// Who a segment-targeted experiment admits: the segment's (or saved audience's) members as of the event index's last day, through
/// Analytics' <see cref="ISegmentMembers"/> (answered by Customers) or, without one, saved audiences only. The set is cached per
/// experiment for <see cref="CacheFor"/> (by the injected clock), so a storefront's assign calls do not resolve a segment each time;
/// a customer who joins the segment is admitted within that time. Thread-safe.
/// </summary>
internal sealed class SegmentTargeting(FlywheelStore store, EventIndexHost host, TimeProvider time, ISegmentMembers? members = null)
{
    /// <summary>How long a resolved set is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private static readonly IReadOnlySet<string> Nobody = new HashSet<string>();

    private readonly ConcurrentDictionary<(string Experiment, string Segment), (DateTimeOffset Until, IReadOnlySet<string> Members)> _cache = new();

    /// <summary>The segment's members for <paramref name="experiment"/>, from the cache while fresh; an unknown segment is a validation error on "$.segment".</summary>
    public async Task<Result<IReadOnlySet<string>>> MembersAsync(string experiment, string segment, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue((experiment, segment), out var cached) && now < cached.Until) return Result<IReadOnlySet<string>>.Success(cached.Members);
        var resolved = await ResolveAsync(segment, ct);
        // A segment that no longer resolves (deleted since the start) admits nobody, and is not resolved again on every call.
        _cache[(experiment, segment)] = (now + CacheFor, resolved.TryGetValue(out var set, out _) ? set : Nobody);
        return resolved;
    }

    /// <summary>Resolves the segment now, bypassing the cache (starting an experiment checks its segment exists).</summary>
    public async Task<Result<IReadOnlySet<string>>> ResolveAsync(string segment, CancellationToken ct)
    {
        var index = await host.GetAsync(allowStale: true, ct);
        var asOf = LocalCalendar.DataEnd(index, time);
        var resolved = members is not null
            ? await members.ResolveAsync(store, index, segment, asOf, ct)
            : await SavedAudiences.MembersAsync(store, segment, ct) is { } audience
                ? Result<IReadOnlySet<string>>.Success(audience)
                : Error.Invalid("$.segment", $"there is no audience named '{segment}'");
        return resolved.TryGetValue(out var set, out var error)
            ? Result<IReadOnlySet<string>>.Success(set)
            : error with { Path = "$.segment", Kind = ErrorKind.Validation };
    }
}
