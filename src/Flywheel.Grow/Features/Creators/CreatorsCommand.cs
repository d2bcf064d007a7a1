using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain;
using Flywheel.Hosting.Cli;
using Flywheel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Grow.Features.Creators;

/// <summary>
/// <c>flywheel creators add|import FILE.csv|list|report|payouts</c>: the same handler as <c>/v1/creators</c>; bad input prints the
/// field (or the CSV row and column) and exits 2 with nothing stored.
/// </summary>
internal static class CreatorsCommand
{
    public static Command Create(CliContext cli) => new("creators", "Creators (KOL/KOC/素人): add, import a CSV, list, the ROI report, the monthly payout")
    {
        Add(cli), Import(cli), List(cli), Report(cli), PayoutsCommand(cli),
    };

    private static Command Add(CliContext cli)
    {
        var id = new Option<string?>("--id") { Description = "creator_id: the kol_id their touches carry" };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var platform = new Option<string?>("--platform") { Description = "Main platform: " + Platforms.Expected };
        var followers = new Option<string?>("--followers") { Description = "Follower count on the main platform" };
        var tier = new Option<string?>("--tier") { Description = "head, mid, tail, koc or amateur (default: suggested from followers)" };
        var category = new Option<string?>("--category") { Description = "Content category (美妆, 母婴, ...)" };
        var command = new Command("add", "Add or update one creator") { id, name, platform, followers, tier, category };
        command.SetAction(async (parse, ct) =>
        {
            long? count = null;
            if (parse.GetValue(followers) is { } text)
            {
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return await cli.BadAsync("--followers", $"'{text}' is not a whole number");
                count = n;
            }
            var input = new CreatorInput(parse.GetValue(id), parse.GetValue(name), parse.GetValue(platform), count,
                parse.GetValue(tier) ?? (count is { } c and >= 0 ? CreatorTier.Suggest(c) : null), parse.GetValue(category));
            return await cli.RunAsync(parse, async services =>
            {
                var saved = await services.GetRequiredService<CreatorsHandler>().AddCreatorAsync(input, ct);
                if (!saved.TryGetValue(out var result, out var error)) return await cli.FailFieldAsync(error, new Dictionary<string, string> { ["creator_id"] = "id" });
                await cli.Console.Out.WriteLineAsync($"{(result.Added ? "added" : "updated")} {result.Creator.CreatorId}  {result.Creator.Name}  {result.Creator.Platform}  {CreatorTier.Chinese[result.Creator.Tier]}");
                return ExitCodes.Ok;
            }, ct, create: true);
        });
        return command;
    }

