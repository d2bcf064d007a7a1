using System.CommandLine;
using Flywheel.Analytics.Index;
using Flywheel.Hosting.Cli;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>For commands of any module: opens the store the global options name and builds the event index, with progress on a terminal.</summary>
public static class IndexLoading
{
    /// <summary>The index of the store the command line names, or the exit code after reporting why the store could not be opened.</summary>
    public static async Task<(EventIndex? Index, int ExitCode)> LoadAsync(ParseResult parse, CliContext cli, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var (store, exit) = await cli.OpenStoreAsync(parse, ct);
        if (store is null) return (null, exit);
        using (store) return (await BuildAsync(store, cli.Console, ct), ExitCodes.Ok);
    }

    /// <summary>Builds the index from a store the caller keeps open (to write to it afterwards).</summary>
    public static async Task<EventIndex> BuildAsync(FlywheelStore store, CliConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(console);
        IProgress<IndexBuildProgress>? progress = console.ErrorIsTerminal
            ? new Progress<IndexBuildProgress>(p => console.Error.Write($"\rindexing {p.Stage}: {p.Rows:N0}      "))
            : null;
        var index = await EventIndexBuilder.BuildAsync(store, progress, ct);
        if (console.ErrorIsTerminal) await console.Error.WriteLineAsync();
        return index;
    }
}
