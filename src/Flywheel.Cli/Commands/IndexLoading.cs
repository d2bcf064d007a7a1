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
