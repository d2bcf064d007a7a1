using System.CommandLine;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Domain.Keywords;
using Flywheel.Grow.Features.Content;
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

namespace Flywheel.Grow.Features.Keywords;

/// <summary>The keyword table (<see cref="KeywordReport"/>): on-site search terms and paid keywords, one table with a kind column.</summary>
internal sealed class KeywordsHandler(FlywheelStore store, EventIndexHost host, TimeProvider time)
{
    public async Task<Result<KeywordReportResult>> HandleAsync(string? from, string? to, string fromPath, string toPath, CancellationToken ct)
    {
        var index = await host.GetAsync(allowStale: false, ct);
        var range = ReportRange.Resolve(index, time, from, to, fromPath, toPath);
        if (!range.TryGetValue(out var r, out var error)) return error;
        var searches = await ContentTouches.WithTermAsync(store, r.FromMs - KeywordReport.ConversionHours * 3_600_000L, r.ToMs, ["search"], ct);
        var touches = await ContentTouches.WithTermAsync(store, r.FromMs - ContentReport.LookbackDays * 86_400_000L, r.ToMs, ContentReport.TouchTypes, ct);
        var spend = await ContentTouches.AdGroupSpendAsync(store, r.From, r.To, ct);
        return KeywordReport.Run(searches, touches, spend, index, r.From, r.To, r.FromMs, r.ToMs);
    }
}

/// <summary><c>GET /v1/keywords?from=&amp;to=</c>.</summary>
internal static class KeywordsEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/keywords", KeywordsAsync).Requires(Permission.ReportsRead).QueryTimeLimit().WithName("Keywords")
            .WithSummary("Search keywords for SEO/SEM: on-site search terms (searches, click-through, conversion, GMV, zero-result searches) and paid keywords (cost, clicks, CPC, conversions, ROI) in one table");

    internal static async Task<Results<JsonHttpResult<KeywordReportResult>, ProblemHttpResult>> KeywordsAsync(KeywordsHandler handler, string? from, string? to,
        CancellationToken ct)
    {
        var report = await handler.HandleAsync(from, to, "from", "to", ct);
        return report.TryGetValue(out var result, out var error) ? ContentHttp.Json(result) : error.ToProblem();
    }
}

/// <summary><c>flywheel keywords [--from D] [--to D] [--format text|json]</c>.</summary>
internal static class KeywordsCommand
{
    public static Command Create(CliContext cli)
    {
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd); default: 30 days before --to" };
        var to = new Option<string?>("--to") { Description = "Last day (yyyy-MM-dd); default: the last day holding data" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("keywords", "Search keywords: on-site search terms and paid keywords in one table (SEO/SEM)") { from, to, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            return await cli.RunAsync(parse, async services =>
            {
                var report = await services.GetRequiredService<KeywordsHandler>().HandleAsync(parse.GetValue(from), parse.GetValue(to), "--from", "--to", ct);
                if (!report.TryGetValue(out var r, out var error)) return await cli.FailAsync(error);
                var o = cli.Console.Out;
                if (parse.GetValue(format) == "json")
                {
                    await o.WriteLineAsync(ContentHttp.Serialize(r));
                    return ExitCodes.Ok;
                }
                await o.WriteLineAsync($"keywords {r.From:yyyy-MM-dd} .. {r.To:yyyy-MM-dd}");
                await o.WriteLineAsync("kind    keyword         channel    searches  searchers  click-through  zero-result  clicks   cost          CPC       orders  conversion  GMV            ROI");
                foreach (var k in r.Keywords)
                    await o.WriteLineAsync($"{k.Kind,-7} {k.Keyword,-15} {k.Channel ?? "-",-9}  {N(k.Searches),8}  {N(k.Searchers),9}  {ContentHttp.Percent(k.ClickThrough),13}  {N(k.ZeroResultSearches),11}  " +
                                           $"{N(k.Clicks),6}  {(k.Cost is { } c ? ContentHttp.Yuan(c) : "-"),12}  {(k.Cpc is { } p ? ContentHttp.Yuan(p) : "-"),8}  {k.Orders,6:N0}  " +
                                           $"{ContentHttp.Percent(k.ConversionRate),10}  {ContentHttp.Yuan(k.Gmv),13}  {ContentHttp.Ratio(k.Roi)}");
                if (r.Keywords.Count == 0) await cli.Console.Error.WriteLineAsync("no searches with a term and no keyword spend in the period");
                await o.WriteLineAsync();
                await o.WriteLineAsync("rules: " + r.Rules);
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static string N(long? n) => n is { } v ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
