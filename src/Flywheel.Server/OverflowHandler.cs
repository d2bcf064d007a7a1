using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Flywheel.Server;

/// <summary>
/// A sum of money beyond a 64-bit amount. Every amount is bounded at ingest (the README's CSV contract: a line and an order at most
/// 10^12 fen), so a store reaches this only with millions of orders at the bound; the sums are checked instead of wrapping, and the
/// caller gets this 422 naming the cause instead of a wrong total or a bare 500. Nothing was written.
/// </summary>
internal sealed class OverflowHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOverflow(exception) || httpContext.Response.HasStarted) return false;
        const string detail = "a total of the store's amounts exceeds what a 64-bit amount holds (about 9.2×10^18 fen), so it cannot be reported " +
                              "exactly; narrow the range or scope. Amounts are bounded at ingest (README, the CSV contract)";
        httpContext.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = Problems.Unprocessable,
            Title = "A total is too large to compute",
            Detail = detail,
            Extensions = { ["errors"] = new[] { new ItemError(null, "$", detail) } },
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>An overflow, also as the engines' parallel loops report it (an AggregateException of overflows).</summary>
    internal static bool IsOverflow(Exception exception) =>
        exception is OverflowException
        || (exception is AggregateException aggregate && aggregate.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(e => e is OverflowException));
}
