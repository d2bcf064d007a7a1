using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Primitives;
using Flywheel.Promotions.Catalog;
using Flywheel.Promotions.Model;
using Flywheel.Promotions.Pricing;
using Flywheel.Promotions.Simulation;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel promo list [--status S]</c>, <c>promo add FILE.json</c> (one promotion or a list; validated and checked for
/// conflicts before anything is written), <c>promo price CART.json [--format text|json]</c> (the priced cart with its explanation,
/// against the store's active promotions) and <c>promo simulate --from D --to D DRAFT.json</c> (replays the store's orders against a
/// draft set). Files use the snake_case JSON of the HTTP API; money is fen.
/// </summary>
internal static class PromoCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("promo", "Promotions: list, add, price a cart, simulate a draft set on history");
        command.Subcommands.Add(List(console, time));
        command.Subcommands.Add(Add(console, time));
        command.Subcommands.Add(Price(console, time));
        command.Subcommands.Add(Simulate(console, time));
        command.Subcommands.Add(Pipeline(console, time));
        return command;
    }

    /// <summary><c>promo pipeline [--set "item,store_coupons,store_promotions,..."|--reset]</c>: shows or changes the stacking order.</summary>
    private static Command Pipeline(CliConsole console, TimeProvider time)
    {
        var set = new Option<string?>("--set") { Description = "The steps in order, comma-separated: item first, shipping last; leave a step out to turn it off" };
        var reset = new Option<bool>("--reset") { Description = "Back to the default: item,store_promotions,store_coupons,platform_promotions,platform_coupons,shipping" };
        var command = new Command("pipeline", "Show or set the order in which promotions and coupons stack (per store database)") { set, reset, Format };
        command.SetAction(async (parse, ct) =>
        {
            PricingPipeline? wanted = null;
            if (parse.GetValue(reset)) wanted = PricingPipeline.Default;
            else if (parse.GetValue(set) is { } text)
            {
                var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var json = "{\"steps\":[" + string.Join(",", names.Select(n => System.Text.Json.JsonSerializer.Serialize(n))) + "]}";
                var parsed = PricingPipeline.ParseJson(json);
                if (!parsed.TryGetValue(out var pipeline, out var error))
                    return await ReportCommand.BadAsync(console, "--set", (error.Path ?? "").Replace("$.steps", "step ", StringComparison.Ordinal) + ": " + error.Message);
                wanted = pipeline;
            }
            var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exit;
            using (store)
            using (var catalog = new PromotionCatalog(store))
            {
                var current = await catalog.GetPipelineAsync(ct);
                if (wanted is not null)
                {
                    var saved = await catalog.SetPipelineAsync(wanted, ct);
                    if (!saved.TryGetValue(out current, out var error)) return await ReportCommand.BadAsync(console, "--set", error.Message);
                }
                await console.Out.WriteLineAsync(parse.GetValue(Format) == "json" ? current.ToJson()
                    : string.Join(" → ", current.Steps.Select(PricingPipeline.Name)) + (current.IsDefault ? "  (默认 / default)" : ""));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static readonly Option<string> Format = new("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };

    private static Command List(CliConsole console, TimeProvider time)
    {
        var status = new Option<string?>("--status") { Description = "draft, active or archived (default: all)" };
        var command = new Command("list", "List the promotions") { status, Format };
        command.SetAction(async (parse, ct) =>
        {
            PromotionStatus? filter = null;
            if (parse.GetValue(status) is { } s)
            {
                if (!Enum.TryParse<PromotionStatus>(s, ignoreCase: true, out var parsed)) return await ReportCommand.BadAsync(console, "--status", "draft, active or archived");
                filter = parsed;
            }
            var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exit;
            using (store)
            using (var catalog = new PromotionCatalog(store))
            {
                var list = await catalog.ListAsync(filter, ct);
                if (parse.GetValue(Format) == "json")
                {
                    await console.Out.WriteLineAsync(PromotionJson.Write(list, indented: true));
                    return ExitCodes.Ok;
                }
                foreach (var p in list)
                    await console.Out.WriteLineAsync($"{p.Id}  {p.Status.ToString().ToLowerInvariant()}  {p.Stage.ToString().ToLowerInvariant()}  {Labels.Of(p.Mechanic).Zh}  {p.Name}");
                if (list.Count == 0) await console.Error.WriteLineAsync("no promotions");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Add(CliConsole console, TimeProvider time)
    {
        var file = new Argument<string>("file") { Description = "A JSON file with one promotion or a list of them" };
        var command = new Command("add", "Add or replace promotions from a JSON file (validated and checked for conflicts first)") { file };
        command.SetAction(async (parse, ct) =>
        {
            var (promotions, bad) = await ReadPromotionsAsync(console, parse.GetValue(file)!, ct);
            if (promotions is null) return bad;
            var conflicts = PromotionValidator.Conflicts(promotions);
            if (conflicts.Count > 0)
            {
                foreach (var c in conflicts) await console.Error.WriteLineAsync($"error: {parse.GetValue(file)}: {c}");
                return ExitCodes.BadInput;
            }
            var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exit;
            using (store)
            using (var catalog = new PromotionCatalog(store))
            {
                foreach (var p in promotions)
                    if ((await catalog.ConflictsAsync(p, ct)) is { Count: > 0 } stored)
                    {
                        foreach (var c in stored) await console.Error.WriteLineAsync($"error: {p.Id}: {c}");
                        return ExitCodes.BadInput;
                    }
                foreach (var p in promotions)
                {
                    var saved = await catalog.SaveAsync(p, ct);
                    if (!saved.TryGetValue(out var result, out var error))
                        return await ReportCommand.BadAsync(console, p.Id, error.ToString());
                    await console.Out.WriteLineAsync($"{(result.Created ? "added" : "replaced")} {p.Id}  {Labels.Of(p.Mechanic).Zh}");
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Price(CliConsole console, TimeProvider time)
    {
        var file = new Argument<string>("cart") { Description = "A cart JSON file: lines, customer_tier, at, shipping_fees, held_coupons" };
        var command = new Command("price", "Price a cart against the active promotions and explain every line") { file, Format };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await ReportCommand.BadAsync(console, "cart", $"no file '{path}'");
            var parsed = PromotionJson.ParseCart(await File.ReadAllTextAsync(path, ct));
            if (!parsed.TryGetValue(out var cart, out var error)) return await ReportCommand.BadAsync(console, path, error.ToString());
            if (cart.At == default) cart = cart with { At = time.GetUtcNow() };
            var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exit;
            using (store)
            using (var catalog = new PromotionCatalog(store))
            {
                var priced = (await catalog.GetPricerAsync(ct)).Price(cart);
                if (!priced.TryGetValue(out var result, out error)) return await ReportCommand.BadAsync(console, path, error.ToString());
                await console.Out.WriteAsync(parse.GetValue(Format) == "json" ? PromotionJson.Write(result, indented: true) + "\n" : Explain(result));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Simulate(CliConsole console, TimeProvider time)
    {
        var file = new Argument<string>("draft") { Description = "A JSON file with the draft promotions (a list)" };
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd, China time)" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive (yyyy-MM-dd, China time)" };
        var command = new Command("simulate", "Replay the store's orders against a draft promotion set: cost by funding party, discount rate, thresholds crossed, conflicts")
        {
            file, from, to, Format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!ReportCommand.TryDay(parse.GetValue(from), out var fromDay) || fromDay is null) return await ReportCommand.BadAsync(console, "--from", "a day yyyy-MM-dd");
            if (!ReportCommand.TryDay(parse.GetValue(to), out var toDay) || toDay is null) return await ReportCommand.BadAsync(console, "--to", "a day yyyy-MM-dd");
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await ReportCommand.BadAsync(console, "draft", $"no file '{path}'");
            // The draft may hold conflicts or invalid promotions: the report lists them instead of refusing the run.
            var parsed = PromotionJson.Parse<List<Promotion>>(await File.ReadAllTextAsync(path, ct));
            if (!parsed.TryGetValue(out var drafts, out var error)) return await ReportCommand.BadAsync(console, path, error.ToString());
            var (store, exit) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exit;
            using (store)
            {
                PricingPipeline pipeline;
                using (var catalog = new PromotionCatalog(store)) pipeline = await catalog.GetPipelineAsync(ct);
                var report = await Simulator.RunAsync(store, drafts, fromDay.Value, toDay.Value, ct, pipeline);
                if (!report.TryGetValue(out var result, out error)) return await ReportCommand.BadAsync(console, error.Path ?? "simulate", error.Message);
                await console.Out.WriteAsync(parse.GetValue(Format) == "json" ? PromotionJson.Write(result, indented: true) + "\n" : Describe(result));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(IReadOnlyList<Promotion>? Promotions, int Exit)> ReadPromotionsAsync(CliConsole console, string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return (null, await ReportCommand.BadAsync(console, "file", $"no file '{path}'"));
        var text = (await File.ReadAllTextAsync(path, ct)).TrimStart();
        if (text.StartsWith('['))
        {
            var many = PromotionJson.ParsePromotions(text);
            if (!many.TryGetValue(out var list, out var error)) return (null, await ReportCommand.BadAsync(console, path, error.ToString()));
            return (list, ExitCodes.Ok);
        }
        var one = PromotionJson.ParsePromotion(text);
        if (!one.TryGetValue(out var promotion, out var oneError)) return (null, await ReportCommand.BadAsync(console, path, oneError.ToString()));
        return ([promotion], ExitCodes.Ok);
    }

    private static string Y(long fen) => "¥" + MoneyText.Format(fen);

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
        return sb.ToString();
    }

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
