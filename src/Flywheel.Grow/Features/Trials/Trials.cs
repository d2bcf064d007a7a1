using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Domain.Trials;
using Flywheel.Grow.Features.Content;
using Flywheel.Grow.Storage;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.AspNetCore.Http;

namespace Flywheel.Grow.Features.Trials;

/// <summary>A programme with its applicants counted by status.</summary>
internal sealed record TrialSummary(Trial Trial, int Applied, int Selected, int Rejected, int Shipped, int Posted);

/// <summary>A programme with every applicant.</summary>
internal sealed record TrialDetail(Trial Trial, IReadOnlyList<TrialApplicant> Applicants);

/// <summary>
/// What a programme cost and brought over its days [starts_on, ends_on] (cut at the data's last day), beside paid creators' content:
/// applications = every applicant; selected = ever selected (selected, shipped, posted); shipped = shipped or posted; cost = units shipped ×
/// unit cost; cost per post = cost / posts; attributed orders and GMV = the content report's for the posts' items over the programme's days;
/// paid creators = content owned by a KOL published in the same days, their cost, attributed orders and cost per order, for comparison.
/// </summary>
internal sealed record TrialReportRow(string TrialId, string Name, string Sku, int Seats, long UnitCost, DateOnly From, DateOnly To,
    int Applications, int Selected, int Rejected, int Shipped, int Posted, long Cost, long? CostPerPost, long AttributedOrders, long AttributedGmv,
    long? CostPerAttributedOrder, double? Roi, int PaidCreatorItems, long PaidCreatorCost, long PaidCreatorOrders, long PaidCreatorGmv,
    long? PaidCreatorCostPerOrder, double? PaidCreatorRoi);

/// <summary>Trial-ambassador programmes (产品体验官): create, apply, select/reject, ship, post, report. Both surfaces call this.</summary>
internal sealed class TrialsHandler(FlywheelStore store, TimeProvider time, EventIndexHost host, ContentReportHandler content)
{
    private readonly TrialStore _trials = new(store);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<Result<Trial>> CreateAsync(CreateTrialRequest request, CancellationToken ct)
    {
        var checkedTrial = TrialRules.Check(request, Now);
        if (!checkedTrial.TryGetValue(out var trial, out var error)) return error;
        return await _trials.CreateAsync(trial, ct);
    }

    public async Task<IReadOnlyList<TrialSummary>> ListAsync(CancellationToken ct)
    {
        var applicants = (await _trials.ApplicantsAsync(null, ct)).ToLookup(a => a.TrialId, StringComparer.Ordinal);
        return [.. (await _trials.ListAsync(ct)).Select(t =>
        {
            var mine = applicants[t.TrialId].ToList();
            int Count(string status) => mine.Count(a => a.Status == status);
            return new TrialSummary(t, Count(TrialRules.Applied), Count(TrialRules.Selected), Count(TrialRules.Rejected), Count(TrialRules.Shipped), Count(TrialRules.Posted));
        })];
    }

    public async Task<Result<TrialDetail>> GetAsync(string trialId, CancellationToken ct) =>
        await _trials.GetAsync(trialId, ct) is { } trial
            ? new TrialDetail(trial, await _trials.ApplicantsAsync(trialId, ct))
            : Error.NotFound("trial_id", $"no programme '{trialId}'");

