using Microsoft.Extensions.Logging;

namespace Flywheel.Server;

/// <summary>Every log line the server writes, with stable event ids (1xxx: lifecycle, 9xxx: failures; modules log their own: Ingestion 2xxx, Customers 3xxx).</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Flywheel server listening on {Urls} (store: {Store})")]
    public static partial void Listening(ILogger logger, string urls, string store);

    [LoggerMessage(1002, LogLevel.Information, "Flywheel server stopping; waiting up to {Timeout} for in-flight requests")]
    public static partial void Stopping(ILogger logger, TimeSpan timeout);

    [LoggerMessage(9001, LogLevel.Warning, "Health check could not reach the store")]
    public static partial void HealthFailed(ILogger logger, Exception exception);
}
