using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Pricing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Flywheel.Promotions.Features.QuoteRefund;

/// <summary>A refund quote request: the paid order's lines and the units to refund.</summary>
internal sealed record RefundQuoteRequest(IReadOnlyList<PaidLine>? Order, IReadOnlyList<RefundItem>? Items);

/// <summary>The money to return for units of a paid order's lines, exact across partial refunds (largest remainder).</summary>
internal sealed class QuoteRefundHandler
{
    public Result<RefundQuote> Handle(RefundQuoteRequest request)
    {
        var quote = Refunds.Quote(request.Order ?? [], request.Items ?? []);
        // A line the request names but its own order lacks is bad input, not a missing record of the store.
        return quote.TryGetValue(out var result, out var error) ? result : error with { Kind = ErrorKind.Validation };
    }
}

/// <summary><c>POST /v1/refunds/quote</c>.</summary>
internal static class QuoteRefundEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/refunds/quote", QuoteAsync).Requires(Permission.Checkout).WithName("QuoteRefund")
            .WithSummary("The money to return for units of lines of a paid order (largest-remainder exact across partial refunds)")
            .Accepts<RefundQuoteRequest>("application/json").Produces<RefundQuote>(StatusCodes.Status200OK, "application/json");

    internal static async Task<Results<JsonHttpResult<RefundQuote>, ProblemHttpResult>> QuoteAsync(HttpRequest request, QuoteRefundHandler handler,
        IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var read = await PromotionsHttp.ReadAsync<RefundQuoteRequest>(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        var quote = handler.Handle(body);
        return quote.TryGetValue(out var result, out error) ? PromotionsHttp.Json(result) : error.ToProblem();
    }
}
