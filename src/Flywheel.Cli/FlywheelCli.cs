using System.CommandLine;
using Flywheel.Cli.Commands;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Cli;

/// <summary>Exit codes every command shares, so scripts can tell bad input from an unreachable store.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    /// <summary>Bad input: a malformed file, a bad row, an unknown option value. Nothing was written.</summary>
    public const int BadInput = 2;
    /// <summary>The store could not be opened or reached (PostgreSQL down, unwritable folder).</summary>
    public const int StoreUnavailable = 3;
}

/// <summary>Where a command writes: results to Out, progress and diagnostics to Error.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal);

public static class FlywheelCli
{
    /// <summary>--data: the folder that holds the embedded SQLite store.</summary>
    internal static readonly Option<string?> DataOption = new("--data")
    {
        Description = "Data folder of the embedded SQLite store (default ./flywheel-data)",
        Recursive = true,
    };

    /// <summary>--db: a PostgreSQL connection string; FLYWHEEL_DB is read when it is absent.</summary>
    internal static readonly Option<string?> DbOption = new("--db")
    {
        Description = "PostgreSQL connection string (Host=...;Username=...;Password=...;Database=...); default: $FLYWHEEL_DB, else the SQLite store",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, CliConsole console, TimeProvider time)
    {
        var root = new RootCommand("Flywheel: measure, understand, offer, engage — an e-commerce marketing engine")
        {
            DataOption,
            DbOption,
            ImportCommand.Create(console, time),
            DemoCommand.Create(console, time),
            ServeCommand.Create(console, time),
            LoadTestCommand.Create(console, time),
            ReportCommand.Create(console, time),
            GoalsCommand.Create(console, time),
            AudiencesCommand.Create(console, time),
            RfmCommand.Create(console, time),
            PersonaCommand.Create(console, time),
            LifecycleCommand.Create(console, time),
            CouponsCommand.Create(console, time),
            ClvCommand.Create(console, time),
            SegmentsCommand.Create(console, time),
            PromoCommand.Create(console, time),
            JourneysCommand.Create(console, time),
            BroadcastsCommand.Create(console, time),
            SendTestCommand.Create(console, time),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await console.Error.WriteLineAsync($"error: {error.Message}");
            await console.Error.WriteLineAsync("run 'flywheel --help' for usage");
            return ExitCodes.BadInput;
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("cancelled; nothing was committed by the interrupted step");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Opens the store the global options name; on failure prints the reason and gives the exit code.</summary>
    internal static async Task<(FlywheelStore? Store, int ExitCode)> OpenStoreAsync(ParseResult parse, CliConsole console, TimeProvider time, CancellationToken ct)
    {
        StoreLocation location;
        try
        {
            location = StoreLocation.Resolve(parse.GetValue(DataOption), parse.GetValue(DbOption));
        }
        catch (ArgumentException e)
        {
            await console.Error.WriteLineAsync($"error: --db is not a valid PostgreSQL connection string: {e.Message}");
            return (null, ExitCodes.BadInput);
        }
        var opened = await FlywheelStore.OpenAsync(location, time, ct);
        if (!opened.TryGetValue(out var store, out var error))
        {
            await console.Error.WriteLineAsync($"error: {error.Message}");
            return (null, ExitCodes.StoreUnavailable);
        }
        return (store, ExitCodes.Ok);
    }

    internal static Task WriteErrorAsync(CliConsole console, Error error) => console.Error.WriteLineAsync($"error: {error}");
}
