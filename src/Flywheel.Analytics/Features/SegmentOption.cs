using System.CommandLine;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Scopes;
using Flywheel.Analytics.Storage;
using Flywheel.Hosting.Cli;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Analytics.Features;

/// <summary>Resolves a <c>segment</c> (an audience, or a segment through <see cref="ISegmentMembers"/>) into the customers a report scope keeps.</summary>
internal static class SegmentScope
{
    /// <summary>The scope with the set's members, or a validation error for an unknown or empty name (its path is <paramref name="place"/>).</summary>
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
        if (!resolved.TryGetValue(out var ids, out var unknown)) return unknown with { Path = place };
        return scope with { Customers = ids, Segment = segment };
    }
}

/// <summary>Resolves <c>--segment NAME</c> on the command line.</summary>
internal static class SegmentOption
{
    /// <summary>The scope with the segment's customers, or an exit code after reporting an unknown or empty name.</summary>
    public static async Task<(Scope? Scope, int ExitCode)> ApplyAsync(ParseResult parse, CliContext cli, EventIndex index, Scope scope, string? segment,
        DateOnly asOf, CancellationToken ct)
    {
        if (segment is null) return (scope, ExitCodes.Ok);
        Scope? applied = null;
        var exit = await cli.RunAsync(parse, async services =>
        {
            var result = await SegmentScope.ApplyAsync(services.GetService<ISegmentMembers>(), services.GetRequiredService<FlywheelStore>(), index, scope,
                segment, asOf, "--segment", ct);
            if (!result.TryGetValue(out var scoped, out var error)) return await cli.BadAsync("--segment", error.Message);
            applied = scoped;
            return ExitCodes.Ok;
        }, ct);
        return (applied, exit);
    }
}
