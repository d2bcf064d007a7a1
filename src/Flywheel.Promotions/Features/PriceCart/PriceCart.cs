using Flywheel.Hosting.Access;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Hosting.Cli;
using Flywheel.Experiments.Contracts;
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
using Microsoft.Extensions.Options;

namespace Flywheel.Promotions.Features.PriceCart;

/// <summary>
/// Prices a cart against the store's active promotions: from the in-memory index, no database call after the first. A cart
/// with a customer_id, when an active promotion that could apply to it names an experiment, first asks the Experiments module
/// (<see cref="IExperimentAssignments"/>, source "promotion:&lt;id&gt;", which records the exposure) for the customer's variant;
/// the promotions whose holdout they are in are passed to the pricer, which leaves them out and lists them as held_out. A
/// cart without a customer_id gets every promotion as usual (an unknown shopper cannot be held out), and so does every cart
/// in a host without the Experiments module.
/// </summary>
internal sealed class PriceCartHandler(PromotionCatalog catalog, TimeProvider time, IExperimentAssignments? experiments = null)
{
    /// <summary>A cart without a time is priced now; lines without an id get their 1-based position.</summary>
    public async Task<Result<PricedCart>> HandleAsync(Cart cart, CancellationToken ct)
    {
        if (cart.At == default) cart = cart with { At = time.GetUtcNow() };
        var normalised = PromotionJson.Normalise(cart);
        if (!normalised.TryGetValue(out cart, out var error)) return error;
        var pricer = await catalog.GetPricerAsync(ct);
        HashSet<string>? heldOut = null;
        if (experiments is not null && !string.IsNullOrEmpty(cart.CustomerId) && pricer.Index.HasExperiments)
            foreach (var (promotionId, experiment) in pricer.ExperimentCandidates(cart))
            {
                var assigned = await experiments.AssignAsync(experiment, cart.CustomerId, "promotion:" + promotionId, ct);
                // An experiment gone or not running: the promotion applies as usual.
                if (assigned.TryGetValue(out var a, out _) && a.Holdout) (heldOut ??= new HashSet<string>(StringComparer.Ordinal)).Add(promotionId);
            }
        return pricer.Price(cart, heldOut);
    }
}

/// <summary><c>POST /v1/carts/price</c>.</summary>
internal static class PriceCartEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/carts/price", PriceAsync).Requires(Permission.Checkout).WithName("PriceCart")
            .WithSummary("Price a cart: lines, customer id and tier, time, shipping fees and held coupons; returns per-line steps, totals, funding, unused coupons, next-threshold messages and the promotions held out (an experiment's control group)")
            .Accepts<Cart>("application/json").Produces<PricedCart>(StatusCodes.Status200OK, "application/json");

    internal static async Task<Results<JsonHttpResult<PricedCart>, ProblemHttpResult>> PriceAsync(HttpRequest request, PriceCartHandler handler,
        IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var read = await PromotionsHttp.ReadAsync<Cart>(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var cart, out var error)) return error.ToProblem();
        var priced = await handler.HandleAsync(cart, ct);
        return priced.TryGetValue(out var result, out error) ? PromotionsHttp.Json(result) : error.ToProblem();
    }
}

/// <summary><c>flywheel promo price CART.json [--format text|json]</c>: the priced cart as a receipt, every step explained.</summary>
internal static class PriceCartCommand
{
    public static Command Create(CliContext cli)
    {
        var file = new Argument<string>("cart") { Description = "A cart JSON file: lines, customer_id, customer_tier, at, shipping_fees, held_coupons" };
        var format = PromoFormat.Option();
        var command = new Command("price", "Price a cart against the active promotions and explain every line") { file, format };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await cli.BadAsync("cart", $"no file '{path}'");
            var parsed = PromotionJson.Parse<Cart>(await File.ReadAllTextAsync(path, ct));
            if (!parsed.TryGetValue(out var cart, out var error)) return await cli.BadAsync(path, error.ToString());
            return await cli.RunAsync(parse, async services =>
            {
                var priced = await services.GetRequiredService<PriceCartHandler>().HandleAsync(cart, ct);
                if (!priced.TryGetValue(out var result, out var refused)) return await cli.BadAsync(path, refused.ToString());
                await cli.Console.Out.WriteAsync(parse.GetValue(format) == "json" ? PromotionsHttp.Serialize(result, indented: true) + "\n" : Explain(result));
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static string Y(long fen) => PromoFormat.Yuan(fen);

    /// <summary>The priced cart as a shopper's receipt: every line with its steps in order, then totals, funding, coupons and hints.</summary>
    internal static string Explain(PricedCart cart)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        foreach (var line in cart.Lines)
        {
            sb.Append(inv, $"{line.LineId}  {line.Sku} ×{line.Quantity} @ {Y(line.UnitListPrice)}  [{line.Store}]  list {Y(line.ListAmount)}\n");
            foreach (var s in line.Steps)
                sb.Append(inv, $"    {s.Stage.ToString().ToLowerInvariant(),-8} {s.Name} ({s.Id})  -{Y(s.Amount)}  platform {Y(s.PlatformFunded)} / merchant {Y(s.MerchantFunded)}\n");
            sb.Append(inv, $"    paid {Y(line.Paid)}{(line.DepositPaid > 0 ? $"  (deposit {Y(line.DepositPaid)}, balance {Y(line.BalanceDue)})" : "")}\n");
        }
        sb.Append(inv, $"goods {Y(cart.ListAmount)}  discount -{Y(cart.Discount)}  shipping {Y(cart.ShippingFee)}{(cart.ShippingDiscount > 0 ? $" (-{Y(cart.ShippingDiscount)} waived)" : "")}  total {Y(cart.Total)}\n");
        if (cart.DepositPaid > 0) sb.Append(inv, $"deposit paid {Y(cart.DepositPaid)}  balance due {Y(cart.BalanceDue)}\n");
        sb.Append(inv, $"funded by platform {Y(cart.PlatformFunded)}, merchant {Y(cart.MerchantFunded)}\n");
        foreach (var od in cart.OrderDiscounts.Where(o => o.ByStore.Count > 1))
            sb.Append(inv, $"{od.Name} ({od.Id}) on {Y(od.EligibleAmount)}: -{Y(od.Amount)} allocated {string.Join(", ", od.ByStore.Select(kv => $"{kv.Key} {Y(kv.Value)}"))}\n");
        foreach (var g in cart.Gifts) sb.Append(inv, $"gift: {g.Sku} ×{g.Quantity} ({g.PromotionId})\n");
        if (cart.UsedCoupons.Count > 0) sb.Append(inv, $"coupons used: {string.Join(", ", cart.UsedCoupons)}  ({cart.CombinationsEvaluated} combination(s) evaluated)\n");
        foreach (var u in cart.UnusedCoupons) sb.Append(inv, $"coupon {u.Code} not used ({u.Reason}): {u.Message}\n");
        foreach (var n in cart.NextThresholds) sb.Append(inv, $"{n.MessageZh}  /  {n.MessageEn}{(n.Store is null ? "" : $"  [{n.Store}]")}\n");
        foreach (var h in cart.HeldOut ?? []) sb.Append(inv, $"{h.MessageZh}  /  {h.MessageEn}  ({h.PromotionId})\n");
        return sb.ToString();
    }
}
