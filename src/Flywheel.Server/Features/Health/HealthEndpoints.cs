using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flywheel.Server.Features.Health;

/// <summary>
/// status: ok; store: sqlite or postgres. Nothing about the build: /health answers anonymous callers, and a version or commit
/// tells an attacker which known flaws to try (the CLI's <c>flywheel --version</c> says it to whoever runs it).
/// </summary>
public sealed record HealthResponse(string Status, string Store);

internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", CheckAsync).Requires(Permission.Public)
            .WithTags("Health")
            .WithName("Health")
            .WithSummary("Whether the server is up and its store reachable")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    internal static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> CheckAsync(
        FlywheelStore store, ILoggerFactory loggers, CancellationToken ct)
    {
        var engine = store.Dialect.Engine == SqlEngine.Sqlite ? "sqlite" : "postgres";
        try
        {
            await using var connection = await store.OpenConnectionAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HealthFailed(loggers.CreateLogger("Flywheel.Server.Health"), e);
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.StoreUnavailable, "The store is unreachable",
                $"the {engine} store cannot be reached ({store.Location.Description}); check that it is running");
        }
        return TypedResults.Ok(new HealthResponse("ok", engine));
    }
}
