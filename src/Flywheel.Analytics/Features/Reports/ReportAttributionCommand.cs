using Flywheel.Analytics.Features.Shared;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Output;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Attribution;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>
/// <c>flywheel report attribution [--from DATE --to DATE] [--by channel|campaign|kol] [--lookback 30d] [--half-life 7d]
/// [--format text|json|csv]</c>. The JSON shape is a contract: <c>{"models": [{"model": "last_click", "rows": [{"key",
/// "orders", "gmv", "spend", "roi"}]}]}</c>, money with two decimals in the store's currency (stated at the top level as
/// <c>"currency"</c>, after <c>"from"</c> and <c>"to"</c>; text shows its symbol), orders fractional, roi null without spend.
/// </summary>
internal static class ReportAttributionCommand
{
    private static readonly (AttributionModel Model, string Title)[] Models =
    [
        (AttributionModel.LastClick, "末次点击 last click"),
        (AttributionModel.FirstClick, "首次点击 first click"),
        (AttributionModel.Linear, "线性 linear"),
        (AttributionModel.TimeDecay, "时间衰减 time decay"),
        (AttributionModel.PositionBased, "位置 position based"),
        (AttributionModel.Markov, "马尔可夫 Markov"),
    ];

    /// <summary>The question's fields carried by options of other names.</summary>
    private static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal) { ["lookback_days"] = "lookback", ["half_life_days"] = "half-life" };

    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var from = new Option<string?>("--from") { Description = "First day of paid orders (yyyy-MM-dd, the store's time zone); default: the first day with data" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive; default: the last day with data" };
        var by = new Option<string>("--by") { Description = "Credit channels, campaigns or KOLs", DefaultValueFactory = _ => "channel" };
        var lookback = new Option<string>("--lookback") { Description = "Touches this long before a payment count, in days: 1d..90d", DefaultValueFactory = _ => "30d" };
        var halfLife = new Option<string>("--half-life") { Description = "Time-decay half-life: days (7d) or hours (12h)", DefaultValueFactory = _ => "7d" };
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        var command = new Command("attribution", "Multi-touch attribution 归因: last click, first click, linear, time decay, position based and Markov, with ROI")
        {
            from, to, by, lookback, halfLife, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            // Format is checked here rather than with AcceptOnlyFromAmong, whose message does not name the option.
            if (parse.GetValue(format) is not ("text" or "json" or "csv"))
                return await CliContext.BadAsync(console, "--format", $"takes text, json or csv, not '{parse.GetValue(format)}'");
            if (!TryDays(parse.GetValue(lookback), allowHours: false, out var lookbackDays) || lookbackDays != Math.Floor(lookbackDays) || lookbackDays is < 1 or > 90)
                return await CliContext.BadAsync(console, "--lookback", "takes whole days from 1d to 90d, e.g. 30d");
            if (!TryDays(parse.GetValue(halfLife), allowHours: true, out var halfLifeDays))
                return await CliContext.BadAsync(console, "--half-life", "takes a duration above 0 and at most 365d, e.g. 7d or 12h");
            var plan = AttributionQuestion.Check(new AttributionInput(parse.GetValue(from), parse.GetValue(to), parse.GetValue(by), (int)lookbackDays, halfLifeDays));
            if (!plan.TryGetValue(out var checkedPlan, out var error)) return await cli.FailFieldAsync(error, Options);
            EventIndex? index = null;
            var currency = Currency.Cny;
            var exit = await cli.WithStoreAsync(parse, async store =>
            {
                index = await IndexLoading.BuildAsync(store, console, ct);
                currency = await StoreCurrency.ReadAsync(store, ct);
                return ExitCodes.Ok;
            }, ct);
            if (index is null) return exit;
            var result = AttributionQuestion.Run(checkedPlan, index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
            if (!result.TryGetValue(out var report, out error)) return await cli.FailFieldAsync(error, Options);
            switch (parse.GetValue(format))
            {
                case "json": await console.Out.WriteLineAsync(AttributionJson.Write(report, currency)); break;
                case "csv": await console.Out.WriteAsync(Csv(report)); break;
                default: await console.Out.WriteAsync(Text(report, currency)); break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Parses "30d", "30" (days) or, when allowed, "12h" into days.</summary>
    internal static bool TryDays(string? text, bool allowHours, out double days)
    {
        days = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var unit = 1.0;
        if (text.EndsWith('d')) text = text[..^1];
        else if (allowHours && text.EndsWith('h'))
        {
            text = text[..^1];
            unit = 1.0 / 24;
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)) return false;
        days = value * unit;
        return true;
    }


    private static string By(AttributionDimension by) => by.ToString().ToLowerInvariant();


    private static string Csv(AttributionReport report)
    {
        var text = new StringBuilder("model,key,orders,gmv,spend,roi\n");
        foreach (var model in report.Models)
            foreach (var row in model.Rows)
                text.Append(AttributionJson.ModelName(model.Model)).Append(',')
                    .Append(row.Key.Contains(',', StringComparison.Ordinal) || row.Key.Contains('"', StringComparison.Ordinal)
                        ? "\"" + row.Key.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : row.Key).Append(',')
                    .Append(Math.Round(row.Orders, 6).ToString("R", CultureInfo.InvariantCulture)).Append(',')
                    .Append(MoneyText.Format(row.Gmv)).Append(',')
                    .Append(MoneyText.Format(row.Spend)).Append(',')
                    .Append(row.Roi is { } roi ? Math.Round(roi, 4).ToString("R", CultureInfo.InvariantCulture) : "")
                    .Append('\n');
        return text.ToString();
    }

    /// <summary>Keys down, models across: each model's credited GMV and ROI, in the first model's order.</summary>
    private static string Text(AttributionReport report, Currency currency)
    {
        var q = report.Query;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"归因 attribution by {By(q.By)} {q.From:yyyy-MM-dd} .. {q.To:yyyy-MM-dd}: {report.TotalOrders:N0} orders, GMV {Yuan(report.TotalGmv)}; " +
            $"look-back {q.LookbackDays}d, half-life {q.HalfLifeDays.ToString("0.##", CultureInfo.InvariantCulture)}d\n");
        const int Width = 24;
        text.Append(CultureInfo.InvariantCulture, $"{"",-16}{"spend 花费",14}");
        foreach (var model in report.Models) text.Append(Pad(Models.First(m => m.Model == model.Model).Title, Width));
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"{"key",-16}{"",14}");
        foreach (var _ in report.Models) text.Append(CultureInfo.InvariantCulture, $"{"GMV 成交额",16}{"ROI",8}");
        text.Append('\n');
        if (report.Models.Count == 0) return text.ToString();
        var byModel = report.Models.Select(m => m.Rows.ToDictionary(r => r.Key)).ToList();
        foreach (var row in report.Models[0].Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Key,-16}{Yuan(row.Spend),14}");
            foreach (var rows in byModel)
            {
                var r = rows[row.Key];
                text.Append(CultureInfo.InvariantCulture, $"{Yuan(r.Gmv),16}{(r.Roi is { } roi ? roi.ToString("0.00", CultureInfo.InvariantCulture) : "-"),8}");
            }
            text.Append('\n');
        }
        return text.ToString();

        string Yuan(long minor) => MoneyText.Display(minor, currency);
    }

    /// <summary>Right-aligns a title that mixes CJK (two columns wide) and ASCII.</summary>
    private static string Pad(string title, int width)
    {
        var columns = title.Sum(c => c > 0x2E80 ? 2 : 1);
        return new string(' ', Math.Max(1, width - columns)) + title;
    }
}
