using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Experiments.Features.Analyze;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Experiments.Features.SampleSize;

/// <summary>The sample-size question as text (query string or options), each field named as in the query string.</summary>
internal sealed record SampleSizeQuery(string? Metric, string? Baseline, string? Mde, string? MdeType, string? Sd, string? Alpha, string? Power, string? Variants,
    string? DailyTraffic);

/// <summary>
/// The sample-size use case shared by <c>GET /v1/experiments/sample-size</c> and <c>flywheel experiments size</c>: parses the
/// question (invariant culture; errors name the field) and runs <see cref="Domain.Statistics.SampleSize.Compute"/>. Pure.
/// </summary>
internal sealed class SampleSizeHandler
{
    public Result<SampleSizeResult> Handle(SampleSizeQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        MetricKind kind;
        switch (query.Metric)
        {
            case null or "" or "binomial": kind = MetricKind.Binomial; break;
            case "mean": kind = MetricKind.Mean; break;
            default: return Error.Invalid("metric", $"unknown metric '{query.Metric}': binomial or mean");
        }
        bool relative;
        switch (query.MdeType)
        {
            case null or "" or "relative": relative = true; break;
            case "absolute": relative = false; break;
            default: return Error.Invalid("mde_type", $"unknown mde_type '{query.MdeType}': relative (0.1 = +10 %) or absolute (in the metric's unit)");
        }
        if (!Required(query.Baseline, "baseline", out var baseline, out var error)) return error;
        if (!Required(query.Mde, "mde", out var mde, out error)) return error;
        if (!Optional(query.Sd, "sd", out var sd, out error)) return error;
        if (!Optional(query.Alpha, "alpha", out var alpha, out error)) return error;
        if (!Optional(query.Power, "power", out var power, out error)) return error;
        if (!Optional(query.DailyTraffic, "daily_traffic", out var daily, out error)) return error;
        var variants = 2;
        if (!string.IsNullOrEmpty(query.Variants) && !int.TryParse(query.Variants, NumberStyles.Integer, CultureInfo.InvariantCulture, out variants))
            return Error.Invalid("variants", $"'{query.Variants}' is not a whole number: variants counts all arms including control (2 to 100)");
        return Domain.Statistics.SampleSize.Compute(new SampleSizeRequest(kind, baseline, mde, relative, sd, alpha ?? 0.05, power ?? 0.8, variants, daily));
    }

    private static bool Required(string? text, string name, out double value, out Error error)
    {
        value = 0;
        error = null!;
        if (string.IsNullOrEmpty(text))
        {
            error = Error.Invalid(name, $"{name} is required");
            return false;
        }
        if (!Optional(text, name, out var v, out error)) return false;
        value = v!.Value;
        return true;
    }

    private static bool Optional(string? text, string name, out double? value, out Error error)
    {
        value = null;
        error = null!;
        if (string.IsNullOrEmpty(text)) return true;
        if (text.Length > 40 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || Math.Abs(v) > 1e15)
        {
            error = Error.Invalid(name, $"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not a number (use a dot for decimals, magnitude at most 10^15)");
            return false;
        }
        value = v;
        return true;
    }
}

/// <summary><c>GET /v1/experiments/sample-size?metric=&amp;baseline=&amp;mde=&amp;mde_type=&amp;sd=&amp;alpha=&amp;power=&amp;variants=&amp;daily_traffic=</c>.</summary>
internal static class SampleSizeEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/experiments/sample-size", SizeAsync).Requires(Permission.ReportsRead).WithName("ExperimentSampleSize")
            .WithSummary("Units per variant (and days at a daily traffic) to detect a minimum effect: metric binomial (baseline rate) or mean (baseline mean and sd), " +
                         "mde relative or absolute, alpha 0.05, power 0.8, variants including control");

    internal static Results<JsonHttpResult<SampleSizeResult>, ProblemHttpResult> SizeAsync(SampleSizeHandler handler, string? metric, string? baseline, string? mde,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "mde_type")] string? mdeType, string? sd, string? alpha, string? power, string? variants,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "daily_traffic")] string? dailyTraffic)
    {
        var result = handler.Handle(new SampleSizeQuery(metric, baseline, mde, mdeType, sd, alpha, power, variants, dailyTraffic));
        return result.TryGetValue(out var size, out var error) ? TypedResults.Json(size, AnalyzeJson.Options) : error.ToProblem();
    }
}

/// <summary><c>flywheel experiments size --baseline X --mde Y [--metric binomial|mean] [--mde-type relative|absolute] [--sd S] [--alpha] [--power] [--variants] [--daily-traffic] [--format]</c>.</summary>
internal static class SampleSizeCommand
{
    public static Command Create(CliContext cli)
    {
        var metric = new Option<string?>("--metric") { Description = "binomial (a rate; default) or mean" };
        var baseline = new Option<string?>("--baseline") { Description = "The control's rate (binomial, e.g. 0.05) or mean (mean)" };
        var mde = new Option<string?>("--mde") { Description = "Minimum detectable effect: relative (0.1 = +10 %) unless --mde-type absolute" };
        var mdeType = new Option<string?>("--mde-type") { Description = "relative (default) or absolute" };
        var sd = new Option<string?>("--sd") { Description = "Standard deviation per unit (mean metrics)" };
        var alpha = new Option<string?>("--alpha") { Description = "Significance level (default 0.05)" };
        var power = new Option<string?>("--power") { Description = "Power (default 0.8)" };
        var variants = new Option<string?>("--variants") { Description = "Arms including control (default 2)" };
        var daily = new Option<string?>("--daily-traffic") { Description = "Units entering the experiment per day, all arms together: gives the duration" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("size", "Sample size and duration for a minimum detectable effect / 样本量与实验时长")
        {
            metric, baseline, mde, mdeType, sd, alpha, power, variants, daily, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            var result = new SampleSizeHandler().Handle(new SampleSizeQuery(parse.GetValue(metric), parse.GetValue(baseline), parse.GetValue(mde), parse.GetValue(mdeType),
                parse.GetValue(sd), parse.GetValue(alpha), parse.GetValue(power), parse.GetValue(variants), parse.GetValue(daily)));
            if (!result.TryGetValue(out var r, out var error)) return await cli.FailFieldAsync(error);
            var o = cli.Console.Out;
            if (parse.GetValue(format) == "json")
            {
                await o.WriteLineAsync(JsonSerializer.Serialize(r, AnalyzeJson.Indented));
                return ExitCodes.Ok;
            }
            var i = CultureInfo.InvariantCulture;
            await o.WriteLineAsync(string.Create(i, $"per variant / 每组样本: {r.PerVariant:N0}"));
            await o.WriteLineAsync(string.Create(i, $"total / 总样本:        {r.Total:N0}"));
            if (r.Days is { } days) await o.WriteLineAsync(string.Create(i, $"duration / 实验时长:   {days:N0} days / 天"));
            await o.WriteLineAsync(string.Create(i, $"absolute effect / 绝对效应 {r.AbsoluteEffect:0.######}, alpha per comparison / 单次比较 α {r.ComparisonAlpha:0.#####}, power / 检验力 {r.Power:0.##}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
