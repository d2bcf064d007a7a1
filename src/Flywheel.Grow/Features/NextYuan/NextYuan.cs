using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.NextYuan;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Grow.Features.NextYuan;

/// <summary>A checked next-yuan question: the weeks to look at, the weekly budget in fen (null: today's total) and the attribution model.</summary>
internal sealed record NextYuanQuestion(int Weeks, long? Budget, CreditModel Model);

/// <summary>The advice with the weeks and the model it was computed from.</summary>
internal sealed record NextYuanAnswer(WeekRange Weeks, CreditModel Model, NextYuanAdvice Advice);

/// <summary>
/// Where the next yuan goes: per channel with spend in the last <c>weeks</c> full weeks, the weekly spend and the GMV the
/// attribution model credits to it, a response curve, the marginal ROI with its uncertainty and a verdict; then the weekly
/// budget spread to equalise marginal ROI (see <see cref="NextYuanAdvisor"/>).
/// </summary>
internal sealed class NextYuanHandler(TimeProvider time)
{
    public const int DefaultWeeks = 12;
    public const int MinWeeks = 4;
    public const int MaxWeeks = 104;
    /// <summary>Largest weekly budget accepted: ¥10 billion a week (10^12 fen), beyond any brand's and far from overflow.</summary>
    public const long MaxBudget = 1_000_000_000_000;
    public const CreditModel DefaultModel = CreditModel.TimeDecay;

    private static readonly Dictionary<string, CreditModel> Models = new(StringComparer.Ordinal)
    {
        ["time_decay"] = CreditModel.TimeDecay, ["position_based"] = CreditModel.PositionBased, ["last_click"] = CreditModel.LastClick,
        ["first_click"] = CreditModel.FirstClick, ["linear"] = CreditModel.Linear, ["markov"] = CreditModel.Markov,
    };

    public static string ModelName(CreditModel model) => Models.First(m => m.Value == model).Key;

    /// <summary>
    /// Checks the texts as both surfaces give them. <paramref name="budgetFen"/> is the budget in fen (HTTP) or null; the command
    /// line converts yuan first. Paths name the fields the caller used.
    /// </summary>
    public static Result<NextYuanQuestion> Check(string? weeks, long? budgetFen, string? model, string weeksPath, string budgetPath, string modelPath)
    {
        var w = DefaultWeeks;
        if (weeks is not null && (!int.TryParse(weeks, NumberStyles.None, CultureInfo.InvariantCulture, out w) || w < MinWeeks || w > MaxWeeks))
            return Error.Invalid(weeksPath, $"'{Clip(weeks)}' is not a number of weeks between {MinWeeks} and {MaxWeeks}");
        if (budgetFen is < 0) return Error.Invalid(budgetPath, "the weekly budget cannot be negative");
        if (budgetFen is > MaxBudget) return Error.Invalid(budgetPath, $"the weekly budget is at most {MaxBudget:N0} fen (¥{MaxBudget / 100:N0})");
        var m = DefaultModel;
        if (model is not null && !Models.TryGetValue(model, out m))
            return Error.Invalid(modelPath, $"'{Clip(model)}' is not an attribution model: use one of {string.Join(", ", Models.Keys)}");
        return new NextYuanQuestion(w, budgetFen, m);
    }

    /// <summary>A budget in fen as HTTP gives it: a whole number, 0 or more.</summary>
    public static Result<long?> ParseFen(string? text, string path)
    {
        if (text is null) return (long?)null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fen))
            return Error.Invalid(path, $"'{Clip(text)}' is not a whole number of fen (at most {MaxBudget:N0})");
        return (long?)fen;
    }

    /// <summary>A budget in yuan as the command line gives it (up to two decimals), in fen.</summary>
    public static Result<long?> ParseYuan(string? text, string path)
    {
        if (text is null) return (long?)null;
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan)
            || decimal.Round(yuan, 2) != yuan)
            return Error.Invalid(path, $"'{Clip(text)}' is not an amount in yuan (e.g. 50000 or 49999.50)");
        if (yuan < 0) return Error.Invalid(path, "the weekly budget cannot be negative");
        if (yuan * 100 > MaxBudget) return Error.Invalid(path, $"the weekly budget is at most ¥{MaxBudget / 100:N0}");
        return (long?)(long)(yuan * 100);
    }

    public Result<NextYuanAnswer> Run(EventIndex index, NextYuanQuestion question)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(question);
        var weeks = WeekRange.Ending(LocalCalendar.DataEnd(index, time), question.Weeks);
        var series = WeeklySeries.Build(index, weeks, question.Model);
        if (!series.TryGetValue(out var channels, out var error)) return error;
        return new NextYuanAnswer(weeks, question.Model, NextYuanAdvisor.Advise(channels, question.Budget));
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

