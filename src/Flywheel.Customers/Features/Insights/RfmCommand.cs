using Flywheel.Hosting.Output;
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
            if (parse.GetValue(format) is not ("text" or "json" or "csv"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text, json or csv");
            var plan = RfmQuestion.Check(new RfmInput(parse.GetValue(asOf), parse.GetValue(window), parse.GetValue(thresholds), parse.GetValue(compare),
                parse.GetValue(customers)));
            if (!plan.TryGetValue(out var checkedPlan, out var error)) return await cli.FailFieldAsync(error);
            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            EventIndex index;
            // The stored CLV fit, when there is one, gives each segment its average CLV, as GET /v1/rfm does.
            var insights = new CustomerInsights();
            Currency currency;
            using (store)
            {
                index = await IndexLoading.BuildAsync(store, console, ct);
                await insights.LoadFitAsync(store, ct);
                currency = await StoreCurrency.ReadAsync(store, ct);
            }
            var answer = RfmQuestion.Run(checkedPlan, index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), RfmQuestion.ClvOf(insights, index));
            if (!answer.TryGetValue(out var rfm, out error)) return await cli.FailFieldAsync(error);
            var (result, migration) = (rfm.Result, rfm.Migration);
            switch (parse.GetValue(format))
            {
                case "json": await console.Out.WriteLineAsync(RfmJson.Write(result, migration, parse.GetValue(customers))); break;
                case "csv": await console.Out.WriteAsync(Csv(result)); break;
                default: await console.Out.WriteAsync(RfmJson.Text(result, migration, currency)); break;
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
