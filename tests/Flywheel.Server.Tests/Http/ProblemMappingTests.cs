using System.Net;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Tests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Flywheel.Server.Tests.Http;

/// <summary>One mapper turns every expected failure into a ProblemDetails: the kind decides the status and type, never the code text.</summary>
public sealed class ProblemMappingTests
{
    public static TheoryData<ErrorKind, int, string> Kinds => new()
    {
        { ErrorKind.Validation, 400, Problems.InvalidInput },
        { ErrorKind.Malformed, 400, Problems.MalformedJson },
        { ErrorKind.NotFound, 404, Problems.NotFound },
        { ErrorKind.Conflict, 409, Problems.Conflict },
        { ErrorKind.Forbidden, 403, Problems.Forbidden },
        { ErrorKind.Unprocessable, 422, Problems.Unprocessable },
        { ErrorKind.TooLarge, 413, Problems.PayloadTooLarge },
        { ErrorKind.UnsupportedFormat, 415, Problems.UnsupportedMediaType },
        { ErrorKind.Unavailable, 503, Problems.StoreUnavailable },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ToProblem_EachKind_HasItsStatusTypeAndOneLocatedError(ErrorKind kind, int status, string type)
    {
        var problem = Error.Of(kind, "some_code", "what to fix", "lines[2].sku").ToProblem(index: 7).ProblemDetails;

        Assert.Equal(status, problem.Status);
        Assert.Equal(type, problem.Type);
        var item = Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<ItemError>>(problem.Extensions["errors"]));
        Assert.Equal(new ItemError(7, "$.lines[2].sku", "what to fix"), item);
    }

    [Fact]
    public void ToProblem_CodeWithATypeOfItsOwn_KeepsTheKindsStatus()
    {
        var problem = Error.Of(ErrorKind.Unprocessable, "idempotency_mismatch", "key reused", "idempotency_key").ToProblem().ProblemDetails;
        Assert.Equal(422, problem.Status);
        Assert.Equal("https://flywheel.dev/problems/idempotency-key-reused", problem.Type);
    }

    [Fact]
    public void ToProblem_SameCodeDifferentKind_FollowsTheKind()
    {
        // A code string never decides the status: an error coded "not_found" but made as a validation error is a 400.
        var problem = (Error.NotFound("lines[0].line_id", "no such line in the order") with { Kind = ErrorKind.Validation }).ToProblem().ProblemDetails;
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Get_QueryValueThatDoesNotBind_IsInvalidInputNamingTheParameter(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.Client.GetAsync("/v1/clv/customers/c1?horizon=soon");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        var problem = await Json.ReadAsync(response);
        Assert.Equal(Problems.InvalidInput, problem.GetProperty("type").GetString());
        Assert.Contains("horizon", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("horizon", problem.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
