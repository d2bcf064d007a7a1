using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Experiments.Features.ManageExperiments;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Experiments.Features.Results;

/// <summary><c>GET /v1/experiments/{key}/results?as_of=YYYY-MM-DD</c>: the results page's data (ReportsRead).</summary>
internal static class ExperimentResultsEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/experiments/{key}/results", GetAsync).Requires(Permission.ReportsRead).WithName("ExperimentResults")
            .WithSummary("Results: exposure and the sample-ratio check, each metric per variant against control (frequentist, Bayesian, sequential with the day it became valid, CUPED), and incremental orders and GMV over a holdout; as_of (a day) defaults to the end of the data");

    internal static async Task<Results<JsonHttpResult<ExperimentResultsView>, ProblemHttpResult>> GetAsync(ExperimentResultsHandler handler, string key, string? as_of,
        CancellationToken ct)
    {
        DateOnly? day = null;
        if (!string.IsNullOrEmpty(as_of))
        {
            if (!DateOnly.TryParseExact(as_of, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                return Error.Invalid("as_of", $"as_of '{Shorten(as_of)}' is not a date (YYYY-MM-DD)").ToProblem();
            day = parsed;
        }
        var results = await handler.HandleAsync(key, day, ct);
        return results.TryGetValue(out var view, out var error)
            ? TypedResults.Json(view, ExperimentViewJson.Options, "application/json")
            : error.ToProblem();
    }

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary><c>flywheel experiments results KEY [--as-of YYYY-MM-DD] [--format text|json]</c>: the same results as the API, as text or its JSON.</summary>
internal static class ExperimentResultsCommand
{
    public static Command Create(CliContext cli)
    {
        var key = new Argument<string>("key") { Description = "The experiment's key" };
        var asOf = new Option<string?>("--as-of") { Description = "Results as of the end of this day (YYYY-MM-DD, the store's time zone); default: the end of the data" };
        var format = new Option<string>("--format") { Description = "text (default) or json (the API's answer)", DefaultValueFactory = _ => "text" };
        var command = new Command("results", "An experiment's results: exposure and SRM, each metric per variant with intervals, the sequential verdict, incrementality over a holdout")
            { key, asOf, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            DateOnly? day = null;
            if (parse.GetValue(asOf) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    return await cli.BadAsync("--as-of", $"'{ExperimentResultsEndpoint.Shorten(text)}' is not a date (YYYY-MM-DD)");
                day = parsed;
            }
            return await cli.RunAsync(parse, async services =>
            {
                var results = await services.GetRequiredService<ExperimentResultsHandler>().HandleAsync(parse.GetValue(key)!, day, ct);
                if (!results.TryGetValue(out var view, out var error))
                    return await cli.BadAsync(error.Path ?? "key", error.Message);
                await cli.Console.Out.WriteAsync(parse.GetValue(format) == "json"
                    ? JsonSerializer.Serialize(view, ExperimentViewJson.Indented) + "\n"
                    : Text(view));
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    /// <summary>The results as a bilingual report: exposure and SRM, then per metric each variant's value, effect, interval, p-values, chance to win and verdict.</summary>
    internal static string Text(ExperimentResultsView r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{r.Name} ({r.Key})  {r.Status}  unit {r.Unit}  window {r.WindowDays}d  confidence {r.Confidence:0.###}  as of {r.AsOf}\n");
        if (r.Hypothesis is { } h) sb.Append(inv, $"假设 hypothesis: {h}\n");
        sb.Append("\n版本 variants:\n");
        foreach (var v in r.Variants)
            sb.Append(inv, $"  {v.Key,-16} {(v.Key == r.Control ? "control" : ""),-8}{(v.Holdout ? "holdout" : ""),-8} weight {v.Weight,5}  expected {v.ExpectedShare:P1}  units {v.Units,9:N0}  actual {(v.Share is { } s ? s.ToString("P1", inv) : "—")}\n");
        sb.Append(inv, $"SRM p = {P(r.Srm.PValue)}{(r.Srm.Warning ? "  ⚠ 样本比例失衡 sample ratio mismatch: the split is not what was configured; do not trust these results" : "")}\n");
        foreach (var m in r.Metrics)
        {
            sb.Append(inv, $"\n{m.LabelZh} {m.LabelEn} [{m.Name}, {m.Role}{(m.HigherIsBetter ? "" : ", lower is better")}]\n");
            foreach (var a in m.Arms) sb.Append(inv, $"  {a.Variant,-16} units {a.Units,9:N0}  value {Value(m, a.Value)}\n");
            foreach (var c in m.Results)
            {
                sb.Append(inv, $"  {c.Variant} vs {r.Control}: {Value(m, c.Absolute.Effect)} [{Value(m, c.Absolute.CiLow)}, {Value(m, c.Absolute.CiHigh)}] p {P(c.Absolute.PValue)}");
                if (c.Relative is { } rel) sb.Append(inv, $"  relative {Pct(rel.Effect)} [{Pct(rel.CiLow)}, {Pct(rel.CiHigh)}]");
                sb.Append(inv, $"  adjusted p {P(c.AdjustedPValue)}  chance to win {(c.Bayesian.ChanceToWin is { } w ? (w * 100).ToString("0.0", inv) + "%" : "—")}");
                sb.Append(inv, $"  sequential p {P(c.Sequential.PValue)}{(c.Sequential.ValidSince is { } since ? $" (valid since {since})" : "")}");
                sb.Append(inv, $"  → {c.Verdict}\n");
                if (c.Absolute.Reason is { } why) sb.Append(inv, $"    ({why})\n");
            }
        }
        if (r.Impact.Count > 0)
        {
            sb.Append(inv, $"\n增量 incremental over holdout {r.HoldoutVariant}:\n");
            foreach (var i in r.Impact)
            {
                sb.Append(inv, $"  {i.Variant}: {i.TreatedUnits:N0} treated  orders {i.Orders.Effect:N0} [{i.Orders.Low:N0}, {i.Orders.High:N0}]  GMV {Yuan(i.Gmv.Effect)} [{Yuan(i.Gmv.Low)}, {Yuan(i.Gmv.High)}]");
                sb.Append(i.GmvPerYuan is { } per
                    ? string.Create(inv, $"  per yuan of extra discount ({Yuan(i.IncrementalDiscount)}): {per:0.00} [{i.GmvPerYuanLow:0.00}, {i.GmvPerYuanHigh:0.00}]\n")
                    : $"  ({i.Reason})\n");
            }
        }
        return sb.ToString();
    }

    private static string P(double? p) => p is { } v ? (v < 0.0001 ? "<0.0001" : v.ToString("0.0000", CultureInfo.InvariantCulture)) : "—";

    private static string Pct(double? v) => v is { } x ? (x * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + "%" : "—";

    private static string Yuan(long fen) => "¥" + (fen / 100m).ToString("N2", CultureInfo.InvariantCulture);

    private static string Value(MetricResult m, double? v) => v is not { } x ? "—" : m.Format switch
    {
        "percent" => (x * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%",
        "money" => "¥" + (x / 100).ToString("N2", CultureInfo.InvariantCulture),
        _ => x.ToString("0.000", CultureInfo.InvariantCulture),
    };
}
