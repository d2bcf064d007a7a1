using Flywheel.Hosting.Cli;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Customers.Rfm;
using Flywheel.Primitives;

namespace Flywheel.Customers.Features.Insights;

/// <summary>
/// <c>flywheel rfm [--as-of DATE] [--window DAYS] [--thresholds r=..;f=..;m=..] [--compare DATE] [--customers N]
/// [--format text|json|csv]</c>: RFM segments with their size, GMV share and recommended action; with --compare, the
/// migration matrix from --as-of to the later date; csv lists every scored customer.
/// </summary>
internal static class RfmCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var asOf = new Option<string?>("--as-of") { Description = "Score as of this day (yyyy-MM-dd, inclusive); default: the last day with data" };
        var window = new Option<int>("--window") { Description = "Days of orders to score, ending with --as-of", DefaultValueFactory = _ => 365 };
        var thresholds = new Option<string?>("--thresholds")
        {
            Description = "Score by cut points instead of quintiles: r=DAYS x4;f=ORDERS x4;m=YUAN x4, e.g. \"r=30,60,90,180;f=2,3,5,8;m=100,300,800,2000\"",
        };
        var compare = new Option<string?>("--compare") { Description = "A later day: show how customers moved between segments from --as-of to it" };
        var customers = new Option<int>("--customers") { Description = "Also list this many scored customers (json)", DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "text, json or csv (csv: one line per scored customer)", DefaultValueFactory = _ => "text" };
        var command = new Command("rfm", "RFM segments 客户分层: recency, frequency, monetary → high-value, potential and churn-risk groups")
        {
            asOf, window, thresholds, compare, customers, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!CliContext.TryDay(parse.GetValue(asOf), out var asOfDay)) return await CliContext.BadAsync(console, "--as-of", "takes a date as yyyy-MM-dd");
            if (!CliContext.TryDay(parse.GetValue(compare), out var compareDay)) return await CliContext.BadAsync(console, "--compare", "takes a date as yyyy-MM-dd");
            if (parse.GetValue(format) is not ("text" or "json" or "csv"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text, json or csv");
            if (parse.GetValue(customers) < 0) return await CliContext.BadAsync(console, "--customers", "cannot be negative");
            RfmThresholds? cuts = null;
            if (parse.GetValue(thresholds) is { } text)
            {
                var parsed = RfmThresholds.Parse(text);
                if (!parsed.TryGetValue(out cuts, out var bad)) return await CliContext.BadAsync(console, "--thresholds", $"{bad.Path}: {bad.Message}");
            }
            var probe = new RfmQuery(asOfDay ?? new DateOnly(2026, 1, 1), parse.GetValue(window), cuts);
            if (probe.Validate() is { } invalid) return await CliContext.BadAsync(console, "--" + invalid.Path, invalid.Message);
            if (asOfDay is { } a && compareDay is { } c && c <= a)
                return await CliContext.BadAsync(console, "--compare", $"{c:yyyy-MM-dd} must come after --as-of {a:yyyy-MM-dd}");

            var (index, exit) = await IndexLoading.LoadAsync(parse, cli, ct);
            if (index is null) return exit;
            var last = LocalCalendar.DataRange(index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).Last;
            var query = probe with { AsOf = asOfDay ?? last };
            if (compareDay is { } later && later <= query.AsOf)
                return await CliContext.BadAsync(console, "--compare", $"{later:yyyy-MM-dd} must come after the as-of day {query.AsOf:yyyy-MM-dd}");
            var result = RfmEngine.Run(index, query).Value;
            RfmMigration? migration = null;
            if (compareDay is { } to && !RfmEngine.Migration(index, query, to).TryGetValue(out migration, out var badCompare))
                return await CliContext.BadAsync(console, "--" + badCompare.Path, badCompare.Message);
            switch (parse.GetValue(format))
            {
                case "json": await console.Out.WriteLineAsync(RfmJson.Write(result, migration, parse.GetValue(customers))); break;
                case "csv": await console.Out.WriteAsync(Csv(result)); break;
                default: await console.Out.WriteAsync(RfmJson.Text(result, migration)); break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Csv(RfmResult result)
    {
        var text = new StringBuilder("customer_id,recency_days,frequency,monetary,r,f,m,segment,group\n");
        foreach (var s in result.Scores)
            text.Append(CultureInfo.InvariantCulture,
                $"{Quote(s.CustomerId)},{s.RecencyDays},{s.Frequency},{MoneyText.Format(s.Monetary)},{s.R},{s.F},{s.M},{s.Segment.Code},{RfmSegments.GroupCode(s.Segment.Group)}\n");
        return text.ToString();
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
