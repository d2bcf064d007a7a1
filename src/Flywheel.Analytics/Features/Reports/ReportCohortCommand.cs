using Flywheel.Hosting.Cli;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>
/// <c>flywheel report cohort [--from DATE --to DATE] [--period week|month] [--entry first_purchase|signup|first:TYPE]
/// [--return purchase|any] [--periods 12] [--channel X] [--campaign X] [--store X] [--category X] [--region X] [--format text|json|csv]</c>.
/// The JSON shape is a contract: <c>{"cohorts":[{"cohort":"2026-01","size":N,"periods":[{"offset":0,"active":N,"rate":1.0,
/// "revenue":123.45,"orders":N}]}]}</c>, money in yuan with two decimals; a period after the last data has null
/// active, rate, revenue and orders.
/// </summary>
internal static class ReportCohortCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var from = new Option<string?>("--from") { Description = "First entry day (yyyy-MM-dd, the store's time zone); default: the first day with data" };
        var to = new Option<string?>("--to") { Description = "Last entry day, inclusive; default: the last day with data" };
        var period = new Option<string>("--period") { Description = "Cohort and period length: week (Monday start) or month", DefaultValueFactory = _ => "month" };
        var entry = new Option<string>("--entry")
        {
            Description = "What starts a cohort: first_purchase, signup (first signup event) or first:<event_type>",
            DefaultValueFactory = _ => "first_purchase",
        };
        var returning = new Option<string>("--return") { Description = "What counts as returning: purchase, or any (any event or order)", DefaultValueFactory = _ => "purchase" };
        var periods = new Option<int>("--periods") { Description = $"Periods to follow each cohort, 1..{CohortQuery.MaxPeriods}", DefaultValueFactory = _ => CohortQuery.DefaultPeriods };
        var channel = new Option<string?>("--channel") { Description = "Only visitors whose entry came through this channel" };
        var campaign = new Option<string?>("--campaign") { Description = "Only visitors whose entry was in this campaign (a first order: its last touch's)" };
        var store = new Option<string?>("--store") { Description = "Only visitors whose first order was in this store (entry first_purchase)" };
        var category = new Option<string?>("--category") { Description = "Only visitors whose entry was in this category (a first order's largest line, an event's SKU)" };
        var segment = new Option<string?>("--segment") { Description = "Only these customers: a saved audience, an RFM segment (champions, at_risk …) or group (high_value …)" };
        var region = new Option<string?>("--region") { Description = "Only customers in this province" };
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        var command = new Command("cohort", "Retention cohorts 留存同期群: who came back, and what they spent, in each week or month after entry")
        {
            from, to, period, entry, returning, periods, channel, campaign, store, category, region, segment, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (ReportRange.Problem(parse.GetValue(from), parse.GetValue(to), out var fromDay, out var toDay) is { } range)
                return await CliContext.BadAsync(console, range.Option, range.Message);
            // Checked here rather than with AcceptOnlyFromAmong, whose message does not name the option.
            if (parse.GetValue(period) is not ("week" or "month"))
                return await CliContext.BadAsync(console, "--period", $"'{parse.GetValue(period)}' is not week or month");
            if (parse.GetValue(returning) is not ("purchase" or "any"))
                return await CliContext.BadAsync(console, "--return", $"'{parse.GetValue(returning)}' is not purchase or any");
            if (parse.GetValue(format) is not ("text" or "json" or "csv"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text, json or csv");
            if (CohortEntry.Parse(parse.GetValue(entry)!) is not { } cohortEntry)
                return await CliContext.BadAsync(console, "--entry", "takes first_purchase, signup or first:<event_type>");
            var count = parse.GetValue(periods);
            if (count is < 1 or > CohortQuery.MaxPeriods)
                return await CliContext.BadAsync(console, "--periods", $"{count} is outside 1..{CohortQuery.MaxPeriods}");
            var scope = new Scope(parse.GetValue(channel), parse.GetValue(campaign), parse.GetValue(store), parse.GetValue(category), parse.GetValue(region));
            if (scope.Validate() is { } scopeError) return await CliContext.BadAsync(console, "--" + scopeError.Path, scopeError.Message);
            var (index, exit) = await IndexLoading.LoadAsync(parse, cli, ct);
            if (index is null) return exit;
            var (first, last) = LocalCalendar.DataRange(index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
            var (scoped, segmentExit) = await SegmentOption.ApplyAsync(parse, cli, index, scope, parse.GetValue(segment), toDay ?? last, ct);
            if (scoped is null) return segmentExit;
            scope = scoped;
            var query = new CohortQuery(fromDay ?? first, toDay ?? last,
                parse.GetValue(period) == "week" ? CohortPeriod.Week : CohortPeriod.Month, cohortEntry,
                parse.GetValue(returning) == "any" ? CohortReturn.AnyEvent : CohortReturn.Purchase, count, scope.IsAll ? null : scope);
            var result = CohortEngine.Run(index, query);
            if (!result.TryGetValue(out var rows, out var error))
                return await CliContext.BadAsync(console, "--" + error.Path, error.Message);
            switch (parse.GetValue(format))
            {
                case "json": await console.Out.WriteLineAsync(CohortJson.Write(rows)); break;
                case "csv": await console.Out.WriteAsync(Csv(rows)); break;
                default: await console.Out.WriteAsync(Text(rows, query)); break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }



    /// <summary>One line per cohort and offset (long form, for spreadsheets); empty cells after the last data.</summary>
    private static string Csv(IReadOnlyList<CohortRow> rows)
    {
        var text = new StringBuilder("cohort,size,offset,active,rate,revenue,orders\n");
        foreach (var row in rows)
            for (var k = 0; k < row.Cells.Count; k++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{row.Key},{row.Size},{k},");
                if (row.Cells[k] is { } c)
                    text.Append(CultureInfo.InvariantCulture, $"{c.Active},{c.Rate(row.Size).ToString("R", CultureInfo.InvariantCulture)},{MoneyText.Format(c.Revenue)},{c.Orders}");
                else
                    text.Append(",,,");
                text.Append('\n');
            }
        return text.ToString();
    }

    private static string Text(IReadOnlyList<CohortRow> rows, CohortQuery query)
    {
        var text = new StringBuilder();
        var unit = query.Period == CohortPeriod.Week ? "week 周" : "month 月";
        var returning = query.Return == CohortReturn.Purchase ? "purchase 复购" : "any activity 活跃";
        text.Append(CultureInfo.InvariantCulture,
            $"Retention 留存 by cohort 同期群 ({unit}), entry {query.Entry}, return {returning}, {query.From:yyyy-MM-dd} .. {query.To:yyyy-MM-dd}");
        if (query.Scope is { } scope) text.Append(CultureInfo.InvariantCulture, $", scope 范围: {scope}");
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"{"cohort 同期群",-14}{"size 人数",10}");
        for (var k = 0; k < query.Periods; k++) text.Append(CultureInfo.InvariantCulture, $"{"+" + k,8}");
        text.Append('\n');
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Key,-14}{row.Size,10:N0}");
            foreach (var cell in row.Cells)
                text.Append(CultureInfo.InvariantCulture, $"{(cell is null ? "-" : (cell.Rate(row.Size) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%"),8}");
            text.Append('\n');
        }
        if (rows.Count == 0) text.Append("(no cohorts 无同期群)\n");
        text.Append("- : not yet observed 尚无数据\n");
        return text.ToString();
    }
}
