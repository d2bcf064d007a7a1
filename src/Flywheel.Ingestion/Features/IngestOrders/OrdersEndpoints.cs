using Flywheel.Hosting.Access;
using System.Text.Json;
using Flywheel.Ingestion.Parsing;
using Flywheel.Ingestion.Storage;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flywheel.Ingestion.Features.IngestOrders;

/// <summary>The shape of POST /v1/orders (field names of the CSV orders contract; money in yuan, times ISO 8601).</summary>
internal sealed record OrderRequest(string OrderId, string? CustomerId, string PlacedAt, string? PaidAt, string? ShippedAt, string? CompletedAt,
    string? RefundedAt, string? Status, string? Channel, string? Store, string? ShippingFee, string? CouponCodes, string? Currency,
    IReadOnlyList<OrderLineRequest> Lines);

internal sealed record OrderLineRequest(string Sku, int Quantity, string UnitPrice, string? UnitListPrice, string? LineDiscount,
    int? RefundedQuantity, string? RefundAmount);

/// <summary>outcome: inserted, updated or unchanged.</summary>
internal sealed record OrderResponse(string OrderId, string Outcome);

internal static class OrdersEndpoints
{
    public static void MapOrdersEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Orders")
            .MapPost("/orders", WriteAsync).Requires(Permission.IngestWrite)
            .WithName("WriteOrder")
            .WithSummary("Create or replace one order with its lines")
            .WithDescription("An unknown SKU is refused (400) unless ?create_missing=true; an unknown customer is created bare; an order " +
                             "without customer_id is a guest order (counted in GMV and orders, in no customer model). " +
                             "201 when the order is new, 200 when it was updated or is unchanged.")
            .Accepts<OrderRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    internal static async Task<Results<Created<OrderResponse>, Ok<OrderResponse>, ProblemHttpResult>> WriteAsync(
        HttpRequest request, FlywheelStore store, TimeProvider time, IngestionOptions options, ILoggerFactory loggers,
        CancellationToken ct, [FromQuery(Name = "create_missing")] bool createMissing = false)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;

        var fields = new JsonRecordFields(body.Root, "$");
        if (fields.TypeError() is { } typeError)
            return Problems.Invalid(typeError.ToString(), [Problems.FromError(null, typeError)]);
        if (!body.Root.TryGetProperty("lines", out var lines) || lines.ValueKind != JsonValueKind.Array || lines.GetArrayLength() == 0)
            return Problems.Invalid("an order needs a \"lines\" array with at least one line: [{\"sku\": ..., \"quantity\": 1, \"unit_price\": \"99.00\"}]",
                [new ItemError(null, "$.lines", "expected a non-empty array of order lines")]);
        if (lines.GetArrayLength() > options.MaxOrderLines)
            return Problems.TooManyItems("order lines", lines.GetArrayLength(), options.MaxOrderLines);

        // Money in the store's currency: an order in another is refused (one store, one currency).
        var context = new ParseContext(options.TimeZone, time.GetUtcNow(), (await ImportCurrency.ReadAsync(store, ct)).Currency);
        var errors = new List<ItemError>();
        var header = OrderParser.ParseHeader(fields, context);
        if (!header.IsSuccess) errors.Add(new ItemError(null, header.Error!.Path ?? "$", header.Error.Message));
        var parsedLines = new List<OrderLineRow>();
        var index = 0;
        foreach (var item in lines.EnumerateArray())
        {
            var path = JsonRecordFields.Index("$.lines", index);
            var lineFields = new JsonRecordFields(item, path);
            if (lineFields.TypeError() is { } lineTypeError)
                errors.Add(Problems.FromError(index, lineTypeError));
            else if (!OrderParser.ParseLine(lineFields).TryGetValue(out var line, out var error))
                errors.Add(new ItemError(index, error.Path ?? path, error.Message));
            else
                parsedLines.Add(line);
            index++;
        }
        if (errors.Count > 0)
            return Problems.Invalid(errors.Count == 1 ? $"{errors[0].Path}: {errors[0].Message}" : $"{errors.Count} fields of the order are invalid; see errors", errors);

        var order = header.Value;
        order.Lines.AddRange(parsedLines);
        await using var session = await IngestSession.BeginAsync(store, "http:orders", "POST /v1/orders", ct);
        var written = session.WriteOrder(order, createMissing);
        if (!written.TryGetValue(out var outcome, out var writeError))
        {
            // Disposing the session unwritten rolls back: nothing of the order is stored.
            var path = Problems.JsonPath(writeError.Path);
            var message = writeError.Message.Replace("pass --create-missing", "pass ?create_missing=true", StringComparison.Ordinal);
            // An unknown SKU is a bad order (400, its own type), and so is an order over the money bounds (400); anything else the
            // store refuses conflicts with stored data.
            var refused = writeError.Kind == ErrorKind.NotFound
                ? writeError with { Code = "unknown_sku", Kind = ErrorKind.Validation, Path = path, Message = message }
                : writeError.Kind == ErrorKind.Validation
                    ? writeError with { Path = path, Message = message }
                    : writeError with { Kind = ErrorKind.Conflict, Path = path, Message = message };
            return refused.ToProblem(LineIndex(writeError.Path));
        }
        await session.CommitAsync(1, 0, ct);
        var name = outcome.ToString().ToLowerInvariant();
        Log.OrderWritten(loggers.CreateLogger("Flywheel.Server.Orders"), order.OrderId, name);
        var response = new OrderResponse(order.OrderId, name);
        return outcome == WriteOutcome.Inserted
            ? TypedResults.Created($"/v1/orders/{Uri.EscapeDataString(order.OrderId)}", response)
            : TypedResults.Ok(response);
    }

    private static int? LineIndex(string? path)
    {
        // "lines[3].sku" -> 3
        if (path is null || !path.StartsWith("lines[", StringComparison.Ordinal)) return null;
        var end = path.IndexOf(']', StringComparison.Ordinal);
        return end > 6 && int.TryParse(path.AsSpan(6, end - 6), System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : null;
    }
}
