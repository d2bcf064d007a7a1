using Microsoft.Extensions.DependencyInjection;
using Flywheel.Storage;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Hosting.Cli;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>
/// <c>flywheel report cohort [--from DATE --to DATE] [--period week|month] [--entry first_purchase|signup|first:TYPE]
/// [--return purchase|any] [--periods 12] [--channel X] [--campaign X] [--store X] [--category X] [--region X] [--format text|json|csv]</c>.
/// The JSON shape is a contract: <c>{"cohorts":[{"cohort":"2026-01","size":N,"periods":[{"offset":0,"active":N,"rate":1.0,
/// "revenue":123.45,"orders":N,"partial":false,"days_covered":31,"days_in_period":31}]}]}</c>, money in yuan with two
/// decimals; a period after the last data has null active, rate, revenue and orders; a period the data ends inside is partial.
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
            // Format is checked here rather than with AcceptOnlyFromAmong, whose message does not name the option.
            if (parse.GetValue(format) is not ("text" or "json" or "csv"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text, json or csv");
            var plan = CohortQuestion.Check(new CohortInput(parse.GetValue(from), parse.GetValue(to), parse.GetValue(period), parse.GetValue(entry),
                parse.GetValue(returning), parse.GetValue(periods),
                new ScopeInput(parse.GetValue(channel), parse.GetValue(campaign), parse.GetValue(store), parse.GetValue(category), parse.GetValue(region)),
                parse.GetValue(segment)));
            if (!plan.TryGetValue(out var checkedPlan, out var error)) return await cli.FailFieldAsync(error);
            CohortAnswer? answer = null;
            var exit = await cli.RunAsync(parse, async services =>
            {
                var flywheel = services.GetRequiredService<FlywheelStore>();
                var index = await IndexLoading.BuildAsync(flywheel, console, ct);
                var result = await CohortQuestion.RunAsync(checkedPlan, index, flywheel, services.GetService<ISegmentMembers>(),
                    DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct);
                if (!result.TryGetValue(out answer, out var failed)) return await cli.FailFieldAsync(failed);
                return ExitCodes.Ok;
            }, ct);
            if (answer is null) return exit;
            var (query, rows) = (answer.Query, answer.Rows);
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



    /// <summary>
    /// One line per cohort and offset (long form, for spreadsheets); empty cells after the last data; whether the
    /// period is partial (the data ends inside or before it) and how many of its days the data reaches.
    /// </summary>
    private static string Csv(IReadOnlyList<CohortRow> rows)
    {
        var text = new StringBuilder("cohort,size,offset,active,rate,revenue,orders,partial,days_covered,days_in_period\n");
        foreach (var row in rows)
            for (var k = 0; k < row.Cells.Count; k++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{row.Key},{row.Size},{k},");
                if (row.Cells[k] is { } c)
                    text.Append(CultureInfo.InvariantCulture, $"{c.Active},{c.Rate(row.Size).ToString("R", CultureInfo.InvariantCulture)},{MoneyText.Format(c.Revenue)},{c.Orders}");
                else
                    text.Append(",,,");
                var coverage = row.Coverage[k];
                text.Append(CultureInfo.InvariantCulture, $",{(coverage.Partial ? "true" : "false")},{coverage.DaysCovered},{coverage.DaysInPeriod}\n");
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
        PeriodCoverage? partial = null;
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Key,-14}{row.Size,10:N0}");
            for (var k = 0; k < row.Cells.Count; k++)
            {
                var cell = row.Cells[k];
                var value = cell is null ? "-" : (cell.Rate(row.Size) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
                if (cell is not null && row.Coverage[k] is { Partial: true } coverage)
                {
                    value += "*";
                    partial = coverage;
                }
                text.Append(CultureInfo.InvariantCulture, $"{value,8}");
            }
            text.Append('\n');
        }
        if (rows.Count == 0) text.Append("(no cohorts 无同期群)\n");
        text.Append("- : not yet observed 尚无数据\n");
        // Observed cells that are partial are all in the period holding the data's last day, so one footnote covers them.
        if (partial is { } last)
            text.Append(CultureInfo.InvariantCulture, $"* 不完整周期 / partial period: {last.DaysCovered} of {last.DaysInPeriod} days\n");
        return text.ToString();
    }
}