    public async Task<Result<TrialApplicant>> ApplyAsync(string trialId, ApplyRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TrialRules.IdError("applicant_id", request.ApplicantId) is { } bad) return bad;
        var kind = request.Kind ?? "customer";
        if (!TrialRules.Kinds.Contains(kind, StringComparer.Ordinal)) return Error.Invalid("kind", $"kind is {string.Join(" or ", TrialRules.Kinds)}");
        return await _trials.ApplyAsync(trialId, request.ApplicantId!, kind, Now, ct);
    }

    public async Task<Result<TrialApplicant>> MoveAsync(string trialId, string applicantId, MoveRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Status is not { } to || !TrialRules.From.ContainsKey(to))
            return Error.Invalid("status", "status is selected, rejected, shipped or posted");
        if (to == TrialRules.Posted)
        {
            if (TrialRules.IdError("content_id", request.ContentId) is { } bad) return bad with { Message = "a post names its content item: " + bad.Message };
            if (!await new ContentStore(store).ExistsAsync(request.ContentId!, ct))
                return Error.Invalid("content_id", $"no content item '{request.ContentId}': import it first (flywheel content import)");
        }
        else if (request.ContentId is not null) return Error.Invalid("content_id", "only a post (status posted) names a content item");
        return await _trials.MoveAsync(trialId, applicantId, to, request.ContentId, Now, ct);
    }

    /// <summary>The report of every programme, or of one.</summary>
    public async Task<Result<IReadOnlyList<TrialReportRow>>> ReportAsync(string? trialId, CancellationToken ct)
    {
        var trials = (await _trials.ListAsync(ct)).Where(t => trialId is null || t.TrialId == trialId).ToList();
        if (trialId is not null && trials.Count == 0) return Error.NotFound("trial_id", $"no programme '{trialId}'");
        var applicants = (await _trials.ApplicantsAsync(null, ct)).ToLookup(a => a.TrialId, StringComparer.Ordinal);
        var index = await host.GetAsync(allowStale: false, ct);
        var dataEnd = LocalCalendar.DataEnd(index, time);
        var calendar = new LocalCalendar(index.TimeZone);
        var rows = new List<TrialReportRow>(trials.Count);
        foreach (var t in trials)
        {
            var to = t.EndsOn > dataEnd && t.StartsOn <= dataEnd ? dataEnd : t.EndsOn;
            var range = new ReportRange(t.StartsOn, to, EventIndex.ToUnixMs(calendar.StartOf(t.StartsOn)), EventIndex.ToUnixMs(calendar.StartOf(to.AddDays(1))));
            var report = await content.RunAsync(index, range, ct);
            var mine = applicants[t.TrialId].ToList();
            int Count(params string[] statuses) => mine.Count(a => statuses.Contains(a.Status, StringComparer.Ordinal));
            var shipped = Count(TrialRules.Shipped, TrialRules.Posted);
            var posted = Count(TrialRules.Posted);
            var cost = checked(shipped * t.UnitCost);
            var posts = mine.Where(a => a.ContentId is not null).Select(a => a.ContentId!).ToHashSet(StringComparer.Ordinal);
            var postRows = report.Items.Where(i => posts.Contains(i.ContentId)).ToList();
            long orders = postRows.Sum(i => i.Orders), gmv = postRows.Sum(i => i.Gmv);
            var paid = report.Items.Where(i => i.Owner == "kol" && i.PublishedAt >= range.FromMs && i.PublishedAt < range.ToMs).ToList();
            long paidCost = paid.Sum(i => i.Cost), paidOrders = paid.Sum(i => i.Orders), paidGmv = paid.Sum(i => i.Gmv);
            rows.Add(new TrialReportRow(t.TrialId, t.Name, t.Sku, t.Seats, t.UnitCost, range.From, range.To, mine.Count, Count(TrialRules.Selected, TrialRules.Shipped, TrialRules.Posted),
                Count(TrialRules.Rejected), shipped, posted, cost, ContentReport.PerUnit(cost, posted), orders, gmv, ContentReport.PerUnit(cost, orders),
                ContentReport.Ratio(gmv, cost), paid.Count, paidCost, paidOrders, paidGmv, ContentReport.PerUnit(paidCost, paidOrders), ContentReport.Ratio(paidGmv, paidCost)));
        }
        return rows;
    }
}

/// <summary>Reads a JSON body into a request record of the trial endpoints: snake_case fields, unknown fields refused.</summary>
internal static class TrialsBody
{
    private static readonly JsonSerializerOptions Strict = new(ContentHttp.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken ct) where T : class
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body)
        {
            if (body.Root.ValueKind != JsonValueKind.Object) return Error.Invalid("$", "the body is a JSON object");
            try
            {
                return body.Root.Deserialize<T>(Strict) is { } value ? value : Error.Invalid("$", "the body is a JSON object");
            }
            catch (JsonException e)
            {
                var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
                return Error.Invalid(path, $"{path}: {(e.Message.Split(". Path:", 2)[0])}");
            }
        }
    }
}
