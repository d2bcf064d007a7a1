using Flywheel.Hosting.Access;
using System.Globalization;
using System.Text;
using Flywheel.Analytics.Audiences;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Flywheel.Analytics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Analytics.Features.Audiences;

/// <summary>
/// Saved audiences over HTTP (they are created by <c>POST /v1/funnels</c> with <c>save_audience</c>): list, one audience,
/// its members a page at a time (JSON) or all at once (<c>?format=csv</c>), delete. Shapes: <see cref="AudienceJson"/>.
/// </summary>
internal static class AudiencesEndpoints
{
    /// <summary>A JSON page holds this many members unless <c>limit</c> says otherwise.</summary>
    public const int DefaultPage = 1_000;

    public static void MapAudiencesEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audiences").WithTags("Audiences");
        group.MapGet("", ListAsync).Requires(Permission.CustomersRead)
            .WithName("Audiences")
            .WithSummary("Every saved audience by name: kind, member count, anonymous visitors left out, created and refreshed times")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/{name}", GetAsync).Requires(Permission.CustomersRead)
            .WithName("Audience")
            .WithSummary("One audience with the definition that produced it")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/{name}/members", MembersAsync).Requires(Permission.CustomersRead).QueryTimeLimit()
            .WithName("AudienceMembers")
            .WithSummary("Members by customer id (code-point order): JSON pages with ?limit= (default 1000, at most 10000) and ?after=, or ?format=csv for all of them")
            .Produces<string>(StatusCodes.Status200OK, "application/json", "text/csv");
        group.MapDelete("/{name}", DeleteAsync).Requires(Permission.MarketingWrite)
            .WithName("DeleteAudience")
            .WithSummary("Delete an audience and its members")
            .Produces(StatusCodes.Status204NoContent);
    }

    internal static async Task<ContentHttpResult> ListAsync(FlywheelStore store, CancellationToken ct) =>
        TypedResults.Text(AudienceJson.WriteList(await AudienceStore.ListAsync(store, ct)), "application/json");

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(FlywheelStore store, string name, CancellationToken ct)
    {
        if (!Name(name, out var audienceName, out var problem)) return problem!;
        var audience = await AudienceStore.GetAsync(store, audienceName, ct);
        if (audience is null) return NotFound(name);
        return TypedResults.Text(AudienceJson.WriteAudience(audience), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, PushStreamHttpResult, ProblemHttpResult>> MembersAsync(
        FlywheelStore store, string name, string? limit, string? after, string? format, CancellationToken ct)
    {
        if (!Name(name, out var audienceName, out var problem)) return problem!;
        int? pageSize = null;
        if (limit is not null)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > AudienceStore.MaxPage)
                return Problems.Invalid(Error.Invalid("$.limit", $"'{limit}' is not a page size from 1 to {AudienceStore.MaxPage}"));
            pageSize = parsed;
        }
        var csv = format switch
        {
            null or "json" => false,
            "csv" => true,
            _ => (bool?)null,
        };
        if (csv is null) return Problems.Invalid(Error.Invalid("$.format", $"'{format}' is not json or csv"));
        if (after is { Length: 0 }) after = null;
        if (await AudienceStore.GetAsync(store, audienceName, ct) is null) return NotFound(name);

        if (csv == true)
        {
            // All members (or one page when limit is given), streamed: an audience can hold every customer.
            return TypedResults.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
                await writer.WriteAsync("customer_id\n");
                var members = pageSize is { } size
                    ? (await AudienceStore.MembersAsync(store, audienceName, after, size, ct)).Members.ToAsyncEnumerable()
                    : AudienceStore.AllMembersAsync(store, audienceName, after, ct);
                await foreach (var member in members.WithCancellation(ct)) await WriteCsvAsync(writer, member);
            }, "text/csv; charset=utf-8", $"{audienceName}.csv");
        }

        var page = await AudienceStore.MembersAsync(store, audienceName, after, pageSize ?? DefaultPage, ct);
        return TypedResults.Text(AudienceJson.WriteMembers(audienceName.Value, page.Members, page.NextAfter), "application/json");
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(FlywheelStore store, string name, CancellationToken ct)
    {
        if (!Name(name, out var audienceName, out var problem)) return problem!;
        return await AudienceStore.DeleteAsync(store, audienceName, ct) ? TypedResults.NoContent() : NotFound(name);
    }

    private static bool Name(string text, out AudienceName name, out ProblemHttpResult? problem)
    {
        var parsed = AudienceName.Parse(text);
        problem = parsed.IsSuccess ? null : Problems.Invalid(parsed.Error! with { Path = "$.name" });
        name = parsed.IsSuccess ? parsed.Value : default;
        return parsed.IsSuccess;
    }

    private static ProblemHttpResult NotFound(string name) =>
        Problems.Missing(Error.NotFound("$.name", $"there is no audience named '{name}'; GET /v1/audiences lists them"));

    private static Task WriteCsvAsync(StreamWriter writer, string value) =>
        writer.WriteAsync((value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"") + "\n");
}
