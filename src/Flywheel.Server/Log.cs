using Microsoft.Extensions.Logging;

namespace Flywheel.Server;

/// <summary>Every log line the server writes, with stable event ids (1xxx: lifecycle, 2xxx: ingest, 3xxx: segments, 9xxx: failures).</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Flywheel server listening on {Urls} (store: {Store})")]
    public static partial void Listening(ILogger logger, string urls, string store);

    [LoggerMessage(1002, LogLevel.Information, "Flywheel server stopping; waiting up to {Timeout} for in-flight requests")]
    public static partial void Stopping(ILogger logger, TimeSpan timeout);

    [LoggerMessage(2001, LogLevel.Information, "Event batch: {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected")]
    public static partial void EventsIngested(ILogger logger, long accepted, long duplicates, int rejected);

    [LoggerMessage(2002, LogLevel.Information, "Event batch of {Count} rejected: {Rejected} invalid items, nothing written")]
    public static partial void EventBatchRejected(ILogger logger, int count, int rejected);

    [LoggerMessage(2003, LogLevel.Information, "Order {OrderId}: {Outcome}")]
    public static partial void OrderWritten(ILogger logger, string orderId, string outcome);

    [LoggerMessage(2004, LogLevel.Information, "Customer {CustomerId}: {Outcome}")]
    public static partial void CustomerWritten(ILogger logger, string customerId, string outcome);

    [LoggerMessage(2005, LogLevel.Information, "Anonymous id linked to customer {CustomerId}; {Stitched} events stitched")]
    public static partial void Identified(ILogger logger, string customerId, int stitched);

    [LoggerMessage(2007, LogLevel.Warning, "Event batch rolled back by the database ({SqlState}) on attempt {Attempt}; writing it again")]
    public static partial void BatchRetried(ILogger logger, int attempt, string? sqlState);

    [LoggerMessage(3001, LogLevel.Information, "Segments refreshed: {Entered} entered, {Exited} exited ({Milliseconds:F0} ms)")]
    public static partial void SegmentsRefreshed(ILogger logger, int entered, int exited, double milliseconds);

    [LoggerMessage(9002, LogLevel.Error, "Segment refresh failed; the next one retries")]
    public static partial void SegmentRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(9001, LogLevel.Warning, "Health check could not reach the store")]
    public static partial void HealthFailed(ILogger logger, Exception exception);
}
