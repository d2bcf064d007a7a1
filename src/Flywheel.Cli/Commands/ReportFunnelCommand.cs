using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Time;
using Flywheel.Primitives;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel report funnel</c>. A contract other tools script against: with <c>--format json</c> it prints
/// <c>{"steps": [{"step": ..., "customers": N, ...}, ...]}</c> in step order, customers counting visitors who reached at least that step.
/// </summary>
internal static class ReportFunnelCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var steps = new Option<string>("--steps")
        {
            Description = "Comma-separated event types in order; a step may carry filters: product_view[category=beauty]",
            Required = true,
        };
        var window = new Option<string>("--window") { Description = "Window from the first step: 30m, 12h, 7d, or seconds", DefaultValueFactory = _ => "7d" };
        var mode = new Option<string>("--mode") { Description = "default, strict_order, strict_increase or strict_once", DefaultValueFactory = _ => "default" };
        mode.AcceptOnlyFromAmong("default", "strict_order", "strict_increase", "strict_once");
        var from = new Option<string?>("--from") { Description = "First day the first step may happen, yyyy-MM-dd, in the store's time zone" };
        var to = new Option<string?>("--to") { Description = "Last day the first step may happen, inclusive" };
        var by = new Option<string?>("--by") { Description = "Breakdown: channel (of the first step) or first_touch_channel" };
        by.AcceptOnlyFromAmong("channel", "first_touch_channel");
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "csv");
        var command = new Command("funnel", "Conversion funnel (ClickHouse windowFunnel semantics): customers reaching each step within the window")
        {
            steps, window, mode, from, to, by, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var parsedSteps = FunnelStep.ParseList(parse.GetValue(steps) ?? "");
            if (!parsedSteps.TryGetValue(out var stepList, out var stepError)) return await BadAsync(console, stepError);
            if (!FunnelQuery.TryParseWindow(parse.GetValue(window) ?? "", out var seconds))
                return await BadAsync(console, Error.Invalid("window", "give a duration such as 30m, 12h, 7d, or a number of seconds"));
            if (!ReportCommand.TryDay(parse.GetValue(from), out var fromDay))
                return await BadAsync(console, Error.Invalid("from", "give a date as yyyy-MM-dd, e.g. 2026-06-18"));
            if (!ReportCommand.TryDay(parse.GetValue(to), out var toDay))
                return await BadAsync(console, Error.Invalid("to", "give a date as yyyy-MM-dd, e.g. 2026-06-18"));
            if (fromDay is { } f0 && toDay is { } t0 && t0 < f0)
                return await BadAsync(console, Error.Invalid("to", $"{t0:yyyy-MM-dd} is before --from {f0:yyyy-MM-dd}"));
            var funnelMode = parse.GetValue(mode) switch
            {
                "strict_order" => FunnelMode.StrictOrder,
                "strict_increase" => FunnelMode.StrictIncrease,
                "strict_once" => FunnelMode.StrictOnce,
                _ => FunnelMode.Default,
            };
            var breakdown = parse.GetValue(by) switch
            {
                "channel" => FunnelBreakdown.Channel,
                "first_touch_channel" => FunnelBreakdown.FirstTouchChannel,
                _ => FunnelBreakdown.None,
            };
            // Validate before the (slow) index build, so bad input fails fast and the store is not touched.
            var check = FunnelQuery.Create(stepList, seconds, funnelMode, breakdown: breakdown);
            if (!check.IsSuccess) return await BadAsync(console, check.Error!);

            var (index, exit) = await IndexLoading.LoadAsync(parse, console, time, ct);
            if (index is null) return exit;
            var calendar = new LocalCalendar(index.TimeZone);
            var query = FunnelQuery.Create(stepList, seconds, funnelMode,
                fromDay is { } f ? calendar.StartOf(f) : null, toDay is { } t ? calendar.StartOf(t.AddDays(1)) : null, breakdown);
            if (!query.TryGetValue(out var q, out var queryError)) return await BadAsync(console, queryError);
            var run = FunnelEngine.Run(index, q);
            if (!run.TryGetValue(out var result, out var runError)) return await BadAsync(console, runError);
            switch (parse.GetValue(format))
            {
                case "json": await WriteJsonAsync(console.Out, result); break;
                case "csv": await WriteCsvAsync(console.Out, result); break;
                default: await WriteTextAsync(console.Out, result, q); break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> BadAsync(CliConsole console, Error error)
    {
        await console.Error.WriteLineAsync(error.Path is null ? $"error: {error.Message}" : $"error: --{error.Path}: {error.Message}");
        return ExitCodes.BadInput;
    }

    private static async Task WriteJsonAsync(TextWriter output, FunnelResult result) =>
        await output.WriteLineAsync(FunnelJson.Write(result));

    private static async Task WriteCsvAsync(TextWriter output, FunnelResult result)
    {
        var text = new StringBuilder("breakdown,step,customers,conversion_from_previous,conversion_from_first,drop_off,median_seconds,p90_seconds\n");
        foreach (var s in result.Steps)
            text.AppendLine(CultureInfo.InvariantCulture,
                $",{Csv(s.Step)},{s.Customers},{Ratio(s.ConversionFromPrevious)},{Ratio(s.ConversionFromFirst)},{s.DropOff},{s.MedianSeconds},{s.P90Seconds}");
        foreach (var row in result.Breakdown)
            for (var k = 0; k < result.Steps.Count; k++)
            {
                var c = row.Customers;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{Csv(row.Value ?? "")},{Csv(result.Steps[k].Step)},{c[k]},{(k == 0 ? "" : Ratio(c[k - 1] == 0 ? null : (double)c[k] / c[k - 1]))},{Ratio(c[0] == 0 ? null : (double)c[k] / c[0])},{(k == c.Count - 1 ? 0 : c[k] - c[k + 1])},,");
            }
        await output.WriteAsync(text.ToString());
    }

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "";

    private static async Task WriteTextAsync(TextWriter output, FunnelResult result, FunnelQuery query)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Funnel 转化漏斗 — window 窗口 {Duration(query.WindowSeconds)}, mode 模式 {query.Mode}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  {"step 步骤",-32}{"customers 人数",16}{"from prev 环比",16}{"from first 总转化",18}{"drop-off 流失",15}{"median 中位耗时",17}{"p90 耗时",12}");
        foreach (var s in result.Steps)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {s.Step,-32}{s.Customers,16:N0}{Percent(s.ConversionFromPrevious),16}{Percent(s.ConversionFromFirst),18}{s.DropOff,15:N0}{Duration(s.MedianSeconds),17}{Duration(s.P90Seconds),12}");
        if (result.Breakdown.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("  By channel 按渠道 (customers per step 各步人数)");
            foreach (var row in result.Breakdown)
                text.AppendLine(CultureInfo.InvariantCulture, $"  {row.Value ?? "(none 无)",-20}{string.Join("  →  ", row.Customers.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))}");
        }
        await output.WriteAsync(text.ToString());
    }

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "-";

    private static string Duration(int? seconds) => seconds switch
    {
        null => "-",
        < 120 => $"{seconds}s",
        < 7200 => $"{seconds / 60.0:0.#}m",
        < 172800 => $"{seconds / 3600.0:0.#}h",
        _ => $"{seconds / 86400.0:0.#}d",
    };
}
