using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Matrix;
using Flywheel.Grow.Features.Stages;
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

namespace Flywheel.Grow.Features.ChannelMatrix;

/// <summary>
/// The channel matrix for a range of local days: <c>from</c> and <c>to</c> (yyyy-MM-dd, inclusive); default the
/// <see cref="DefaultDays"/> days ending on the event index's last day.
/// </summary>
internal sealed class ChannelMatrixHandler(ChannelStagesHandler stages, TimeProvider time)
{
    public const int DefaultDays = 90;

    /// <summary>The range the texts name, or the error naming <paramref name="fromPath"/> or <paramref name="toPath"/>.</summary>
    public static Result<(DateOnly? From, DateOnly? To)> ParseRange(string? from, string? to, string fromPath, string toPath)
    {
        if (!LocalCalendar.ParseDay(from, fromPath).TryGetValue(out var first, out var error)) return error;
        if (!LocalCalendar.ParseDay(to, toPath).TryGetValue(out var last, out error)) return error;
        if (first is { } f && last is { } l && f > l)
            return Error.Invalid(fromPath, $"from ({f:yyyy-MM-dd}) is after to ({l:yyyy-MM-dd})");
        return (first, last);
    }

    /// <summary>The matrix over the index: the days given, or the defaults around the data's last day.</summary>
    public async Task<Result<ChannelMatrixReport>> RunAsync(EventIndex index, DateOnly? from, DateOnly? to, string fromPath, CancellationToken ct)
    {
        var last = to ?? (from is { } f ? Max(f, LocalCalendar.DataEnd(index, time)) : LocalCalendar.DataEnd(index, time));
        var first = from ?? Max(LocalCalendar.EarliestDay, last.AddDays(-(DefaultDays - 1)));
        if (first > last) return Error.Invalid(fromPath, $"from ({first:yyyy-MM-dd}) is after to ({last:yyyy-MM-dd})");
        var map = await stages.MapAsync(ct);
        return ChannelMatrixEngine.Compute(index, first, last, map);
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}

/// <summary>The matrix as JSON (money in fen) and as text for the command line.</summary>
internal static class ChannelMatrixJson
{
    public static string Write(ChannelMatrixReport report, bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ChannelsJson.Writer(indented)))
        {
            json.WriteStartObject();
            json.WriteString("from", report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("to", report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("time_zone", report.TimeZone);
            json.WriteStartArray("stages");
            foreach (var stage in report.Stages)
            {
                json.WriteStartObject();
                json.WriteString("stage", stage.Stage);
                json.WriteString("label_zh", LifecycleStage.Chinese[stage.Stage]);
                Metrics(json, stage.Totals);
                ChannelsJson.Ratio(json, "budget_share", stage.BudgetShare);
                ChannelsJson.Ratio(json, "gmv_share", stage.GmvShare);
                json.WriteStartArray("channels");
                foreach (var cell in stage.Channels)
                {
                    json.WriteStartObject();
                    json.WriteString("channel", cell.Channel);
                    json.WriteString("stage", cell.Stage);
                    Metrics(json, cell.Metrics);
                    ChannelsJson.Ratio(json, "budget_share", cell.BudgetShare);
                    ChannelsJson.Ratio(json, "gmv_share", cell.GmvShare);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("total");
            Metrics(json, report.Total);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Metrics(Utf8JsonWriter json, MatrixMetrics m)
    {
        json.WriteNumber("impressions", m.Impressions);
        json.WriteNumber("clicks", m.Clicks);
        ChannelsJson.Ratio(json, "ctr", m.Ctr);
        json.WriteNumber("uv", m.Visitors);
        json.WriteNumber("buyers", m.Buyers);
        json.WriteNumber("orders", m.Orders);
        ChannelsJson.Ratio(json, "cvr", m.Cvr);
        json.WriteNumber("gmv_fen", m.Gmv);
        json.WriteNumber("spend_fen", m.Spend);
        ChannelsJson.Ratio(json, "roi", m.Roi);
        ChannelsJson.Fen(json, "cac_fen", m.Cac);
        json.WriteNumber("new_customers", m.NewCustomers);
        json.WriteNumber("repurchase_orders", m.RepurchaseOrders);
    }

    public static string Text(ChannelMatrixReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"channel matrix {report.From:yyyy-MM-dd}..{report.To:yyyy-MM-dd} ({report.TimeZone}); money in yuan\n");
        text.Append(CultureInfo.InvariantCulture,
            $"{"stage / channel",-22}{"impr",12}{"CTR",8}{"UV",9}{"orders",8}{"CVR",8}{"GMV",14}{"spend",13}{"ROI",7}{"CAC",9}{"new",7}{"repeat",7}{"budget%",9}{"GMV%",7}\n");
        foreach (var stage in report.Stages)
        {
            Line($"{stage.Stage} {LifecycleStage.Chinese[stage.Stage]}", stage.Totals, stage.BudgetShare, stage.GmvShare);
            foreach (var cell in stage.Channels) Line("  " + cell.Channel, cell.Metrics, cell.BudgetShare, cell.GmvShare);
        }
        Line("total", report.Total, report.Total.Spend > 0 ? 1 : null, report.Total.Gmv > 0 ? 1 : null);
        return text.ToString();

        void Line(string name, MatrixMetrics m, double? budget, double? gmv) =>
            text.Append(CultureInfo.InvariantCulture,
                $"{Cut(name, 21),-22}{m.Impressions,12:N0}{Pct(m.Ctr),8}{m.Visitors,9:N0}{m.Orders,8:N0}{Pct(m.Cvr),8}{Yuan(m.Gmv),14}{Yuan(m.Spend),13}{Num(m.Roi),7}{(m.Cac is { } c ? Yuan(c) : "-"),9}{m.NewCustomers,7:N0}{m.RepurchaseOrders,7:N0}{Pct(budget),9}{Pct(gmv),7}\n");
    }

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
    internal static string Yuan(long fen) => (fen / 100m).ToString("#,0", CultureInfo.InvariantCulture);
    internal static string Pct(double? value) => value is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
    internal static string Num(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}

/// <summary><c>GET /v1/grow/matrix?from=&amp;to=</c>: the channel matrix along the lifecycle, on the index the server holds.</summary>
internal static class ChannelMatrixEndpoint
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/grow/matrix", GetAsync).Requires(Permission.ReportsRead).QueryTimeLimit().WithName("GrowMatrix")
            .WithSummary("The channel matrix: every channel under the lifecycle stage it serves, with impressions, CTR, UV, CVR, GMV, spend, ROI, CAC, new customers against repurchases and budget share against GMV share; totals per stage")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(ChannelMatrixHandler handler, EventIndexHost host, string? from, string? to,
        bool? stale_ok, CancellationToken ct)
    {
        if (!ChannelMatrixHandler.ParseRange(from, to, "from", "to").TryGetValue(out var range, out var error)) return error.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var report = await handler.RunAsync(index, range.From, range.To, "from", ct);
        return report.TryGetValue(out var matrix, out error) ? TypedResults.Text(ChannelMatrixJson.Write(matrix), "application/json") : error.ToProblem();
    }
}

/// <summary><c>flywheel channels matrix [--from yyyy-MM-dd] [--to yyyy-MM-dd] [--json]</c>.</summary>
internal static class ChannelMatrixCommand
{
    public static Command Create(CliContext cli)
    {
        var from = new Option<string?>("--from") { Description = $"First day (yyyy-MM-dd, the store's time zone); default: {ChannelMatrixHandler.DefaultDays} days before --to" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive; default: the last day with data" };
        var json = new Option<bool>("--json") { Description = "Print the JSON of GET /v1/grow/matrix (money in fen)" };
        var command = new Command("matrix", "Every channel under the lifecycle stage it serves: traffic, conversion, GMV, spend, ROI, CAC, new against repeat") { from, to, json };
        command.SetAction(async (parse, ct) =>
        {
            if (!ChannelMatrixHandler.ParseRange(parse.GetValue(from), parse.GetValue(to), "--from", "--to").TryGetValue(out var range, out var bad))
                return await cli.FailAsync(bad);
            return await cli.RunAsync(parse, async services =>
            {
                var index = await IndexLoading.BuildAsync(services.GetRequiredService<FlywheelStore>(), cli.Console, ct);
                var report = await services.GetRequiredService<ChannelMatrixHandler>().RunAsync(index, range.From, range.To, "--from", ct);
                if (!report.TryGetValue(out var matrix, out var error)) return await cli.FailAsync(error);
                await cli.Console.Out.WriteAsync(parse.GetValue(json) ? ChannelMatrixJson.Write(matrix, indented: true) + "\n" : ChannelMatrixJson.Text(matrix));
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
