using System.CommandLine;
using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Promotions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Promotions.Features.Coupons;

/// <summary>
/// <c>flywheel coupons batch add</c>, <c>coupons generate BATCH N [--out FILE]</c>, <c>coupons show BATCH</c>,
/// <c>coupons claim BATCH --customer C --key K</c>, <c>coupons redeem CODE --order O --customer C --discount YUAN --key K</c>,
/// <c>coupons release CODE --order O [--reason R] --key K</c>. Money on the command line is in yuan (e.g. 50 or 49.90),
/// converted exactly to fen; output is the API's JSON (fen). A refusal (bad input, unknown, over a limit) exits 2 and
/// changes nothing.
/// </summary>
internal static class CouponsCommand
{
    public static Command Create(CliContext cli)
    {
        var batch = new Command("batch", "Coupon batches");
        batch.Subcommands.Add(AddBatch(cli));
        var command = new Command("coupons", "Coupons: batches, bulk codes, claim, redeem (exactly once), release on refund or cancellation")
        {
            batch, Generate(cli), Show(cli), Claim(cli), Redeem(cli), Release(cli),
        };
        return command;
    }

    private static Command AddBatch(CliContext cli)
    {
        var id = new Option<string?>("--id") { Description = "Batch id: a-z, 0-9, _ and - (default: generated)" };
        var name = new Option<string?>("--name") { Description = "What people call it, e.g. \"双11 满300减50\"" };
        var kind = new Option<string?>("--kind") { Description = "store, platform, category or no_threshold (无门槛)" };
        var amountOff = new Option<string?>("--amount-off") { Description = "Yuan off, e.g. 50" };
        var percentOff = new Option<int?>("--percent-off") { Description = "Percent off, 1 to 99" };
        var threshold = new Option<string?>("--threshold") { Description = "Minimum eligible spend in yuan (满), e.g. 300" };
        var store = new Option<string?>("--store") { Description = "The store a store coupon applies in" };
        var category = new Option<string?>("--category") { Description = "The category a category coupon applies to" };
        var maxDiscount = new Option<string?>("--max-discount") { Description = "Cap on a percentage coupon's discount, yuan" };
        var funding = new Option<string?>("--funding") { Description = "merchant (default) or platform" };
        var quantity = new Option<long?>("--quantity") { Description = "Total quantity: how many coupons may exist at most" };
        var budget = new Option<string?>("--budget") { Description = "Budget cap in yuan for all discounts (default: none)" };
        var claimLimit = new Option<int?>("--claim-limit") { Description = "Coupons one customer may claim (default: no limit)" };
        var useLimit = new Option<int?>("--use-limit") { Description = "Coupons one customer may redeem (default: no limit)" };
        var validFrom = new Option<string?>("--valid-from") { Description = "Valid from, ISO 8601 with offset" };
        var validTo = new Option<string?>("--valid-to") { Description = "Valid until (exclusive), ISO 8601 with offset" };
        var validDays = new Option<int?>("--valid-days") { Description = "Instead of --valid-to: valid for N days after claiming" };
        var command = new Command("add", "Create a coupon batch")
        {
            id, name, kind, amountOff, percentOff, threshold, store, category, maxDiscount, funding, quantity, budget, claimLimit, useLimit,
            validFrom, validTo, validDays,
        };
        command.SetAction(async (parse, ct) =>
        {
            var fen = new Dictionary<string, long?>();
            foreach (var (option, path) in new[] { (amountOff, "amount_off"), (threshold, "threshold"), (maxDiscount, "max_discount"), (budget, "budget") })
            {
                var text = parse.GetValue(option);
                if (text is null) { fen[path] = null; continue; }
                if (!MoneyText.TryParseMajor(text, out var minor))
                    return await cli.FailAsync(Error.Invalid(path, $"'{text}' is not an amount in yuan such as 50 or 49.90"));
                fen[path] = minor;
            }
            var input = new CouponBatchInput(parse.GetValue(id), parse.GetValue(name), parse.GetValue(kind), fen["amount_off"], parse.GetValue(percentOff),
                fen["threshold"], parse.GetValue(store), parse.GetValue(category), fen["max_discount"], parse.GetValue(funding), parse.GetValue(quantity),
                fen["budget"], parse.GetValue(claimLimit), parse.GetValue(useLimit), parse.GetValue(validFrom), parse.GetValue(validTo), parse.GetValue(validDays));
            // Validated before the store is opened: bad input needs no store and writes nothing.
            if (!CouponBatches.Validate(input).TryGetValue(out _, out var invalid)) return await cli.FailAsync(invalid);
            return await WithHandlerAsync(cli, parse, async handler =>
            {
                var created = await handler.CreateBatchAsync(input, generate: null, maxGenerate: 0, "generate", ct);
                return await PrintAsync(cli, created.TryGetValue(out var batch, out var refused) ? batch.Batch : Result<CouponBatchStatus>.From(refused));
            }, ct);
        });
        return command;
    }

