using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Time;
using Flywheel.Primitives;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel report kpi --from DATE --to DATE [--by day|week|month|channel] [--format text|json|csv]</c>.
/// The JSON shape is a contract: <c>{"rows": [{"key", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate",
/// "spend", "roi", "cac", ...}]}</c>, money in yuan with two decimals, rates as fractions (null when undefined).
/// </summary>
internal static class ReportKpiCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd, the store's time zone); default: the first day with data" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive; default: the last day with data" };
        var by = new Option<string>("--by") { Description = "Split by day, week, month or channel; default: one total row", DefaultValueFactory = _ => "total" };
        by.AcceptOnlyFromAmong("total", "day", "week", "month", "channel");
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "csv");
        var command = new Command("kpi", "Traffic, conversion and cost KPIs (GMV, orders, buyers, UV, CVR, AOV, repurchase rate, spend, ROI, CAC ...)")
        {
            from, to, by, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (ReportCommand.RangeProblem(parse.GetValue(from), parse.GetValue(to), out var fromDay, out var toDay) is { } range)
                return await ReportCommand.BadAsync(console, range.Option, range.Message);
            var (index, exit) = await IndexLoading.LoadAsync(parse, console, time, ct);
            if (index is null) return exit;
            var (first, last) = LocalCalendar.DataRange(index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
            var query = new KpiQuery(fromDay ?? first, toDay ?? last, Enum.Parse<KpiGrouping>(parse.GetValue(by)!, ignoreCase: true));
            var result = KpiEngine.Run(index, query);
            if (!result.TryGetValue(out var rows, out var error))
                return await ReportCommand.BadAsync(console, "--" + error.Path, error.Message);
            switch (parse.GetValue(format))
            {
                case "json": await console.Out.WriteLineAsync(KpiJson.Write(rows)); break;
                case "csv": await console.Out.WriteAsync(Csv(rows)); break;
                default: await console.Out.WriteAsync(Text(rows, query)); break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }


    private static string Csv(IReadOnlyList<KpiRow> rows)
    {
        var text = new StringBuilder();
        text.Append("key,").AppendJoin(',', KpiJson.Columns(rows.Count > 0 ? rows[0] : Empty).Select(c => c.Name)).Append('\n');
        foreach (var row in rows)
            text.Append(row.Key.Contains(',', StringComparison.Ordinal) ? $"\"{row.Key}\"" : row.Key).Append(',')
                .AppendJoin(',', KpiJson.Columns(row).Select(c => c.Value ?? "")).Append('\n');
        return text.ToString();
    }

    private static readonly KpiRow Empty = new("", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static string Text(IReadOnlyList<KpiRow> rows, KpiQuery query)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"KPIs 核心指标 {query.From:yyyy-MM-dd} .. {query.To:yyyy-MM-dd}\n");
        text.Append(CultureInfo.InvariantCulture,
            $"{"key",-14}{"GMV 成交额",16}{"orders 订单",12}{"buyers 买家",12}{"UV 访客",10}{"CVR 转化率",11}{"AOV 客单价",12}{"repurchase 复购",16}{"spend 花费",14}{"ROI",8}{"CAC 获客成本",14}\n");
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{r.Key,-14}{Yuan(r.Gmv),16}{r.Orders,12:N0}{r.Buyers,12:N0}{r.Visitors,10:N0}{Pct(r.Cvr),11}{Yuan(r.Aov),12}{Pct(r.RepurchaseRate),16}{Yuan(r.Spend),14}{(r.Roi is { } roi ? roi.ToString("0.00", CultureInfo.InvariantCulture) : "-"),8}{Yuan(r.Cac),14}\n");
        }
        return text.ToString();

        static string Yuan(long? fen) => fen is { } v ? (v / 100m).ToString("¥#,0.00", CultureInfo.InvariantCulture) : "-";
        static string Pct(double? ratio) => ratio is { } x ? x.ToString("P2", CultureInfo.InvariantCulture) : "-";
    }
}
