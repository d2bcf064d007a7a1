using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Output;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Analytics.Goals;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Features.Goals;

/// <summary>
/// <c>flywheel report goals [--format text|json]</c>: every goal's status as of today (the TimeProvider's date in the
/// store's time zone). JSON: <see cref="GoalJson.WriteStatuses"/>.
/// </summary>
internal static class ReportGoalsCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("goals", "Goal status: baseline, target, current, progress, forecast at the deadline, on track / at risk / off track") { format };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            using (store)
            {
                var goals = await GoalService.LoadAsync(store, ct);
                var index = await EventIndexBuilder.BuildAsync(store, null, ct);
                var statuses = GoalService.EvaluateAll(index, goals, GoalService.Today(index, time));
                if (parse.GetValue(format) == "json") await console.Out.WriteLineAsync(GoalJson.WriteStatuses(statuses));
                else await console.Out.WriteAsync(Text(statuses, await StoreCurrency.ReadAsync(store, ct)));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One line per goal; money goals in the store's currency (its symbol).</summary>
    private static string Text(IReadOnlyList<GoalStatus> statuses, Currency currency)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{"目标 goal",-28}{"基线 baseline",16}{"目标值 target",16}{"当前 current",16}{"进度 progress",14}{"预测 forecast",16}  状态 status\n");
        foreach (var s in statuses)
        {
            var m = s.Goal.Metric;
            text.Append(CultureInfo.InvariantCulture,
                $"{s.Goal.Name,-28}{V(s.Baseline, m),16}{V(s.Target, m),16}{V(s.Current, m),16}{(s.ProgressPercent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-"),14}{V(s.Forecast, m),16}  {Status(s.Verdict)}\n");
        }
        return text.ToString();

        string V(decimal? value, string metric) => value is not { } v ? "-"
            : GoalMetrics.IsMoney(metric) ? currency.Symbol + MoneyText.Format((long)Math.Round(v, 0, MidpointRounding.AwayFromZero))
            : GoalMetrics.IsRatio(metric) ? v.ToString("0.####", CultureInfo.InvariantCulture)
            : v.ToString("#,0", CultureInfo.InvariantCulture);
        static string Status(string verdict) => verdict switch
        {
            "on_track" => "正常 on track",
            "at_risk" => "有风险 at risk",
            "off_track" => "落后 off track",
            _ => "- unknown",
        };
    }
}
