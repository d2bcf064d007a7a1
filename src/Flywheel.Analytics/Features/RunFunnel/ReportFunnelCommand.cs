using Flywheel.Hosting.Cli;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Analytics.Audiences;
using Flywheel.Analytics.Features.RunFunnel;
using Flywheel.Analytics.Funnels;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.RunFunnel;

/// <summary>
/// <c>flywheel report funnel</c>. A contract other tools script against: with <c>--format json</c> it prints
/// <c>{"steps": [{"step": ..., "customers": N, ...}, ...]}</c> in step order, customers counting visitors who reached at least that step.
/// With <c>--save-audience NAME --dropped-after N</c> the customers who reached step N but not step N + 1 are saved as an
/// audience (replacing one of that name unless <c>--create-only</c>), and the JSON carries <c>"audience"</c>.
/// </summary>
internal static class ReportFunnelCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
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
        var saveAudience = new Option<string?>("--save-audience")
        {
            Description = "Save the customers who dropped after --dropped-after as an audience of this name (a-z, 0-9, _, -); replaces one of that name",
        };
        var droppedAfter = new Option<int?>("--dropped-after")
        {
            Description = "With --save-audience: the step (1-based) whose customers did not reach the next one, e.g. 2 = reached step 2, not step 3",
        };
        var title = new Option<string?>("--title") { Description = "With --save-audience: a title for people, e.g. 加购未付款" };
        var createOnly = new Option<bool>("--create-only") { Description = "With --save-audience: fail (exit 2) if the audience exists instead of replacing it" };
        var command = new Command("funnel", "Conversion funnel (ClickHouse windowFunnel semantics): customers reaching each step within the window")
        {
            steps, window, mode, from, to, by, format, saveAudience, droppedAfter, title, createOnly,
        };
        command.SetAction(async (parse, ct) =>
        {
            var parsedSteps = FunnelStep.ParseList(parse.GetValue(steps) ?? "");
            if (!parsedSteps.TryGetValue(out var stepList, out var stepError)) return await BadAsync(console, stepError);
            // Checked before the (slow) index build, so bad input fails fast and the store is not touched.
            var checkedPlan = FunnelQuestion.Check(new FunnelInput(stepList, parse.GetValue(window), parse.GetValue(mode), parse.GetValue(by),
                parse.GetValue(from), parse.GetValue(to), parse.GetValue(saveAudience), parse.GetValue(droppedAfter), parse.GetValue(title),
                parse.GetValue(createOnly), AudienceOptionsGiven: parse.GetValue(droppedAfter) is not null || parse.GetValue(title) is not null || parse.GetValue(createOnly)));
            if (!checkedPlan.TryGetValue(out var plan, out var planError)) return await BadAsync(console, AsOption(planError));

            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            using (store)
            {
                var index = await IndexLoading.BuildAsync(store, console, ct);
                var answer = await FunnelQuestion.RunAsync(plan, index, store, ct);
                if (!answer.TryGetValue(out var funnel, out var runError)) return await BadAsync(console, AsOption(runError));
                var (result, saved, q) = (funnel.Result, funnel.Saved, funnel.Query);
                switch (parse.GetValue(format))
                {
                    case "json": await console.Out.WriteLineAsync(FunnelJson.Write(result, saved)); break;
                    case "csv":
                        await WriteCsvAsync(console.Out, result);
                        // The CSV on stdout stays one table; what was saved goes to stderr.
                        if (saved is not null) await console.Error.WriteLineAsync(Saved(saved, result));
                        break;
                    default:
                        await WriteTextAsync(console.Out, result, q);
                        if (saved is not null) await console.Out.WriteLineAsync(Environment.NewLine + Saved(saved, result));
                        break;
                }
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

    /// <summary>The question's errors name the request's fields; here they are the options that carry them.</summary>
    private static Error AsOption(Error error) => error with
    {
        Path = error.Path switch
        {
            "save_audience.name" => "save-audience",
            "save_audience.dropped_after" => "dropped-after",
            "save_audience.title" => "title",
            "save_audience.create_only" => "create-only",
            var other => other,
        },
    };

    private static string Saved(SavedFunnelAudience saved, FunnelResult result)
    {
        var (a, k) = (saved.Audience, saved.DropOff.DroppedAfter);
        var title = a.Title is null ? "" : $" ({a.Title})";
        return string.Create(CultureInfo.InvariantCulture,
            $"Audience 人群 {a.Name}{title}: {a.MemberCount:N0} customers saved 已保存, reached step {k} ({result.Steps[k - 1].Step}) but not step {k + 1} ({result.Steps[k].Step}); " +
            $"{saved.DropOff.AnonymousVisitors:N0} anonymous visitors dropped too, not saved (cannot be targeted 匿名访客无法触达)");
    }

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
