using System.CommandLine;
using System.Globalization;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Hosting.Cli;

/// <summary>Exit codes every command shares, so scripts can tell bad input from an unreachable store.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    /// <summary>Bad input: a malformed file, a bad row, an unknown option value. Nothing was written.</summary>
    public const int BadInput = 2;
    /// <summary>The store could not be opened or reached (PostgreSQL down, unwritable folder).</summary>
    public const int StoreUnavailable = 3;

    /// <summary>The exit code of an expected failure: an unreachable store is 3, everything else the caller can fix is 2.</summary>
    public static int For(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind == ErrorKind.Unavailable ? StoreUnavailable : BadInput;
    }
}

/// <summary>Where a command writes: results to Out, progress and diagnostics to Error.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal);

/// <summary>
/// What every module's commands get from the CLI's composition root: the console, the clock, every module's migrations (a
/// command opens the whole store, not just its module's tables) and the modules' service registrations, so a command resolves
/// the same handlers the HTTP endpoints do.
/// </summary>
public sealed class CliContext(CliConsole console, TimeProvider time, IReadOnlyList<MigrationSet> modules, Action<IServiceCollection>? services = null)
{
    /// <summary>--data: the folder that holds the embedded SQLite store.</summary>
    public static readonly Option<string?> DataOption = new("--data")
    {
        Description = "Data folder of the embedded SQLite store (default ./flywheel-data)",
        Recursive = true,
    };

    /// <summary>--db: a PostgreSQL connection string; FLYWHEEL_DB is read when it is absent.</summary>
    public static readonly Option<string?> DbOption = new("--db")
    {
        Description = "PostgreSQL connection string (Host=...;Username=...;Password=...;Database=...); default: $FLYWHEEL_DB, else the SQLite store",
        Recursive = true,
    };

    public CliConsole Console { get; } = console;

    public TimeProvider Time { get; } = time;

    public IReadOnlyList<MigrationSet> Modules { get; } = modules;

    /// <summary>
    /// Opens the store the global options name; on failure prints the reason and gives the exit code. An embedded store must
    /// exist: a --data folder that does not is an error (a typo would otherwise report on a new, empty store), unless
    /// <paramref name="create"/> (the commands that make stores: <c>demo</c>, <c>import</c>, <c>serve</c>, <c>worker</c>).
    /// </summary>
    public async Task<(FlywheelStore? Store, int ExitCode)> OpenStoreAsync(ParseResult parse, CancellationToken ct, bool create = false)
    {
        ArgumentNullException.ThrowIfNull(parse);
        StoreLocation location;
        try
        {
            location = StoreLocation.Resolve(parse.GetValue(DataOption), parse.GetValue(DbOption));
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: --db is not a valid PostgreSQL connection string: {e.Message}");
            return (null, ExitCodes.BadInput);
        }
        if (!create && location.DataFolder is { } folder && !Directory.Exists(folder))
        {
            await Console.Error.WriteLineAsync($"error: --data: there is no store at '{folder}' (the folder does not exist); " +
                "make one with 'flywheel demo' or 'flywheel import', or give the folder of an existing store");
            return (null, ExitCodes.StoreUnavailable);
        }
        var opened = await FlywheelStore.OpenAsync(location, Time, Modules, ct);
        if (!opened.TryGetValue(out var store, out var error))
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return (null, ExitCodes.StoreUnavailable);
        }
        if (create && parse.CommandResult.Command.Name is "demo" or "import" or "serve" or "worker" && Modules.Any(m => m.Module == Access.AccessModule.Name))
        {
            // A store that never had an API key gets its first admin key now, shown once: the HTTP API needs one for every call.
            var keys = new Access.ApiKeys(store);
            if ((await keys.ListAsync(ct)).Count == 0 && (await keys.CreateAsync(Access.Roles.AdminRole, "first admin", ct)).TryGetValue(out var first, out _))
                await Console.Error.WriteLineAsync($"this store's first admin API key (shown once; keep it, or make others with 'flywheel keys create'): {first.Secret}");
        }
        return (store, ExitCodes.Ok);
    }

    /// <summary>Runs <paramref name="work"/> with the store open, and closes it after.</summary>
    public async Task<int> WithStoreAsync(ParseResult parse, Func<FlywheelStore, Task<int>> work, CancellationToken ct, bool create = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        var (store, exit) = await OpenStoreAsync(parse, ct, create);
        if (store is null) return exit;
        using (store) return await work(store);
    }

    /// <summary>
    /// Opens the store and runs <paramref name="work"/> with the modules' services over it (the store, the clock and an empty
    /// configuration, so every option has its documented default); closes both after.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<IServiceProvider, Task<int>> work, CancellationToken ct, bool create = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        return await WithStoreAsync(parse, async store =>
        {
            var collection = new ServiceCollection();
            collection.AddSingleton(store);
            collection.AddSingleton(Time);
            collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
            services?.Invoke(collection);
            await using var provider = collection.BuildServiceProvider();
            return await work(provider);
        }, ct, create);
    }

    /// <summary>Prints "error: place: message" and gives the error's exit code.</summary>
    public async Task<int> FailAsync(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        await Console.Error.WriteLineAsync($"error: {error}");
        return ExitCodes.For(error);
    }

    /// <summary>Prints "error: place: message" on <paramref name="console"/>'s error stream.</summary>
    public static Task WriteErrorAsync(CliConsole console, Error error)
    {
        ArgumentNullException.ThrowIfNull(console);
        return console.Error.WriteLineAsync($"error: {error}");
    }

    /// <summary>
    /// Reports an error of a handler shared with HTTP, whose path names a request field, as the option that carries it:
    /// "lookback_days" is <c>--lookback-days</c> (or what <paramref name="options"/> renames it to), and "thresholds.r" is
    /// <c>--thresholds</c> with "r: " before the message. An error without a path is printed as it is. Gives the error's exit code.
    /// </summary>
    public async Task<int> FailFieldAsync(Error error, IReadOnlyDictionary<string, string>? options = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Path is not { Length: > 0 } path) return await FailAsync(error);
        var dot = path.IndexOfAny(['.', '[']);
        var field = dot < 0 ? path : path[..dot];
        var rest = dot < 0 ? "" : path[(dot + (path[dot] == '.' ? 1 : 0))..] + ": ";
        var option = options is not null && options.TryGetValue(field, out var renamed) ? renamed : field.Replace('_', '-');
        await Console.Error.WriteLineAsync($"error: --{option}: {rest}{error.Message}");
        return ExitCodes.For(error);
    }

    /// <summary>Reports bad input naming the option, and gives the bad-input exit code.</summary>
    public Task<int> BadAsync(string option, string message) => BadAsync(Console, option, message);

    /// <summary>Reports bad input naming the option on <paramref name="console"/>, and gives the bad-input exit code.</summary>
    public static async Task<int> BadAsync(CliConsole console, string option, string message)
    {
        ArgumentNullException.ThrowIfNull(console);
        await console.Error.WriteLineAsync($"error: {option}: {message}");
        return ExitCodes.BadInput;
    }

    /// <summary>A day as yyyy-MM-dd; null text is no day (true), anything else unparseable is false.</summary>
    public static bool TryDay(string? text, out DateOnly? day)
    {
        day = null;
        if (text is null) return true;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
        day = parsed;
        return true;
    }
}