/// <summary>The advice as JSON (money in fen, per week) and as text.</summary>
internal static class NextYuanJson
{
    public static string Write(NextYuanAnswer answer, bool indented = false)
    {
        var advice = answer.Advice;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ChannelsJson.Writer(indented)))
        {
            json.WriteStartObject();
            json.WriteString("from", Day(answer.Weeks.First));
            json.WriteString("to", Day(answer.Weeks.Last));
            json.WriteNumber("weeks", answer.Weeks.Mondays.Count);
            json.WriteString("attribution_model", NextYuanHandler.ModelName(answer.Model));
            json.WriteString("curve", "GMV = a·spend^b per channel, least squares on logs of weekly spend and attributed GMV; marginal ROI = b·GMV/spend, 95% interval by the delta method");
            json.WriteNumber("budget_fen", advice.Budget);
            json.WriteNumber("current_total_spend_fen", advice.CurrentTotalSpend);
            json.WriteNumber("suggested_total_spend_fen", advice.SuggestedTotalSpend);
            json.WriteNumber("unallocated_fen", advice.Unallocated);
            ChannelsJson.Ratio(json, "equalised_marginal_roi", advice.EqualisedMarginalRoi);
            json.WriteNumber("expected_gmv_change_fen", advice.ExpectedGmvChange);
            json.WriteStartArray("channels");
            foreach (var c in advice.Channels)
            {
                json.WriteStartObject();
                json.WriteString("channel", c.Channel);
                json.WriteString("verdict", c.Verdict);
                json.WriteString("reason", c.Reason);
                json.WriteBoolean("determined", c.Curve is not null);
                json.WriteNumber("current_spend_fen", c.CurrentSpend);
                json.WriteNumber("max_weekly_spend_fen", c.MaxWeeklySpend);
                json.WriteNumber("weeks_with_spend", c.WeeksWithSpend);
                json.WriteNumber("attributed_gmv_fen", c.AttributedGmv);
                if (c.Curve is { } curve)
                {
                    json.WriteStartObject("fit");
                    ChannelsJson.Ratio(json, "a", Math.Exp(curve.Alpha - curve.Elasticity * curve.MeanLogSpend));
                    ChannelsJson.Ratio(json, "b", curve.Elasticity);
                    ChannelsJson.Ratio(json, "b_standard_error", curve.SeElasticity);
                    ChannelsJson.Ratio(json, "r_squared", curve.RSquared);
                    json.WriteNumber("weeks", curve.Weeks);
                    json.WriteEndObject();
                }
                else json.WriteNull("fit");
                ChannelsJson.Ratio(json, "marginal_roi", c.MarginalRoi);
                ChannelsJson.Ratio(json, "marginal_roi_low", c.MarginalRoiLow);
                ChannelsJson.Ratio(json, "marginal_roi_high", c.MarginalRoiHigh);
                json.WriteNumber("suggested_spend_fen", c.SuggestedSpend);
                ChannelsJson.Fen(json, "expected_gmv_now_fen", c.ExpectedGmvNow);
                ChannelsJson.Fen(json, "expected_gmv_suggested_fen", c.ExpectedGmvSuggested);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in advice.Notes) json.WriteStringValue(note);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Text(NextYuanAnswer answer)
    {
        var a = answer.Advice;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"where the next yuan goes: {answer.Weeks.Mondays.Count} weeks {Day(answer.Weeks.First)}..{Day(answer.Weeks.Last)}, GMV by {NextYuanHandler.ModelName(answer.Model)} attribution; yuan per week\n");
        text.Append(CultureInfo.InvariantCulture, $"{"channel",-14}{"verdict",-13}{"spend now",12}{"suggested",12}{"mROI",7}{"95% interval",15}{"b",7}  reason\n");
        foreach (var c in a.Channels)
        {
            var interval = c.MarginalRoiLow is { } lo && c.MarginalRoiHigh is { } hi ? $"{lo:0.00}–{hi:0.00}" : "-";
            text.Append(CultureInfo.InvariantCulture,
                $"{c.Channel,-14}{c.Verdict,-13}{Yuan(c.CurrentSpend),12}{Yuan(c.SuggestedSpend),12}{(c.MarginalRoi is { } m ? m.ToString("0.00", CultureInfo.InvariantCulture) : "-"),7}{interval,15}{(c.Curve is { } k ? k.Elasticity.ToString("0.00", CultureInfo.InvariantCulture) : "-"),7}  {c.Reason}\n");
        }
        text.Append(CultureInfo.InvariantCulture,
            $"budget {Yuan(a.Budget)} a week (spent now: {Yuan(a.CurrentTotalSpend)}); suggested {Yuan(a.SuggestedTotalSpend)}, unallocated {Yuan(a.Unallocated)}; expected GMV change {Yuan(a.ExpectedGmvChange)} a week\n");
        foreach (var note in a.Notes) text.Append("note: ").Append(note).Append('\n');
        return text.ToString();
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string Yuan(long fen) => (fen / 100m).ToString("#,0", CultureInfo.InvariantCulture);
}

