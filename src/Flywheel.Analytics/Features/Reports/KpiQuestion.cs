using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Analytics.Kpis;
using Flywheel.Analytics.Scopes;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>A KPI question as <c>GET /v1/metrics</c> and <c>flywheel report kpi</c> receive it.</summary>
internal sealed record KpiInput(string? From, string? To, string? By, ScopeInput Scope, string? Segment, IReadOnlyList<string?> Compare);

/// <summary>A checked KPI question: ready to run on any index.</summary>
internal sealed record KpiPlan(DateOnly? From, DateOnly? To, KpiGrouping Grouping, Scope Scope, string? Segment, KpiComparison Compare);

/// <summary>
/// The one place a KPI question is checked and run, for both surfaces. Without dates, the report ends on the last day with
/// data and starts <paramref name="defaultDays"/> days before it (the API's default, 30) or on the first day with data (the
/// command line's, null).
/// </summary>
internal static class KpiQuestion
{
    /// <summary>Checks everything that can be checked without the store.</summary>
    public static Result<KpiPlan> Check(KpiInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ReportInput.Range(input.From, input.To).TryGetValue(out var range, out var badRange)) return badRange;
        var grouping = KpiGrouping.Total;
        if (input.By is not null)
        {
            if (KpiQuery.ParseGrouping(input.By) is not { } parsed) return Error.Invalid("by", $"unknown grouping '{input.By}' ({KpiQuery.GroupingNames})");
            grouping = parsed;
        }
        if (!KpiQuery.ParseComparisons(input.Compare).TryGetValue(out var compare, out var badCompare)) return badCompare;
        var scope = input.Scope.ToScope();
        if (scope.Validate() is { } badScope) return badScope;
        if (input.Segment is { Length: 0 }) return Error.Invalid("segment", "an empty segment name");
        return new KpiPlan(range.From, range.To, grouping, scope, input.Segment, compare);
    }

    public static async Task<Result<KpiReport>> RunAsync(KpiPlan plan, EventIndex index, FlywheelStore store, ISegmentMembers? members, DateOnly today,
        int? defaultDays, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (first, last) = LocalCalendar.DataRange(index, today);
        var to = plan.To ?? last;
        var scoped = await SegmentScope.ApplyAsync(members, store, index, plan.Scope, plan.Segment, to, "segment", ct);
        if (!scoped.TryGetValue(out var scope, out var unknown)) return unknown;
        var from = plan.From ?? (defaultDays is { } days ? last.AddDays(1 - days) : first);
        var report = KpiEngine.Report(index, new KpiQuery(from, to, plan.Grouping, scope.IsAll ? null : scope, plan.Compare));
        // Periods the data does not cover are flagged partial (an empty store has no data end to cut them).
        return report.TryGetValue(out var measured, out var error) ? measured with { Data = HasData(index) ? (first, last) : null } : error;
    }

    private static bool HasData(EventIndex index) => index.EventTime.Length > 0 || index.OrderPaidTime.Length > 0;
}
