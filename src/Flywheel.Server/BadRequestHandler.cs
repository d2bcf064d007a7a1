using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Flywheel.Server;

/// <summary>
/// A request the framework could not bind (a query value that is not a number, a route value out of range) is bad input, not a
/// server failure: it gets an invalid-input problem whose detail and <c>errors</c> name the parameter, like every problem a handler
/// returns. Minimal APIs throw <see cref="BadHttpRequestException"/> for these because <c>ThrowOnBadRequest</c> is on; without it they
/// answered a bare <c>{"title":"Bad Request"}</c>. Handled here, they are not logged as unhandled exceptions.
/// </summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted) return false;
        var status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest;
        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Type = status == StatusCodes.Status413PayloadTooLarge ? Problems.PayloadTooLarge : Problems.InvalidInput,
            Title = "The request has invalid input",
            Detail = bad.Message,
            Extensions = { ["errors"] = new[] { new ItemError(null, "$", bad.Message) } },
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
