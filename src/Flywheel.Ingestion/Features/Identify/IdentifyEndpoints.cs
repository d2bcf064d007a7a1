using Flywheel.Hosting.Access;
using Flywheel.Ingestion.Parsing;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flywheel.Ingestion.Features.Identify;

/// <summary>The shape of POST /v1/identify; time (ISO 8601) defaults to now.</summary>
internal sealed record IdentifyRequest(string AnonymousId, string CustomerId, string? Time);

/// <summary>stitched_events: earlier anonymous events now attributed to the customer.</summary>
internal sealed record IdentifyResponse(string AnonymousId, string CustomerId, int StitchedEvents);

internal static class IdentifyEndpoints
{
    public static void MapIdentifyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Identity")
            .MapPost("/identify", IdentifyAsync).Requires(Permission.IngestWrite)
            .WithName("Identify")
            .WithSummary("Link an anonymous id to a customer and stitch its earlier events")
            .WithDescription("The first identification wins: an anonymous id already linked to another customer gives 409 (a shared device must not merge two people).")
            .Accepts<IdentifyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    internal static async Task<Results<Ok<IdentifyResponse>, ProblemHttpResult>> IdentifyAsync(
        HttpRequest request, FlywheelStore store, TimeProvider time, IngestionOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;

        var fields = new JsonRecordFields(body.Root, "$");
        if (fields.TypeError() is { } typeError) return Problems.Invalid(typeError.ToString(), [Problems.FromError(null, typeError)]);
        var context = new ParseContext(options.TimeZone, time.GetUtcNow());
        var anonymous = Fields.Required(fields, "anonymous_id");
        if (!anonymous.IsSuccess) return Problems.Invalid(anonymous.Error!);
        var customer = Fields.Required(fields, "customer_id");
        if (!customer.IsSuccess) return Problems.Invalid(customer.Error!);
        var at = Fields.Time(fields, "time", context);
        if (!at.IsSuccess) return Problems.Invalid(at.Error!);

        await using var session = await IngestSession.BeginAsync(store, "http:identify", "POST /v1/identify", ct);
        var linked = session.Identify(anonymous.Value, customer.Value, at.Value ?? context.Now.ToUnixTimeMilliseconds(), null);
        if (!linked.TryGetValue(out var stitched, out var error))
            return Problems.ConflictWith(error with { Path = "$.anonymous_id" });
        await session.CommitAsync(1, 0, ct);
        Log.Identified(loggers.CreateLogger("Flywheel.Server.Identity"), customer.Value, stitched);
        return TypedResults.Ok(new IdentifyResponse(anonymous.Value, customer.Value, stitched));
    }
}