    private static Command Import(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "CSV with the columns creator_id,name,platform,followers,tier,category" };
        var command = new Command("import", "Import creators from a CSV file, all or nothing") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await cli.BadAsync("file", $"no file '{path}'");
            var text = await File.ReadAllTextAsync(path, ct);
            return await cli.RunAsync(parse, async services =>
            {
                var saved = await services.GetRequiredService<CreatorsHandler>().ImportCreatorsAsync(text, ct);
                if (!saved.TryGetValue(out var result, out var error)) return await cli.BadAsync(path, error.ToString());
                await cli.Console.Out.WriteLineAsync($"{result.Added} creators added, {result.Updated} updated");
                return ExitCodes.Ok;
            }, ct, create: true);
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var command = new Command("list", "List the creators");
        command.SetAction(async (parse, ct) => await cli.RunAsync(parse, async services =>
        {
            var list = await services.GetRequiredService<CreatorsHandler>().ListCreatorsAsync(ct);
            foreach (var c in list)
                await cli.Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{c.CreatorId}  {c.Name}  {c.Platform}  {c.Followers:N0}  {CreatorTier.Chinese[c.Tier]}  {c.Category}"));
            if (list.Count == 0) await cli.Console.Error.WriteLineAsync("no creators");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Report(CliContext cli)
    {
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd (default: the first day with data)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd (default: the last day with data)" };
        var model = new Option<string?>("--model") { Description = "last_click (default), first_click, linear, time_decay, position_based, markov" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("report", "Creator ROI: reach, clicks, CTR, orders, GMV, new buyers, ROI, CPA, commission by creator and by tier") { from, to, model, format };
        command.SetAction(async (parse, ct) =>
        {
            var m = CreatorsHandler.ParseModel(parse.GetValue(model), "--model");
            if (m.Error is { } badModel) return await cli.BadAsync("--model", badModel.Message);
            if ((LocalCalendar.ParseDay(parse.GetValue(from), "--from").Error ?? LocalCalendar.ParseDay(parse.GetValue(to), "--to").Error) is { } badDay)
                return await cli.BadAsync(badDay.Path!, badDay.Message);
            return await cli.RunAsync(parse, async services =>
            {
                var index = await IndexLoading.BuildAsync(services.GetRequiredService<FlywheelStore>(), cli.Console, ct);
                var report = await services.GetRequiredService<CreatorsHandler>().ReportAsync(index, parse.GetValue(from), parse.GetValue(to), parse.GetValue(model), ct);
                if (!report.TryGetValue(out var r, out var error)) return await cli.FailFieldAsync(error);
                if (parse.GetValue(format) == "json")
                {
                    await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(r, CreatorsJson.Indented));
                    return ExitCodes.Ok;
                }
                var o = cli.Console.Out;
                await o.WriteLineAsync($"creators {r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd} ({r.TimeZone}), model {r.Model}");
                await o.WriteLineAsync("tier      creators      reach   clicks    CTR    orders        GMV  new   cost        ROI   CPA      commission");
                foreach (var t in r.Tiers) await o.WriteLineAsync(Line($"{t.TierZh} {t.Tier}", t.Creators.ToString(CultureInfo.InvariantCulture), t.Metrics));
                await o.WriteLineAsync(Line("total", r.Creators.Count.ToString(CultureInfo.InvariantCulture), r.Total));
                await o.WriteLineAsync();
                await o.WriteLineAsync("creator                   collabs     reach   clicks    CTR    orders        GMV  new   cost        ROI   CPA      commission");
                foreach (var c in r.Creators) await o.WriteLineAsync(Line($"{c.CreatorId} {c.Name}", c.Collaborations.ToString(CultureInfo.InvariantCulture), c.Metrics));
                await o.WriteLineAsync();
                await o.WriteLineAsync("rule: " + r.Rule);
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static string Line(string name, string count, Domain.Creators.CreatorMetrics m) => string.Create(CultureInfo.InvariantCulture,
        $"{name,-24} {count,5} {m.Reach,10:N0} {m.Clicks,8:N0} {(m.Ctr is { } ctr ? ctr.ToString("P2", CultureInfo.InvariantCulture) : "-"),7} {m.Orders,8:0.##} {Yuan(m.Gmv),12} {m.NewBuyers,5:0.#} {Yuan(m.Cost),10} {(m.Roi is { } roi ? roi.ToString("0.00", CultureInfo.InvariantCulture) : "-"),6} {(m.Cpa is { } cpa ? Yuan(cpa) : "-"),8} {Yuan(m.Commission),12}");

    private static string Yuan(long fen) => (fen / 100m).ToString("N2", CultureInfo.InvariantCulture);

    private static Command PayoutsCommand(CliContext cli)
    {
        var month = new Option<string?>("--month") { Description = "yyyy-MM (default: the month of the last day with data)" };
        var model = new Option<string?>("--model") { Description = "last_click (default), first_click, linear, time_decay, position_based, markov" };
        var csv = new Option<bool>("--csv") { Description = "Write the lines as CSV (fen), for finance" };
        var command = new Command("payouts", "The month's payout per collaboration: fee due, commission, commission reversed on refunds, total") { month, model, csv };
        command.SetAction(async (parse, ct) =>
        {
            if (CreatorsHandler.ParseModel(parse.GetValue(model), "--model").Error is { } badModel) return await cli.BadAsync("--model", badModel.Message);
            if (parse.GetValue(month) is { } text && !DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                return await cli.BadAsync("--month", $"'{text}' is not a month: give it as yyyy-MM, e.g. 2026-11");
            return await cli.RunAsync(parse, async services =>
            {
                var index = await IndexLoading.BuildAsync(services.GetRequiredService<FlywheelStore>(), cli.Console, ct);
                var payouts = await services.GetRequiredService<CreatorsHandler>().PayoutsAsync(index, parse.GetValue(month), parse.GetValue(model), ct);
                if (!payouts.TryGetValue(out var p, out var error)) return await cli.FailFieldAsync(error);
                if (parse.GetValue(csv))
                {
                    await cli.Console.Out.WriteAsync(PayoutCsv.Write(p));
                    return ExitCodes.Ok;
                }
                var o = cli.Console.Out;
                await o.WriteLineAsync($"payouts {p.Month} ({p.TimeZone}), model {p.Model}");
                await o.WriteLineAsync("collab                    creator                   rate      fee due   attributed GMV   commission   reversed        total");
                foreach (var l in p.Lines)
                    await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{l.CollabId,-25} {l.CreatorName,-24} {l.CommissionBp / 100m,5:0.##}% {Yuan(l.FeeDue),12} {Yuan(l.AttributedGmv),16} {Yuan(l.Commission),12} {Yuan(l.CommissionReversed),10} {Yuan(l.Total),12}"));
                await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{"total",-25} {"",-24} {"",6} {Yuan(p.FeeDue),12} {"",16} {Yuan(p.Commission),12} {Yuan(p.CommissionReversed),10} {Yuan(p.Total),12}"));
                await o.WriteLineAsync("rule: " + p.Rule);
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
