using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Ingestion.Contracts;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Simulation;
using Flywheel.Promotions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Promotions.Features.SimulateDraft;

/// <summary>
/// Replays the store's orders of [from, to] (China days) against a draft promotion set under the store's pipeline: cost by
/// funding party, discount rate, thresholds crossed and nearly crossed, conflicts. The draft may be invalid or conflicting: the
/// report lists what is wrong instead of refusing the run.
/// </summary>
internal sealed class SimulateDraftHandler(PromotionCatalog catalog, IOrderHistory history)
{
    public async Task<Result<SimulationReport>> HandleAsync(IReadOnlyList<Promotion> drafts, DateOnly from, DateOnly to, CancellationToken ct) =>
        await Simulator.RunAsync(history, drafts, from, to, ct, await catalog.GetPipelineAsync(ct));
}

/// <summary>
/// <c>POST /v1/promotions/simulate?from=D&amp;to=D</c> with a list of draft promotions: the simulation report of the CLI's
/// <c>promo simulate --format json</c> (money in fen), its conflicts and invalid definitions as errors with JSON paths.
/// </summary>
internal static class SimulateDraftEndpoint
{
    /// <summary>The report as the API answers it: <see cref="SimulationReport"/> with its conflicts as located errors.</summary>
    internal sealed record SimulationView(DateOnly From, DateOnly To, int Orders, long ListAmount, long Discount, long ShippingWaived, long PlatformFunded,
        long MerchantFunded, int DiscountRateBasisPoints, int OrdersCrossingThresholds, int OrdersNearThresholds, IReadOnlyList<PromotionOutcome> Promotions,
        IReadOnlyList<ItemError> Conflicts);

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/promotions/simulate", SimulateAsync).Requires(Permission.MarketingWrite).QueryTimeLimit().WithName("SimulatePromotions")
            .WithSummary("Replay the orders of ?from=&to= (China days) against a draft promotion list before publishing: cost by funding party, discount rate, thresholds crossed and nearly crossed, conflicts; nothing is saved")
            .Accepts<Promotion[]>("application/json");

    internal static async Task<Results<JsonHttpResult<SimulationView>, ProblemHttpResult>> SimulateAsync(HttpRequest request, SimulateDraftHandler handler,
        IOptions<PromotionsOptions> options, string? from, string? to, CancellationToken ct)
    {
        if (!CliContext.TryDay(from, out var fromDay) || fromDay is null) return Error.Invalid("from", "from is a day yyyy-MM-dd (China time)").ToProblem();
        if (!CliContext.TryDay(to, out var toDay) || toDay is null) return Error.Invalid("to", "to is a day yyyy-MM-dd (China time), on or after from").ToProblem();
        var read = await PromotionsHttp.ReadAsync<List<Promotion>>(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var drafts, out var error)) return error.ToProblem();
        var report = await handler.HandleAsync(drafts, fromDay.Value, toDay.Value, ct);
        if (!report.TryGetValue(out var r, out error)) return error.ToProblem();
        return PromotionsHttp.Json(new SimulationView(r.From, r.To, r.Orders, r.ListAmount, r.Discount, r.ShippingWaived, r.PlatformFunded, r.MerchantFunded,
            r.DiscountRateBasisPoints, r.OrdersCrossingThresholds, r.OrdersNearThresholds, r.Promotions, [.. r.Conflicts.Select(c => Problems.FromError(null, c))]));
    }
}

/// <summary><c>flywheel promo simulate --from D --to D DRAFT.json [--format text|json]</c>.</summary>
internal static class SimulateDraftCommand
{
    public static Command Create(CliContext cli)
    {
        var file = new Argument<string>("draft") { Description = "A JSON file with the draft promotions (a list)" };
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd, China time)" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive (yyyy-MM-dd, China time)" };
        var format = PromoFormat.Option();
        var command = new Command("simulate", "Replay the store's orders against a draft promotion set: cost by funding party, discount rate, thresholds crossed, conflicts")
        {
            file, from, to, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!CliContext.TryDay(parse.GetValue(from), out var fromDay) || fromDay is null) return await cli.BadAsync("--from", "a day yyyy-MM-dd");
            if (!CliContext.TryDay(parse.GetValue(to), out var toDay) || toDay is null) return await cli.BadAsync("--to", "a day yyyy-MM-dd");
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await cli.BadAsync("draft", $"no file '{path}'");
            var parsed = PromotionJson.Parse<List<Promotion>>(await File.ReadAllTextAsync(path, ct));
            if (!parsed.TryGetValue(out var drafts, out var error)) return await cli.BadAsync(path, error.ToString());
            return await cli.RunAsync(parse, async services =>
            {
                var report = await services.GetRequiredService<SimulateDraftHandler>().HandleAsync(drafts, fromDay.Value, toDay.Value, ct);
                if (!report.TryGetValue(out var result, out var refused)) return await cli.BadAsync(refused.Path ?? "simulate", refused.Message);
                await cli.Console.Out.WriteAsync(parse.GetValue(format) == "json" ? PromotionJson.Write(result, indented: true) + "\n" : Describe(result));
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static string Y(long fen) => PromoFormat.Yuan(fen);

    internal static string Describe(SimulationReport r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"simulation {r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd}: {r.Orders} orders, list value {Y(r.ListAmount)}\n");
        sb.Append(inv, $"discount cost {Y(r.Discount + r.ShippingWaived)} (goods {Y(r.Discount)}, shipping waived {Y(r.ShippingWaived)})\n");
        sb.Append(inv, $"  funded by platform {Y(r.PlatformFunded)}, merchant {Y(r.MerchantFunded)}\n");
        sb.Append(inv, $"average discount rate {r.DiscountRateBasisPoints / 100}.{r.DiscountRateBasisPoints % 100:00}%\n");
        sb.Append(inv, $"orders crossing a threshold: {r.OrdersCrossingThresholds}; orders within 20% of one: {r.OrdersNearThresholds}\n");
        sb.Append("promotion                      orders     discount      platform      merchant  near misses\n");
        foreach (var p in r.Promotions)
            sb.Append(inv, $"{p.Id,-28} {p.Orders,8} {Y(p.Discount),12} {Y(p.PlatformFunded),13} {Y(p.MerchantFunded),13} {p.NearMisses,12}\n");
        if (r.Conflicts.Count == 0) sb.Append("conflicts: none\n");
        foreach (var c in r.Conflicts) sb.Append(inv, $"conflict: {c}\n");
        return sb.ToString();
    }
}
