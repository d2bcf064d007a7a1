using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Flywheel.Grow.Features.Creators;

/// <summary>
/// <c>/v1/creators</c> (add, import CSV, list, the ROI report, the monthly payout) and <c>/v1/collaborations</c> (add, change status,
/// list). Every refusal is a ProblemDetails naming the field or the CSV row and column; nothing is stored on one.
/// </summary>
internal static class CreatorsEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/creators", AddCreatorAsync).Requires(Permission.MarketingWrite).WithName("AddCreator")
            .WithSummary("Add or update one creator (creator_id, name, platform, followers, tier, category)");
        group.MapPost("/creators/import", ImportCreatorsAsync).Requires(Permission.MarketingWrite).WithName("ImportCreators")
            .WithSummary("Import creators from a CSV body (text/csv), all or nothing; 400 naming the row and column of the first bad field");
        group.MapGet("/creators", ListCreatorsAsync).Requires(Permission.ReportsRead).WithName("Creators");
        group.MapGet("/creators/report", ReportAsync).Requires(Permission.ReportsRead).WithName("CreatorReport")
            .WithSummary("Reach, clicks, CTR, orders, GMV, new buyers, ROI, CPA and commission per creator, collaboration and tier");
        group.MapGet("/creators/payouts", PayoutsAsync).Requires(Permission.ReportsRead).WithName("CreatorPayouts")
            .WithSummary("One line per collaboration for a month (fee due, commission, commission reversed on refunds, total); format=csv for a sheet");
        group.MapPost("/collaborations", AddCollaborationAsync).Requires(Permission.MarketingWrite).WithName("AddCollaboration")
            .WithSummary("Add a collaboration; coupon_batch_id issues its exclusive coupon code through the coupon ledger");
        group.MapPatch("/collaborations/{id}", UpdateCollaborationAsync).Requires(Permission.MarketingWrite).WithName("UpdateCollaboration");
        group.MapGet("/collaborations", ListCollaborationsAsync).Requires(Permission.ReportsRead).WithName("Collaborations");
    }

    private static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, CreatorsJson.Options, "application/json", status);

    internal static async Task<Results<JsonHttpResult<Creator>, ProblemHttpResult>> AddCreatorAsync(HttpRequest request, CreatorsHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        Result<CreatorInput> input;
        using (body) input = CreatorsHandler.ParseCreator(body.Root);
        if (!input.TryGetValue(out var creator, out error)) return error.ToProblem();
        var saved = await handler.AddCreatorAsync(creator, ct);
        if (!saved.TryGetValue(out var result, out error)) return error.ToProblem();
        return Json(result.Creator, result.Added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    internal static async Task<Results<JsonHttpResult<Storage.CreatorsSaved>, ProblemHttpResult>> ImportCreatorsAsync(HttpRequest request, CreatorsHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        var type = request.ContentType ?? "";
        if (!type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
            return Error.UnsupportedFormat($"send the creators as CSV with Content-Type: text/csv (got {(type.Length == 0 ? "none" : type)})").ToProblem();
        var read = await RequestBody.ReadTextAsync(request, options.Value.MaxImportBytes, ct);
        if (!read.TryGetValue(out var text, out var error)) return error.ToProblem();
        var saved = await handler.ImportCreatorsAsync(text, ct);
        return saved.TryGetValue(out var result, out error) ? Json(result) : error.ToProblem();
    }

    internal static async Task<JsonHttpResult<IReadOnlyList<Creator>>> ListCreatorsAsync(CreatorsHandler handler, CancellationToken ct) =>
        Json(await handler.ListCreatorsAsync(ct));

    internal static async Task<Results<JsonHttpResult<CreatorReport>, ProblemHttpResult>> ReportAsync(CreatorsHandler handler, EventIndexHost host,
        string? from, string? to, string? model, bool? stale_ok, CancellationToken ct)
    {
        // Checked before the index is asked for: a bad day or model answers at once.
        if ((LocalCalendar.ParseDay(from, "from").Error ?? LocalCalendar.ParseDay(to, "to").Error ?? CreatorsHandler.ParseModel(model, "model").Error) is { } bad)
            return bad.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var report = await handler.ReportAsync(index, from, to, model, ct);
        return report.TryGetValue(out var result, out var error) ? Json(result) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<PayoutReport>, ContentHttpResult, ProblemHttpResult>> PayoutsAsync(CreatorsHandler handler,
        EventIndexHost host, string? month, string? model, string? format, bool? stale_ok, CancellationToken ct)
    {
        if (format is not (null or "json" or "csv")) return Error.Invalid("format", "format is json or csv").ToProblem();
        if (CreatorsHandler.ParseModel(model, "model").Error is { } badModel) return badModel.ToProblem();
        var index = await host.GetAsync(stale_ok == true, ct);
        var payouts = await handler.PayoutsAsync(index, month, model, ct);
        if (!payouts.TryGetValue(out var result, out var error)) return error.ToProblem();
        return format == "csv" ? TypedResults.Text(PayoutCsv.Write(result), "text/csv; charset=utf-8") : Json(result);
    }

    internal static async Task<Results<JsonHttpResult<Collaboration>, ProblemHttpResult>> AddCollaborationAsync(HttpRequest request, CreatorsHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        Result<CollaborationInput> input;
        using (body) input = CreatorsHandler.ParseCollaboration(body.Root);
        if (!input.TryGetValue(out var collaboration, out error)) return error.ToProblem();
        var added = await handler.AddCollaborationAsync(collaboration, ct);
        return added.TryGetValue(out var result, out error) ? Json(result, StatusCodes.Status201Created) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<Collaboration>, ProblemHttpResult>> UpdateCollaborationAsync(HttpRequest request, CreatorsHandler handler,
        IOptions<GrowOptions> options, string id, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        Result<(string? Status, string? LinkCode)> input;
        using (body) input = CreatorsHandler.ParseUpdate(body.Root);
        if (!input.TryGetValue(out var change, out error)) return error.ToProblem();
        var updated = await handler.UpdateCollaborationAsync(id, change.Status, change.LinkCode, ct);
        return updated.TryGetValue(out var result, out error) ? Json(result) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<IReadOnlyList<Collaboration>>, ProblemHttpResult>> ListCollaborationsAsync(CreatorsHandler handler,
        string? creator_id, string? status, CancellationToken ct)
    {
        var list = await handler.ListCollaborationsAsync(creator_id, status, ct);
        return list.TryGetValue(out var result, out var error) ? Json(result) : error.ToProblem();
    }
}

/// <summary>The payout as CSV for finance: a line per collaboration, then the total line; money in fen.</summary>
internal static class PayoutCsv
{
    public static string Write(PayoutReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        csv.Append("month,collab_id,creator_id,creator_name,title,status,commission_bp,fee_due,attributed_gmv,commission,refunded_gmv,commission_reversed,total\n");
        foreach (var l in report.Lines)
            csv.Append(CultureInfo.InvariantCulture, $"{report.Month},{Field(l.CollabId)},{Field(l.CreatorId)},{Field(l.CreatorName)},{Field(l.Title)},{l.Status},{l.CommissionBp},{l.FeeDue},{l.AttributedGmv},{l.Commission},{l.RefundedGmv},{l.CommissionReversed},{l.Total}\n");
        csv.Append(CultureInfo.InvariantCulture, $"{report.Month},TOTAL,,,,,,{report.FeeDue},,{report.Commission},,{report.CommissionReversed},{report.Total}\n");
        return csv.ToString();
    }

    private static string Field(string value)
    {
        // A leading =, +, - or @ would be a formula in a spreadsheet: quoted with a ' in front.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
