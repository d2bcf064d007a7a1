using Flywheel.Hosting.Access;
using System.CommandLine;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Promotions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Promotions.Features.ListPromotions;

/// <summary>The store's promotions, all or one status; one by id.</summary>
internal sealed class ListPromotionsHandler(PromotionCatalog catalog)
{
    /// <summary>Status text as both surfaces take it: empty for all, else draft, active or archived (any case).</summary>
    public static Result<PromotionStatus?> ParseStatus(string? status, string path)
    {
        if (string.IsNullOrEmpty(status)) return (PromotionStatus?)null;
        return status.ToLowerInvariant() switch
        {
            "draft" => PromotionStatus.Draft,
            "active" => PromotionStatus.Active,
            "archived" => PromotionStatus.Archived,
            _ => Error.Invalid(path, "status is draft, active or archived"),
        };
    }

    public Task<IReadOnlyList<Promotion>> ListAsync(PromotionStatus? status, CancellationToken ct) => catalog.ListAsync(status, ct);

    public async Task<Result<Promotion>> GetAsync(string id, CancellationToken ct) =>
        await catalog.GetAsync(id, ct) is { } promotion ? promotion : Error.NotFound("id", $"no promotion '{id}'");
}

/// <summary><c>GET /v1/promotions[?status=S]</c> and <c>GET /v1/promotions/{id}</c>.</summary>
internal static class ListPromotionsEndpoint
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/promotions", ListAsync).Requires(Permission.ReportsRead).WithName("Promotions").WithSummary("Every promotion, optionally only one status (draft, active, archived)");
        group.MapGet("/promotions/{id}", GetAsync).Requires(Permission.ReportsRead).WithName("Promotion");
    }

    internal static async Task<Results<JsonHttpResult<IReadOnlyList<Promotion>>, ProblemHttpResult>> ListAsync(ListPromotionsHandler handler, string? status,
        CancellationToken ct)
    {
        var filter = ListPromotionsHandler.ParseStatus(status, "status");
        if (!filter.TryGetValue(out var parsed, out var error)) return error.ToProblem();
        return PromotionsHttp.Json(await handler.ListAsync(parsed, ct));
    }

    internal static async Task<Results<JsonHttpResult<Promotion>, ProblemHttpResult>> GetAsync(ListPromotionsHandler handler, string id, CancellationToken ct)
    {
        var found = await handler.GetAsync(id, ct);
        return found.TryGetValue(out var promotion, out var error) ? PromotionsHttp.Json(promotion) : error.ToProblem();
    }
}

/// <summary><c>flywheel promo list [--status S] [--format text|json]</c>.</summary>
internal static class ListPromotionsCommand
{
    public static Command Create(CliContext cli)
    {
        var status = new Option<string?>("--status") { Description = "draft, active or archived (default: all)" };
        var format = PromoFormat.Option();
        var command = new Command("list", "List the promotions") { status, format };
        command.SetAction(async (parse, ct) =>
        {
            var filter = ListPromotionsHandler.ParseStatus(parse.GetValue(status), "--status");
            if (!filter.TryGetValue(out var parsed, out var error)) return await cli.BadAsync("--status", "draft, active or archived");
            return await cli.RunAsync(parse, async services =>
            {
                var list = await services.GetRequiredService<ListPromotionsHandler>().ListAsync(parsed, ct);
                if (parse.GetValue(format) == "json")
                {
                    await cli.Console.Out.WriteLineAsync(PromotionJson.Write(list, indented: true));
                    return ExitCodes.Ok;
                }
                foreach (var p in list)
                    await cli.Console.Out.WriteLineAsync($"{p.Id}  {p.Status.ToString().ToLowerInvariant()}  {p.Stage.ToString().ToLowerInvariant()}  {Labels.Of(p.Mechanic).Zh}  {p.Name}");
                if (list.Count == 0) await cli.Console.Error.WriteLineAsync("no promotions");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
