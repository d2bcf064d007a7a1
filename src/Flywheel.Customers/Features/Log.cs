using Microsoft.Extensions.Logging;

namespace Flywheel.Customers.Features;

/// <summary>Every log line the Customers module's background work writes, with stable event ids (3xxx: segments, 9xxx: failures).</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Segments refreshed: {Entered} entered, {Exited} exited ({Milliseconds:F0} ms)")]
    public static partial void SegmentsRefreshed(ILogger logger, int entered, int exited, double milliseconds);

    [LoggerMessage(9002, LogLevel.Error, "Segment refresh failed; the next one retries")]
    public static partial void SegmentRefreshFailed(ILogger logger, Exception exception);
}