    private static Command Generate(CliContext cli)
    {
        var batch = new Argument<string>("batch") { Description = "The batch id" };
        var count = new Argument<int>("count") { Description = $"How many codes, 1 to {CouponLedger.MaxGenerate}" };
        var output = new Option<string?>("--out") { Description = "Write the codes to this file, one a line (default: standard output)" };
        var command = new Command("generate", "Generate unclaimed (bearer) codes in a batch") { batch, count, output };
        command.SetAction(async (parse, ct) => await WithHandlerAsync(cli, parse, async handler =>
        {
            var generated = await handler.GenerateAsync(parse.GetValue(batch)!, parse.GetValue(count), ct);
            if (!generated.TryGetValue(out var codes, out var refused)) return await cli.FailAsync(refused);
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllLinesAsync(path, codes, ct);
                await cli.Console.Error.WriteLineAsync($"{codes.Count} codes written to {path}");
            }
            else
            {
                foreach (var code in codes) await cli.Console.Out.WriteLineAsync(code);
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Show(CliContext cli)
    {
        var batch = new Argument<string>("batch") { Description = "The batch id" };
        var command = new Command("show", "A batch with its counters: issued, redeemed, budget spent and left") { batch };
        command.SetAction(async (parse, ct) =>
        {
            var id = parse.GetValue(batch)!;
            if (CouponBatches.CheckId(id, "batch") is { } bad) return await cli.FailAsync(bad);
            return await WithHandlerAsync(cli, parse, async handler => await PrintAsync(cli, await handler.GetBatchAsync(id, "batch", ct)), ct);
        });
        return command;
    }

    private static Command Claim(CliContext cli)
    {
        var batch = new Argument<string>("batch") { Description = "The batch id" };
        var customer = new Option<string?>("--customer") { Description = "The customer id" };
        var key = new Option<string?>("--key") { Description = "Idempotency key: a repeat with the same key gets the first answer" };
        var command = new Command("claim", "Claim a coupon of a batch for a customer") { batch, customer, key };
        command.SetAction(async (parse, ct) => await WithHandlerAsync(cli, parse, async handler =>
            await PrintAsync(cli, await handler.ClaimAsync(
                new ClaimRequest(parse.GetValue(batch), parse.GetValue(customer), parse.GetValue(key)), ct)), ct));
        return command;
    }

    private static Command Redeem(CliContext cli)
    {
        var code = new Argument<string>("code") { Description = "The coupon code" };
        var order = new Option<string?>("--order") { Description = "The order id" };
        var customer = new Option<string?>("--customer") { Description = "The customer id" };
        var discount = new Option<string?>("--discount") { Description = "What the order takes off with this coupon, yuan" };
        var key = new Option<string?>("--key") { Description = "Idempotency key: a repeat with the same key gets the first answer" };
        var command = new Command("redeem", "Redeem a coupon on an order (exactly once)") { code, order, customer, discount, key };
        command.SetAction(async (parse, ct) =>
        {
            long? fen = null;
            if (parse.GetValue(discount) is { } text)
            {
                var negative = text.StartsWith('-');
                if (!MoneyText.TryParseMajor(negative ? text[1..] : text, out var minor))
                    return await cli.FailAsync(Error.Invalid("discount", $"'{text}' is not an amount in yuan such as 50 or 49.90"));
                fen = negative ? -minor : minor;
            }
            return await WithHandlerAsync(cli, parse, async handler => await PrintAsync(cli, await handler.RedeemAsync(
                new RedeemRequest(parse.GetValue(code), parse.GetValue(order), parse.GetValue(customer), fen, parse.GetValue(key)), ct)), ct);
        });
        return command;
    }

    private static Command Release(CliContext cli)
    {
        var code = new Argument<string>("code") { Description = "The coupon code" };
        var order = new Option<string?>("--order") { Description = "The order the coupon was redeemed on" };
        var reason = new Option<string?>("--reason") { Description = "Why, e.g. refund or cancelled" };
        var key = new Option<string?>("--key") { Description = "Idempotency key: a repeat with the same key gets the first answer" };
        var command = new Command("release", "Give a redeemed coupon back (refund or cancellation): its use and budget return once") { code, order, reason, key };
        command.SetAction(async (parse, ct) => await WithHandlerAsync(cli, parse, async handler =>
            await PrintAsync(cli, await handler.ReleaseAsync(
                new ReleaseRequest(parse.GetValue(code), parse.GetValue(order), parse.GetValue(reason), parse.GetValue(key)), ct)), ct));
        return command;
    }

    private static Task<int> WithHandlerAsync(CliContext cli, ParseResult parse, Func<CouponsHandler, Task<int>> work, CancellationToken ct) =>
        cli.RunAsync(parse, services => work(services.GetRequiredService<CouponsHandler>()), ct, create: true);

    private static async Task<int> PrintAsync<T>(CliContext cli, Result<T> result)
    {
        if (!result.TryGetValue(out var value, out var error)) return await cli.FailAsync(error);
        await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(value, CouponLedger.Json));
        return ExitCodes.Ok;
    }
}
