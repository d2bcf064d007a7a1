using System.CommandLine;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Storage;
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

namespace Flywheel.Grow.Features.Content;

/// <summary>The content report (<see cref="ContentReport"/>) over the ledger, the record's content touches and the event index's orders.</summary>
internal sealed class ContentReportHandler(FlywheelStore store, EventIndexHost host, TimeProvider time)
{
    public async Task<Result<ContentReportResult>> HandleAsync(string? from, string? to, string fromPath, string toPath, CancellationToken ct)
    {
        var index = await host.GetAsync(allowStale: false, ct);
        var range = ReportRange.Resolve(index, time, from, to, fromPath, toPath);
        if (!range.TryGetValue(out var r, out var error)) return error;
        return await RunAsync(index, r, ct);
    }

    public async Task<ContentReportResult> RunAsync(EventIndex index, ReportRange range, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(range);
        var items = await new ContentStore(store).ListAsync(ct);
        var touches = await ContentTouches.WithContentAsync(store, range.FromMs - ContentReport.LookbackDays * 86_400_000L, range.ToMs, ContentReport.TouchTypes, ct);
        return ContentReport.Run(items, touches, index, range.From, range.To, range.FromMs, range.ToMs);
    }
}

/// <summary><c>GET /v1/content/report?from=&amp;to=</c>.</summary>
internal static class ContentReportEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/content/report", ReportAsync).Requires(Permission.ReportsRead).QueryTimeLimit().WithName("ContentReport")
            .WithSummary("Content click-through against conversion per item and per platform (内容页点击率 vs 转化率), with each item's quadrant; default: the 30 days ending at the data's last day");

    internal static async Task<Results<JsonHttpResult<ContentReportResult>, ProblemHttpResult>> ReportAsync(ContentReportHandler handler, string? from, string? to,
        CancellationToken ct)
    {
        var report = await handler.HandleAsync(from, to, "from", "to", ct);
        return report.TryGetValue(out var result, out var error) ? ContentHttp.Json(result) : error.ToProblem();
    }
}

/// <summary><c>flywheel content report [--from D] [--to D] [--format text|json]</c>.</summary>
internal static class ContentReportCommand
{
    public static Command Create(CliContext cli)
    {
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd); default: 30 days before --to" };
        var to = new Option<string?>("--to") { Description = "Last day (yyyy-MM-dd); default: the last day holding data" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("report", "Content CTR vs CVR per item and platform, with the quadrant (watched but does not sell, sells, ...)") { from, to, format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            return await cli.RunAsync(parse, async services =>
            {
                var report = await services.GetRequiredService<ContentReportHandler>().HandleAsync(parse.GetValue(from), parse.GetValue(to), "--from", "--to", ct);
                if (!report.TryGetValue(out var r, out var error)) return await cli.FailAsync(error);
                var o = cli.Console.Out;
                if (parse.GetValue(format) == "json")
                {
                    await o.WriteLineAsync(ContentHttp.Serialize(r));
                    return ExitCodes.Ok;
                }
                await o.WriteLineAsync($"content {r.From:yyyy-MM-dd} .. {r.To:yyyy-MM-dd}: {r.Items.Count} items; median CTR {ContentHttp.Percent(r.MedianCtr)}, median CVR {ContentHttp.Percent(r.MedianCvr)}");
                await o.WriteLineAsync("platform      items  views        clicks   CTR      orders  CVR      GMV            cost           cost/order   ROI");
                foreach (var p in r.Platforms)
                    await o.WriteLineAsync($"{p.Platform,-12}  {p.Items,5}  {p.Views,11:N0}  {p.Clicks,7:N0}  {ContentHttp.Percent(p.Ctr),7}  {p.Orders,6:N0}  {ContentHttp.Percent(p.Cvr),7}  {ContentHttp.Yuan(p.Gmv),13}  {ContentHttp.Yuan(p.Cost),13}  {(p.CostPerOrder is { } c ? ContentHttp.Yuan(c) : "-"),11}  {ContentHttp.Ratio(p.Roi)}");
                await o.WriteLineAsync();
                await o.WriteLineAsync("content                  platform      views        clicks   CTR      orders  CVR      GMV            ROI     quadrant");
                foreach (var i in r.Items.OrderByDescending(i => i.Gmv).ThenBy(i => i.ContentId, StringComparer.Ordinal))
                    await o.WriteLineAsync($"{i.ContentId,-24} {i.Platform,-12}  {i.Views,11:N0}  {i.Clicks,7:N0}  {ContentHttp.Percent(i.Ctr),7}  {i.Orders,6:N0}  {ContentHttp.Percent(i.Cvr),7}  {ContentHttp.Yuan(i.Gmv),13}  {ContentHttp.Ratio(i.Roi),6}  {i.Quadrant}");
                await o.WriteLineAsync();
                await o.WriteLineAsync("rules: " + r.Rules);
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