/// <summary><c>GET /v1/grow/next-yuan?weeks=12&amp;budget=&lt;fen per week&gt;&amp;model=time_decay</c>.</summary>
internal static class NextYuanEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/grow/next-yuan", GetAsync).Requires(Permission.ReportsRead).QueryTimeLimit().WithName("GrowNextYuan")
            .WithSummary("Where the next yuan goes: each paid channel's marginal ROI from a saturating response curve over recent weeks, with its uncertainty and a verdict (add, hold, cut, cannot_tell), and a weekly budget (fen) reallocated to equalise marginal ROI")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(NextYuanHandler handler, EventIndexHost host, string? weeks, string? budget,
        string? model, bool? stale_ok, CancellationToken ct)
    {
        if (!NextYuanHandler.ParseFen(budget, "budget").TryGetValue(out var fen, out var error)) return error.ToProblem();
        if (!NextYuanHandler.Check(weeks, fen, model, "weeks", "budget", "model").TryGetValue(out var question, out error)) return error.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var answer = handler.Run(index, question);
        return answer.TryGetValue(out var advice, out error) ? TypedResults.Text(NextYuanJson.Write(advice), "application/json") : error.ToProblem();
    }
}

/// <summary><c>flywheel channels next-yuan [--budget &lt;yuan per week&gt;] [--weeks 12] [--model time_decay] [--json]</c>.</summary>
internal static class NextYuanCommand
{
    public static Command Create(CliContext cli)
    {
        var budget = new Option<string?>("--budget") { Description = "Weekly budget in yuan to spread over the channels; default: what they spend now" };
        var weeks = new Option<string?>("--weeks") { Description = $"Full weeks to learn from ({NextYuanHandler.MinWeeks}-{NextYuanHandler.MaxWeeks}); default {NextYuanHandler.DefaultWeeks}" };
        var model = new Option<string?>("--model") { Description = "Attribution model of the GMV: time_decay (default), position_based, last_click, first_click, linear, markov" };
        var json = new Option<bool>("--json") { Description = "Print the JSON of GET /v1/grow/next-yuan (money in fen)" };
        var command = new Command("next-yuan", "Where the next yuan goes: marginal ROI per paid channel with its uncertainty, and a budget reallocated") { budget, weeks, model, json };
        command.SetAction(async (parse, ct) =>
        {
            if (!NextYuanHandler.ParseYuan(parse.GetValue(budget), "--budget").TryGetValue(out var fen, out var bad)) return await cli.FailAsync(bad);
            if (!NextYuanHandler.Check(parse.GetValue(weeks), fen, parse.GetValue(model), "--weeks", "--budget", "--model").TryGetValue(out var question, out bad))
                return await cli.FailAsync(bad);
            return await cli.RunAsync(parse, async services =>
            {
                var index = await IndexLoading.BuildAsync(services.GetRequiredService<FlywheelStore>(), cli.Console, ct);
                var answer = services.GetRequiredService<NextYuanHandler>().Run(index, question);
                if (!answer.TryGetValue(out var advice, out var error)) return await cli.FailAsync(error);
                await cli.Console.Out.WriteAsync(parse.GetValue(json) ? NextYuanJson.Write(advice, indented: true) + "\n" : NextYuanJson.Text(advice));
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
