using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Hosting.Cli;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Features.Analyze;

/// <summary>
/// <c>flywheel experiments analyze FILE.json [--format text|json]</c>: the CLI contract. Needs no store: the file holds the counts.
/// JSON: <c>{"srm_p_value", "results": [{"variant", "absolute", "relative", "bayesian", ...}], ...}</c>; text: a bilingual table.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "The JSON document: {\"metric\": \"binomial\", \"confidence\": 0.95, \"variants\": [{\"name\": \"control\", \"n\": 1000, \"conversions\": 200}, ...]}" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("analyze", "Judge an A/B test from per-variant counts: SRM, effects with intervals, Bayesian chance to win, sequential p / 分析 A/B 实验") { file, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            var path = parse.GetValue(file)!;
            byte[] bytes;
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists) return await cli.BadAsync(path, "no such file");
                var limit = new ExperimentsOptions().MaxRequestBytes;
                if (info.Length > limit) return await cli.BadAsync(path, $"the file is {info.Length} bytes; at most {limit} are accepted");
                bytes = await File.ReadAllBytesAsync(path, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return await cli.BadAsync(path, $"cannot be read: {e.Message}");
            }
            var result = new AnalyzeHandler().Handle(bytes, new ExperimentsOptions().MaxRequestBytes);
            if (!result.TryGetValue(out var analysis, out var error))
            {
                await cli.Console.Error.WriteLineAsync($"error: {path}: {error}");
                return ExitCodes.For(error);
            }
            if (parse.GetValue(format) == "json")
            {
                await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(analysis, AnalyzeJson.Indented));
                return ExitCodes.Ok;
            }
            await WriteTextAsync(cli.Console.Out, analysis);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task WriteTextAsync(TextWriter o, AnalysisResult r)
    {
        var level = F(r.Confidence * 100, "0.##");
        await o.WriteLineAsync($"metric / 指标: {r.Metric}    confidence / 置信度: {level}%");
        var srm = r.SrmPValue is { } p
            ? $"{F(p, "0.0000")}  {(r.SrmWarning ? "WARNING: the split is not what was designed; do not trust the effects / 警告：分流比例异常，结果不可信" : "ok / 正常")}"
            : $"- ({r.SrmReason})";
        await o.WriteLineAsync($"SRM p-value / 样本比例检验 p 值: {srm}");
        if (r.CupedTheta is { } theta) await o.WriteLineAsync($"CUPED θ: {F(theta, "0.####")}");
        await o.WriteLineAsync();
        await o.WriteLineAsync($"{"arm / 组",-20} {"units / 样本",14} {"mean / 均值",14} {"sd / 标准差",14}");
        foreach (var a in r.Arms)
            await o.WriteLineAsync($"{a.Variant,-20} {a.Units,14:N0} {N(a.Mean, "0.######"),14} {N(a.Sd, "0.######"),14}{(a.Reason is { } why ? "  " + why : "")}");
        await o.WriteLineAsync();
        foreach (var v in r.Results)
        {
            await o.WriteLineAsync($"{v.Variant} vs {r.Arms[0].Variant} / 对照组");
            await o.WriteLineAsync($"  absolute / 绝对差:   {Effect(v.Absolute, "0.######")}");
            await o.WriteLineAsync($"  relative / 相对提升: {Effect(v.Relative, "+0.00%;-0.00%;0.00%")}");
            var b = v.Bayesian;
            await o.WriteLineAsync($"  bayesian / 贝叶斯:   chance to win / 胜率 {N(b.ChanceToWin, "0.00%")}, expected loss / 预期损失 {N(b.ExpectedLoss, "0.######")}, " +
                                   $"uplift / 提升 [{N(b.CiLow, "+0.00%;-0.00%;0.00%")}, {N(b.CiHigh, "+0.00%;-0.00%;0.00%")}]{(b.Reason is { } br ? "  (" + br + ")" : "")}");
            var s = v.Sequential;
            await o.WriteLineAsync($"  sequential / 序贯:   p {N(s.PValue, "0.0000")} [{N(s.CiLow, "0.######")}, {N(s.CiHigh, "0.######")}] " +
                                   $"{(s.PValue is { } sp && sp < 1 - r.Confidence ? "significant, valid to stop / 显著，可停止" : "keep running / 继续运行")}");
            if (r.Results.Count > 1)
                await o.WriteLineAsync($"  adjusted / 多重比较校正: p {N(v.AdjustedPValue, "0.0000")} [{N(v.AdjustedCiLow, "0.######")}, {N(v.AdjustedCiHigh, "0.######")}]");
            if (v.CupedVarianceReduction is { } cr) await o.WriteLineAsync($"  CUPED variance reduction / 方差降低: {F(cr, "0.0%")}");
        }
        if (r.Results.Count > 1) await o.WriteLineAsync($"multiple comparisons / 多重比较: {r.MultipleComparisons}");
    }

    private static string Effect(EffectEstimate e, string format) => e.Effect is { } x
        ? $"{F(x, format)} [{N(e.CiLow, format)}, {N(e.CiHigh, format)}]  p {N(e.PValue, "0.0000")}"
        : $"- ({e.Reason})";

    private static string N(double? value, string format) => value is { } v ? F(v, format) : "-";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
