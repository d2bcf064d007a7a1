using System.Text.Json;
using Flywheel.Ingestion.Parsing;
using Flywheel.Server.Http;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flywheel.Server.Features.IngestEvents;

/// <summary>The shape of POST /v1/events, for the OpenAPI document (the handler reads the JSON directly).</summary>
public sealed record EventBatchRequest(IReadOnlyList<EventItem> Events);

/// <summary>One event; the field names are the CSV contract's. value is yuan (at most two decimals), properties a JSON object.</summary>
public sealed record EventItem(string EventId, string Type, string Time, string? CustomerId, string? AnonymousId, string? Channel,
    string? Source, string? Medium, string? Campaign, string? Content, string? Term, string? KolId, string? Sku, string? Value,
    JsonElement? Properties);

/// <summary>accepted: newly stored; duplicates: event ids already stored or repeated in the batch (ignored); rejected: invalid items.</summary>
public sealed record EventBatchResponse(long Accepted, long Duplicates, int Rejected, IReadOnlyList<ItemError> Errors);

internal static class EventsEndpoints
{
    public static void MapEventsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Events")
            .MapPost("/events", IngestAsync)
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
        HttpRequest request, FlywheelStore store, TimeProvider time, ServerOptions options, ILoggerFactory loggers,
        CancellationToken ct, bool partial = false)
    {
        var logger = loggers.CreateLogger("Flywheel.Server.Events");
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return Problems.FromBodyError(bodyError);
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
                errors.Add(Problems.FromPathMessage(index, path, typeError));
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
            await using var session = await IngestSession.BeginAsync(store, "http:events", "POST /v1/events", ct);
            for (var i = 0; i < rows.Length; i++)
            {
                if (rows[i] is not { } row) continue;
                if (row.Type == "identify")
                {
                    // The link comes first: an event whose identification conflicts is rejected as a whole.
                    var linked = session.Identify(row.AnonymousId!, row.CustomerId!, row.Time, row.EventId);
                    if (!linked.IsSuccess)
                    {
                        var conflict = new ItemError(i, JsonRecordFields.Index("$.events", i) + ".anonymous_id", linked.Error!.Message);
                        if (!partial)
                            return Problems.Create(StatusCodes.Status409Conflict, Problems.Conflict, "The request conflicts with stored data",
                                $"event {i} conflicts with stored identities and nothing was written: {conflict.Message}", [conflict]);
                        errors.Add(conflict);
                        continue;
                    }
                }
                switch (session.WriteEvent(row))
                {
                    case WriteOutcome.Inserted: accepted++; break;
                    default: duplicates++; break;
                }
            }
            errors.Sort(static (a, b) => a.Index!.Value.CompareTo(b.Index!.Value));
            await session.CommitAsync(count, errors.Count, ct);
            Log.EventsIngested(logger, session.IngestId, accepted, duplicates, errors.Count);
        }
        return TypedResults.Ok(new EventBatchResponse(accepted, duplicates, errors.Count, errors));
    }
}
