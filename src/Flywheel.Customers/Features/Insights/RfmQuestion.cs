using Flywheel.Analytics.Contracts;
using Flywheel.Customers.Rfm;
using Flywheel.Primitives;

namespace Flywheel.Customers.Features.Insights;

/// <summary>An RFM question as <c>GET /v1/rfm</c> and <c>flywheel rfm</c> receive it (null: the default).</summary>
internal sealed record RfmInput(string? AsOf, int? Window, string? Thresholds, string? Compare, int? Customers);

/// <summary>A checked RFM question; <see cref="Query"/>'s day is the last day with data when the question gave none.</summary>
internal sealed record RfmPlan(DateOnly? AsOf, RfmQuery Query, DateOnly? Compare, int Customers);

/// <summary>The scores, and how customers moved between segments when a later day was asked for.</summary>
internal sealed record RfmAnswer(RfmResult Result, RfmMigration? Migration);

/// <summary>
/// The one place an RFM question is checked and run, for both surfaces. Errors name the request's fields (<c>as_of</c>,
/// <c>window</c>, <c>thresholds</c>, <c>thresholds.r</c>, <c>compare</c>, <c>customers</c>).
/// </summary>
internal static class RfmQuestion
{
    public const int MaxCustomers = 100_000;

    public static Result<RfmPlan> Check(RfmInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!LocalCalendar.ParseDay(input.AsOf, "as_of").TryGetValue(out var asOf, out var badAsOf)) return badAsOf;
        if (!LocalCalendar.ParseDay(input.Compare, "compare").TryGetValue(out var compare, out var badCompare)) return badCompare;
        if (input.Customers is < 0 or > MaxCustomers) return Error.Invalid("customers", $"customers is 0 to {MaxCustomers}");
        RfmThresholds? cuts = null;
        if (input.Thresholds is { } text && !RfmThresholds.Parse(text).TryGetValue(out cuts, out var badCuts)) return badCuts;
        var query = new RfmQuery(asOf ?? RfmQuery.Earliest, input.Window ?? 365, cuts);
        if (query.Validate() is { } invalid) return invalid.Path == "as-of" ? invalid with { Path = "as_of" } : invalid;
        if (asOf is { } a && compare is { } c && c <= a) return Error.Invalid("compare", $"{c:yyyy-MM-dd} must come after as_of {a:yyyy-MM-dd}");
        return new RfmPlan(asOf, query, compare, input.Customers ?? 0);
    }

    /// <summary>Each customer's CLV at the query's day, from the fit <paramref name="insights"/> holds; null when there is no fit.</summary>
    public static Func<RfmQuery, Func<int, long?>?> ClvOf(CustomerInsights insights, EventIndex index)
    {
        ArgumentNullException.ThrowIfNull(insights);
        ArgumentNullException.ThrowIfNull(index);
        return query => insights.Clvs(index, query.AsOf) is { } all ? v => all[v] : null;
    }

    /// <summary>Scores as of the plan's day (or the last day with data); <paramref name="clv"/> adds each customer's CLV when a fit is loaded.</summary>
    public static Result<RfmAnswer> Run(RfmPlan plan, EventIndex index, DateOnly today, Func<RfmQuery, Func<int, long?>?>? clv = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var query = plan.Query with { AsOf = plan.AsOf ?? LocalCalendar.DataRange(index, today).Last };
        if (query.Validate() is { } invalid) return invalid.Path == "as-of" ? invalid with { Path = "as_of" } : invalid;
        if (!RfmEngine.Run(index, query, clv?.Invoke(query)).TryGetValue(out var result, out var error)) return error;
        RfmMigration? migration = null;
        if (plan.Compare is { } later && !RfmEngine.Migration(index, query, later).TryGetValue(out migration, out error)) return error;
        return new RfmAnswer(result, migration);
    }
}
