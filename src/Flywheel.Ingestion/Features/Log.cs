using Microsoft.Extensions.Logging;

namespace Flywheel.Ingestion.Features;

/// <summary>Every log line Ingestion's endpoints write, with stable event ids (2xxx: ingest).</summary>
internal static partial class Log
{
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
}
