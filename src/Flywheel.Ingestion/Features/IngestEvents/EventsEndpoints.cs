using Flywheel.Hosting.Access;
using System.Data.Common;
using System.Text.Json;
using Flywheel.Ingestion.Parsing;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flywheel.Ingestion.Features.IngestEvents;

/// <summary>The shape of POST /v1/events, for the OpenAPI document (the handler reads the JSON directly).</summary>
internal sealed record EventBatchRequest(IReadOnlyList<EventItem> Events);

/// <summary>One event; the field names are the CSV contract's. value is yuan (at most two decimals), properties a JSON object.</summary>
internal sealed record EventItem(string EventId, string Type, string Time, string? CustomerId, string? AnonymousId, string? Channel,
    string? Source, string? Medium, string? Campaign, string? Content, string? Term, string? KolId, string? Sku, string? Value,
    JsonElement? Properties);

/// <summary>accepted: newly stored; duplicates: event ids already stored or repeated in the batch (ignored); rejected: invalid items.</summary>
internal sealed record EventBatchResponse(long Accepted, long Duplicates, int Rejected, IReadOnlyList<ItemError> Errors);

internal static class EventsEndpoints
{
    public static void MapEventsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Events")
            .MapPost("/events", IngestAsync).Requires(Permission.IngestWrite)
            .WithName("IngestEvents")
            .WithSummary("Ingest a batch of behaviour events")
            .WithDescription("All or nothing by default: one invalid item rejects the batch (400) and nothing is written. " +
                             "?partial=true stores the valid items and reports the rejected ones. Duplicate event ids are ignored and counted.")
            .Accepts<EventBatchRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    internal static async Task<Results<Ok<EventBatchResponse>, ProblemHttpResult>> IngestAsync(
        HttpRequest request, FlywheelStore store, TimeProvider time, IngestionOptions options, ILoggerFactory loggers,
        CancellationToken ct, bool partial = false)
    {
        var logger = loggers.CreateLogger("Flywheel.Server.Events");
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;

        if (body.Root.ValueKind != JsonValueKind.Object || !body.Root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            return Problems.Invalid("the body must be a JSON object with an \"events\" array: {\"events\": [{\"event_id\": ..., \"type\": ..., \"time\": ...}]}",
                [new ItemError(null, "$.events", "expected an array of event objects")]);
        var count = events.GetArrayLength();
        if (count > options.MaxEventsPerBatch) return Problems.TooManyItems("events", count, options.MaxEventsPerBatch);

        var context = new ParseContext(options.TimeZone, time.GetUtcNow());
        var rows = new EventRow?[count];
        var errors = new List<ItemError>();
        var index = 0;
        foreach (var item in events.EnumerateArray())
        {
            var path = JsonRecordFields.Index("$.events", index);
            var fields = new JsonRecordFields(item, path);
            if (fields.TypeError() is { } typeError)
                errors.Add(Problems.FromError(index, typeError));
            else if (!EventParser.Parse(fields, context).TryGetValue(out var row, out var error))
                errors.Add(new ItemError(index, error.Path ?? path, error.Message));
            else
                rows[index] = row;
            index++;
        }
        if (errors.Count > 0 && !partial)
        {
            Log.EventBatchRejected(logger, count, errors.Count);
            return Problems.Invalid(Problems.Describe(errors, count, "events"), errors);
        }

        long accepted = 0, duplicates = 0;
        if (errors.Count < count)
        {
            // Written in customer order: concurrent batches on PostgreSQL then take the customers' unique-key locks in
            // the same order and cannot deadlock on them. The stored result does not depend on the order (stitching
            // runs at commit).
            var order = Enumerable.Range(0, count).Where(i => rows[i] is not null)
                .OrderBy(i => rows[i]!.CustomerId ?? "", StringComparer.Ordinal).ThenBy(i => i).ToArray();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var written = await WriteAsync(store, rows, order, partial, ct);
                    if (written.Conflict is { } conflict)
                        return Problems.Create(StatusCodes.Status409Conflict, Problems.Conflict, "The request conflicts with stored data",
                            $"event {conflict.Index} conflicts with stored identities and nothing was written: {conflict.Message}", [conflict]);
                    accepted = written.Accepted;
                    duplicates = written.Duplicates;
                    errors.AddRange(written.Rejected);
                    errors.Sort(static (a, b) => a.Index!.Value.CompareTo(b.Index!.Value));
                    break;
                }
                catch (DbException e) when (e.SqlState is "40P01" or "40001" && attempt < 3)
                {
                    // A deadlock or serialization failure rolled the whole batch back; writing it again is safe.
                    Log.BatchRetried(logger, attempt, e.SqlState);
                }
            }
        }
        Log.EventsIngested(logger, accepted, duplicates, errors.Count);
        return TypedResults.Ok(new EventBatchResponse(accepted, duplicates, errors.Count, errors));
    }

    private sealed record WriteResult(long Accepted, long Duplicates, List<ItemError> Rejected, ItemError? Conflict);

    private static async Task<WriteResult> WriteAsync(FlywheelStore store, EventRow?[] rows, int[] order, bool partial, CancellationToken ct)
    {
        long accepted = 0, duplicates = 0;
        var rejected = new List<ItemError>();
        await using var session = await IngestSession.BeginAsync(store, "http:events", "POST /v1/events", ct);
        foreach (var i in order)
        {
            var row = rows[i]!;
            if (row.Type == "identify")
            {
                // The link comes first: an event whose identification conflicts is rejected as a whole.
                var linked = session.Identify(row.AnonymousId!, row.CustomerId!, row.Time, row.EventId);
                if (!linked.IsSuccess)
                {
                    var conflict = new ItemError(i, JsonRecordFields.Index("$.events", i) + ".anonymous_id", linked.Error!.Message);
                    // Returning without committing rolls the session back: nothing of the batch is written.
                    if (!partial) return new WriteResult(0, 0, rejected, conflict);
                    rejected.Add(conflict);
                    continue;
                }
            }
            if (session.WriteEvent(row) == WriteOutcome.Inserted) accepted++;
            else duplicates++;
        }
        await session.CommitAsync(rows.Length, rows.Length - order.Length + rejected.Count, ct);
        return new WriteResult(accepted, duplicates, rejected, null);
    }
}
