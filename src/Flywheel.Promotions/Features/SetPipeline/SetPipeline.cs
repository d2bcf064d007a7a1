using Flywheel.Hosting.Access;
using System.CommandLine;
using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Promotions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Promotions.Features.SetPipeline;

/// <summary>The store's stacking order: read it, replace it (refused when a stored promotion would lose its step), reset it.</summary>
internal sealed class SetPipelineHandler(PromotionCatalog catalog)
{
    public Task<PricingPipeline> GetAsync(CancellationToken ct) => catalog.GetPipelineAsync(ct);

    /// <summary><paramref name="json"/> is <c>{"steps": [...]}</c>; errors name the step ("$.steps[2]").</summary>
    public async Task<Result<PricingPipeline>> SetAsync(string json, CancellationToken ct)
    {
        var parsed = PricingPipeline.ParseJson(json);
        if (!parsed.TryGetValue(out var pipeline, out var error)) return error;
        return await SetAsync(pipeline, ct);
    }

    public async Task<Result<PricingPipeline>> SetAsync(PricingPipeline pipeline, CancellationToken ct)
    {
        var saved = await catalog.SetPipelineAsync(pipeline, ct);
        return saved.TryGetValue(out var stored, out var error) ? stored : error with { Path = "steps" };
    }
}

/// <summary><c>GET /v1/promotions/pipeline</c> and <c>PUT /v1/promotions/pipeline</c>.</summary>
internal static class SetPipelineEndpoint
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/promotions/pipeline", GetAsync).Requires(Permission.ReportsRead).WithName("PricingPipeline")
            .WithSummary("The order in which promotions and coupons stack for this store: {\"steps\": [\"item\", ..., \"shipping\"]}");
        group.MapPut("/promotions/pipeline", SetAsync).Requires(Permission.Admin).WithName("SetPricingPipeline")
            .WithSummary("Replace the stacking order: item first, shipping last, the middle four steps in any order or left out; 409 when a stored promotion would lose its step");
    }

    private static ContentHttpResult Json(PricingPipeline pipeline) => TypedResults.Text(pipeline.ToJson(), "application/json");

    internal static async Task<ContentHttpResult> GetAsync(SetPipelineHandler handler, CancellationToken ct) => Json(await handler.GetAsync(ct));

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> SetAsync(HttpRequest request, SetPipelineHandler handler,
        IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var read = await PromotionsHttp.ReadTextAsync(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var json, out var error)) return error.ToProblem();
        var saved = await handler.SetAsync(json, ct);
        return saved.TryGetValue(out var pipeline, out error) ? Json(pipeline) : error.ToProblem();
    }
}

/// <summary><c>flywheel promo pipeline [--set "item,store_coupons,..."|--reset] [--format text|json]</c>.</summary>
internal static class SetPipelineCommand
{
    public static Command Create(CliContext cli)
    {
        var set = new Option<string?>("--set") { Description = "The steps in order, comma-separated: item first, shipping last; leave a step out to turn it off" };
        var reset = new Option<bool>("--reset") { Description = "Back to the default: item,store_promotions,store_coupons,platform_promotions,platform_coupons,shipping" };
        var format = PromoFormat.Option();
        var command = new Command("pipeline", "Show or set the order in which promotions and coupons stack (per store database)") { set, reset, format };
        command.SetAction(async (parse, ct) =>
        {
            PricingPipeline? wanted = null;
            if (parse.GetValue(reset)) wanted = PricingPipeline.Default;
            else if (parse.GetValue(set) is { } text)
            {
                var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var parsed = PricingPipeline.ParseJson("{\"steps\":[" + string.Join(",", names.Select(n => JsonSerializer.Serialize(n))) + "]}");
                if (!parsed.TryGetValue(out var pipeline, out var error))
                    return await cli.BadAsync("--set", (error.Path ?? "").Replace("$.steps", "step ", StringComparison.Ordinal) + ": " + error.Message);
                wanted = pipeline;
            }
            return await cli.RunAsync(parse, async services =>
            {
                var handler = services.GetRequiredService<SetPipelineHandler>();
                var current = await handler.GetAsync(ct);
                if (wanted is not null)
                {
                    var saved = await handler.SetAsync(wanted, ct);
                    if (!saved.TryGetValue(out current, out var error)) return await cli.BadAsync("--set", error.Message);
                }
                await cli.Console.Out.WriteLineAsync(parse.GetValue(format) == "json" ? current.ToJson()
                    : string.Join(" → ", current.Steps.Select(PricingPipeline.Name)) + (current.IsDefault ? "  (默认 / default)" : ""));
                return ExitCodes.Ok;
            }, ct, create: true);
        });
        return command;
    }
}
