using Flywheel.Analytics.Cohorts;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>A cohort question as <c>POST /v1/cohorts</c> and <c>flywheel report cohort</c> receive it (null: the default).</summary>
internal sealed record CohortInput(string? From, string? To, string? Period, string? Entry, string? Return, int? Periods, ScopeInput Scope, string? Segment);

/// <summary>A checked cohort question; <see cref="Query"/>'s range is filled in from the data when the question gave none.</summary>
internal sealed record CohortPlan(DateOnly? From, DateOnly? To, CohortQuery Query, string? Segment);

/// <summary>A cohort question's answer: the query as run (its range filled in from the data) and its rows.</summary>
internal sealed record CohortAnswer(CohortQuery Query, IReadOnlyList<CohortRow> Rows);

/// <summary>The one place a cohort question is checked and run, for both surfaces.</summary>
internal static class CohortQuestion
{
    public static Result<CohortPlan> Check(CohortInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ReportInput.Range(input.From, input.To).TryGetValue(out var range, out var badRange)) return badRange;
        var period = input.Period ?? "month";
        if (period is not ("week" or "month")) return Error.Invalid("period", $"'{period}' is not week or month");
        var returning = input.Return ?? "purchase";
        if (returning is not ("purchase" or "any")) return Error.Invalid("return", $"'{returning}' is not purchase or any");
        if (CohortEntry.Parse(input.Entry ?? "first_purchase") is not { } entry)
            return Error.Invalid("entry", $"'{input.Entry}' is not first_purchase, signup or first:<event_type>");
        var scope = input.Scope.ToScope();
        if (scope.Validate() is { } badScope) return badScope;
        if (input.Segment is { Length: 0 }) return Error.Invalid("segment", "an empty segment name");
        // Checked with placeholder days (the data decides the range later), so everything but the range fails here, before the index.
        var day = range.From ?? range.To ?? new DateOnly(2020, 1, 1);
        var query = new CohortQuery(range.From ?? day, range.To ?? range.From ?? day, period == "week" ? CohortPeriod.Week : CohortPeriod.Month, entry,
            returning == "any" ? CohortReturn.AnyEvent : CohortReturn.Purchase, input.Periods ?? CohortQuery.DefaultPeriods, scope.IsAll ? null : scope);
        if (query.Validate() is { } invalid) return invalid;
        return new CohortPlan(range.From, range.To, query, input.Segment);
    }

    public static async Task<Result<CohortAnswer>> RunAsync(CohortPlan plan, EventIndex index, FlywheelStore store, ISegmentMembers? members,
        DateOnly today, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (first, last) = LocalCalendar.DataRange(index, today);
        var query = plan.Query with { From = plan.From ?? first, To = plan.To ?? last };
        if (plan.Segment is not null)
        {
            var scoped = await SegmentScope.ApplyAsync(members, store, index, query.Scope ?? Scopes.Scope.All, plan.Segment, query.To, "segment", ct);
            if (!scoped.TryGetValue(out var scope, out var unknown)) return unknown;
            query = query with { Scope = scope };
        }
        var run = CohortEngine.Run(index, query);
        return run.TryGetValue(out var rows, out var error) ? new CohortAnswer(query, rows) : error;
    }
}
