using Microsoft.Extensions.DependencyInjection;
using Flywheel.Storage;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Output;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>
/// <c>flywheel report kpi --from DATE --to DATE [--by day|week|month|channel|campaign|store|category|region]
/// [--channel X] [--campaign X] [--store X] [--category X] [--region X] [--compare previous|yoy] [--format text|json|csv]</c>.
/// The JSON shape is a contract: <c>{"rows": [{"key", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate",
/// "spend", "roi", "cac", ...}]}</c>, money in the store's currency with two decimals (text shows its symbol), rates as
/// fractions (null when undefined);
/// comparisons add fields (see <see cref="KpiJson"/>).
/// </summary>
internal static class ReportKpiCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd, the store's time zone); default: the first day with data" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive; default: the last day with data" };
        var by = new Option<string>("--by")
        {
            Description = "Split by day, week, month, channel, campaign, store, category or region; default: one total row",
            DefaultValueFactory = _ => "total",
        };
        var channel = new Option<string?>("--channel") { Description = "Only this channel: its events, orders and ad spend" };
        var campaign = new Option<string?>("--campaign") { Description = "Only this campaign: its events and spend, and orders whose last touch was in it" };
        var store = new Option<string?>("--store") { Description = "Only this store's orders (traffic and spend are then not reported)" };
        var category = new Option<string?>("--category") { Description = "Only orders (by largest line) and product events in this category (spend not reported)" };
        var segment = new Option<string?>("--segment") { Description = "Only these customers: a saved audience, an RFM segment (champions, at_risk …) or group (high_value …)" };
        var region = new Option<string?>("--region") { Description = "Only customers in this province (spend not reported)" };
        var compare = new Option<string[]>("--compare")
        {
            Description = "Compare with the previous period of equal length (previous), the same dates a year earlier (yoy), or both (previous,yoy)",
        };
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        var command = new Command("kpi", "Traffic, conversion and cost KPIs (GMV, orders, buyers, UV, CVR, AOV, repurchase rate, spend, ROI, CAC ...)")
        {
            from, to, by, channel, campaign, store, category, region, segment, compare, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            // Format is checked here rather than with AcceptOnlyFromAmong, whose message does not name the option.
            if (parse.GetValue(format) is not ("text" or "json" or "csv"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text, json or csv");
            var plan = KpiQuestion.Check(new KpiInput(parse.GetValue(from), parse.GetValue(to), parse.GetValue(by),
                new ScopeInput(parse.GetValue(channel), parse.GetValue(campaign), parse.GetValue(store), parse.GetValue(category), parse.GetValue(region)),
                parse.GetValue(segment), parse.GetValue(compare) ?? []));
            if (!plan.TryGetValue(out var checkedPlan, out var error)) return await cli.FailFieldAsync(error);
            KpiReport? report = null;
            string? timeZone = null;
            var currency = Currency.Cny;
            var exit = await cli.RunAsync(parse, async services =>
            {
                var store = services.GetRequiredService<FlywheelStore>();
                var index = await IndexLoading.BuildAsync(store, console, ct);
                timeZone = index.TimeZone;
                currency = await StoreCurrency.ReadAsync(store, ct);
                var result = await KpiQuestion.RunAsync(checkedPlan, index, store, services.GetService<ISegmentMembers>(),
                    DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), defaultDays: null, ct);
                if (!result.TryGetValue(out report, out var failed)) return await cli.FailFieldAsync(failed);
                return ExitCodes.Ok;
            }, ct);
            if (report is null) return exit;
            switch (parse.GetValue(format))
            {
                case "json": await console.Out.WriteLineAsync(KpiJson.Write(report, timeZone, currency)); break;
                case "csv": await console.Out.WriteAsync(Csv(report)); break;
                default: await console.Out.WriteAsync(Text(report, timeZone, currency)); break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Every KPI column; for day, week and month rows whether the period is partial and how many of its days were covered;
    /// with comparisons, for each one its partner's key, and the partner's value, change and relative
    /// change of each compared KPI (previous_gmv, previous_gmv_change, previous_gmv_change_rel ...).
    /// </summary>
    private static string Csv(KpiReport report)
    {
        var comparisons = report.Comparisons.ToList();
        var text = new StringBuilder();
        text.Append("key,").AppendJoin(',', KpiJson.Columns(KpiRow.Empty("", true, true)).Select(c => c.Name));
        if (report.ByTime) text.Append(",partial,days_covered,days_in_period");
        foreach (var comparison in comparisons)
        {
            var name = KpiJson.Name(comparison);
            text.Append(',').Append(name).Append("_key");
            foreach (var kpi in KpiJson.ComparedKpis) text.Append(CultureInfo.InvariantCulture, $",{name}_{kpi},{name}_{kpi}_change,{name}_{kpi}_change_rel");
        }
        text.Append('\n');
        foreach (var compared in report.Rows)
        {
            text.Append(Field(compared.Row.Key)).Append(',').AppendJoin(',', KpiJson.Columns(compared.Row).Select(c => c.Value ?? ""));
            if (report.Coverage(compared.Row) is { } coverage)
                text.Append(CultureInfo.InvariantCulture, $",{(coverage.Partial ? "true" : "false")},{coverage.DaysCovered},{coverage.DaysInPeriod}");
            foreach (var comparison in comparisons)
            {
                if (compared.Partner(comparison) is not { } partner)
                {
                    text.Append(',', 1 + 3 * KpiJson.ComparedKpis.Count);
                    continue;
                }
                text.Append(',').Append(Field(partner.Key));
                var values = KpiJson.Columns(partner).ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
                foreach (var (name, absolute, relative) in KpiJson.Changes(compared.Row, partner))
                    text.Append(',').Append(values[name]).Append(',').Append(absolute).Append(',')
                        .Append(relative?.ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        return text.ToString();

        static string Field(string value) => value.Contains(',', StringComparison.Ordinal) ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    /// <summary>
    /// One line per row, a day, week or month the range or the data does not wholly cover marked with * and
    /// explained under the table; with comparisons, under each row its partner (上期 = previous period, 去年 = a year earlier),
    /// then the change (环比 = against the previous period, 同比 = against last year) as a difference and in percent.
    /// </summary>
    private static string Text(KpiReport report, string? timeZone, Currency currency)
    {
        var query = report.Query;
        var comparisons = report.Comparisons.ToList();
        var keyWidth = comparisons.Count > 0 ? 26 : 14;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"KPIs 核心指标 {query.From:yyyy-MM-dd} .. {query.To:yyyy-MM-dd}");
        if (timeZone is not null) text.Append(CultureInfo.InvariantCulture, $" ({timeZone})");
        if (query.Scope is { } scope) text.Append(CultureInfo.InvariantCulture, $", scope 范围: {scope}");
        text.Append('\n');
        foreach (var comparison in comparisons)
        {
            var (from, to) = report.RangeOf(comparison);
            text.Append(CultureInfo.InvariantCulture, $"{Label(comparison)}: {from:yyyy-MM-dd} .. {to:yyyy-MM-dd}\n");
        }
        text.Append(CultureInfo.InvariantCulture,
            $"{"key".PadRight(keyWidth)}{"GMV 成交额",16}{"orders 订单",12}{"buyers 买家",12}{"UV 访客",10}{"CVR 转化率",11}{"AOV 客单价",12}{"repurchase 复购",16}{"spend 花费",14}{"ROI",8}{"CAC 获客成本",14}\n");
        var partial = new List<(string Key, PeriodCoverage Coverage)>();
        foreach (var compared in report.Rows)
        {
            var r = compared.Row;
            var key = r.Key;
            if (report.Coverage(r) is { Partial: true } coverage)
            {
                partial.Add((r.Key, coverage));
                key += "*";
            }
            Line(key, Yuan(r.Gmv), N(r.Orders), N(r.Buyers), N(r.Visitors), Pct(r.Cvr), Yuan(r.Aov), Pct(r.RepurchaseRate), Yuan(r.Spend), Times(r.Roi), Yuan(r.Cac));
            foreach (var comparison in comparisons)
            {
                var (partnerLabel, changeLabel) = comparison == KpiComparison.Previous ? ("  prev 上期", "  环比") : ("  yoy 去年", "  同比");
                if (compared.Partner(comparison) is not { } p)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{partnerLabel} (none 无对应期)\n");
                    continue;
                }
                Line(p.Key == r.Key ? partnerLabel : $"{partnerLabel} {p.Key}", Yuan(p.Gmv), N(p.Orders), N(p.Buyers), N(p.Visitors), Pct(p.Cvr), Yuan(p.Aov),
                    Pct(p.RepurchaseRate), Yuan(p.Spend), Times(p.Roi), Yuan(p.Cac));
                Line(changeLabel + " Δ", SignedYuan(KpiChange.Absolute(r.Gmv, p.Gmv)), Signed(KpiChange.Absolute(r.Orders, p.Orders)),
                    Signed(KpiChange.Absolute(r.Buyers, p.Buyers)), Signed(KpiChange.Absolute(r.Visitors, p.Visitors)), Points(KpiChange.Absolute(r.Cvr, p.Cvr)),
                    SignedYuan(KpiChange.Absolute(r.Aov, p.Aov)), Points(KpiChange.Absolute(r.RepurchaseRate, p.RepurchaseRate)),
                    SignedYuan(KpiChange.Absolute(r.Spend, p.Spend)), SignedTimes(KpiChange.Absolute(r.Roi, p.Roi)), SignedYuan(KpiChange.Absolute(r.Cac, p.Cac)));
                var relative = KpiJson.Changes(r, p).Select(c => SignedPct(c.Relative)).ToArray();
                Line(changeLabel + " %", relative[0], relative[1], relative[2], relative[3], relative[4], relative[5], relative[6], relative[7], relative[8], relative[9]);
            }
        }
        foreach (var (key, coverage) in partial)
            text.Append(CultureInfo.InvariantCulture, $"* 不完整周期 / partial period: {key}, {coverage.DaysCovered} of {coverage.DaysInPeriod} days\n");
        if (comparisons.Count > 0) text.Append("Δ: difference 差值 (rates in percentage points 百分点); %: relative change 变化率; - : undefined 无意义\n");
        return text.ToString();

        void Line(string key, string gmv, string orders, string buyers, string uv, string cvr, string aov, string repurchase, string spend, string roi, string cac) =>
            text.Append(CultureInfo.InvariantCulture,
                $"{key.PadRight(keyWidth)}{gmv,16}{orders,12}{buyers,12}{uv,10}{cvr,11}{aov,12}{repurchase,16}{spend,14}{roi,8}{cac,14}\n");

        static string Label(KpiComparison comparison) => comparison == KpiComparison.Previous ? "previous 上期" : "yoy 去年同期";
        static string N(long? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";
        string Yuan(long? minor) => minor is { } v ? MoneyText.Display(v, currency) : "-";
        string SignedYuan(long? minor) => minor is { } v ? MoneyText.DisplaySigned(v, currency) : "-";
        static string Signed(long? n) => n is { } v ? v.ToString("+#,0;-#,0;0", CultureInfo.InvariantCulture) : "-";
        static string Pct(double? ratio) => ratio is { } x ? x.ToString("P2", CultureInfo.InvariantCulture) : "-";
        static string SignedPct(double? ratio) => ratio is { } x ? (x * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + "%" : "-";
        static string Points(double? ratio) => ratio is { } x ? (x * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + "pp" : "-";
        static string Times(double? x) => x is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
        static string SignedTimes(double? x) => x is { } v ? v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) : "-";
    }
}
