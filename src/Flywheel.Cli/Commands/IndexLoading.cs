using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using Flywheel.Analytics.Index;
using Flywheel.Storage;

namespace Flywheel.Cli.Commands;

/// <summary>Opens the store the global options name and builds the event index from it, with progress on a terminal.</summary>
internal static class IndexLoading
{
    public static async Task<(EventIndex? Index, int ExitCode)> LoadAsync(ParseResult parse, CliConsole console, TimeProvider time, CancellationToken ct)
    {
        var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
        if (store is null) return (null, exit);
        using (store) return (await BuildAsync(store, console, ct), ExitCodes.Ok);
    }

    /// <summary>Builds the index from a store the caller keeps open (to write to it afterwards).</summary>
    public static async Task<EventIndex> BuildAsync(FlywheelStore store, CliConsole console, CancellationToken ct)
    {
        IProgress<IndexBuildProgress>? progress = console.ErrorIsTerminal
            ? new Progress<IndexBuildProgress>(p => console.Error.Write($"\rindexing {p.Stage}: {p.Rows:N0}      "))
            : null;
        var index = await EventIndexBuilder.BuildAsync(store, progress, ct);
        if (console.ErrorIsTerminal) await console.Error.WriteLineAsync();
        return index;
    }
}

/// <summary>Resolves <c>--segment NAME</c> into the customers a report scope keeps.</summary>
internal static class SegmentOption
{
    /// <summary>The scope with the segment's customers, or an exit code after reporting an unknown or empty name.</summary>
    public static async Task<(Flywheel.Analytics.Scopes.Scope? Scope, int ExitCode)> ApplyAsync(ParseResult parse, CliConsole console, TimeProvider time,
        EventIndex index, Flywheel.Analytics.Scopes.Scope scope, string? segment, DateOnly asOf, CancellationToken ct)
    {
        if (segment is null) return (scope, ExitCodes.Ok);
        if (segment.Length == 0) return (null, await ReportCommand.BadAsync(console, "--segment", "an empty segment name"));
        var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
        if (store is null) return (null, exit);
        using (store)
        {
            var members = await Flywheel.Customers.Contracts.CustomerSets.ResolveAsync(store, index, segment, asOf, ct);
            if (!members.TryGetValue(out var ids, out var unknown)) return (null, await ReportCommand.BadAsync(console, "--segment", unknown.Message));
            return (scope with { Customers = ids, Segment = segment }, ExitCodes.Ok);
        }
    }
}
