using System.Data.Common;
using Flywheel.Storage;

namespace Flywheel.Cli;

/// <summary>
/// The file an unexpected failure leaves for its report: the command line, the time and the exception with its stack, in
/// <c>flywheel-failure-*.log</c> under the temp folder. Connection strings stay out of it: the value after <c>--db</c> and
/// any argument naming a password are masked, and the connection string of <c>--db</c> or <c>$FLYWHEEL_DB</c> and its
/// password are masked wherever they appear in the text (an exception message may quote them).
/// </summary>
internal static class CrashLog
{
    private const string Mask = "***";

    /// <summary>Writes the file and gives its path; null when it cannot be written either.</summary>
    public static async Task<string?> WriteAsync(Exception error, string[] args, TimeProvider time, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            // The clock's second and the process id name the file; a random part keeps two failures in one second apart.
            var path = Path.Combine(Path.GetTempPath(),
                $"flywheel-failure-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.log");
            await File.WriteAllTextAsync(path, Text(error, args, time, environment ?? Environment.GetEnvironmentVariable));
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The file's content, secrets masked.</summary>
    internal static string Text(Exception error, string[] args, TimeProvider time, Func<string, string?> environment)
    {
        var shown = args.Select((arg, i) => i > 0 && args[i - 1] == "--db" || arg.Contains("password", StringComparison.OrdinalIgnoreCase) ? Mask : arg);
        var text = $"flywheel {string.Join(' ', shown)}\n{time.GetUtcNow():O}\n{error}\n";
        foreach (var secret in Secrets(args, environment).OrderByDescending(s => s.Length))
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>The connection strings given (--db, --db=..., $FLYWHEEL_DB) and their passwords.</summary>
    private static IEnumerable<string> Secrets(string[] args, Func<string, string?> environment)
    {
        var connections = new List<string?> { environment(StoreLocation.EnvironmentVariable) };
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--db" && i + 1 < args.Length) connections.Add(args[i + 1]);
            else if (args[i].StartsWith("--db=", StringComparison.Ordinal) || args[i].StartsWith("--db:", StringComparison.Ordinal)) connections.Add(args[i][5..]);
        }
        foreach (var connection in connections)
        {
            if (string.IsNullOrWhiteSpace(connection)) continue;
            yield return connection;
            if (PasswordOf(connection) is { Length: > 0 } password) yield return password;
        }
    }

    private static string? PasswordOf(string connection)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connection };
            foreach (var key in new[] { "password", "pwd" })
                if (builder.TryGetValue(key, out var value) && value is string password) return password;
            return null;
        }
        catch (ArgumentException)
        {
            return null; // not a connection string: masked as a whole above
        }
    }
}
