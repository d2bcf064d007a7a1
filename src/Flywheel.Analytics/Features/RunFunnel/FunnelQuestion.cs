using Flywheel.Analytics.Audiences;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Features.Shared;
using Flywheel.Analytics.Funnels;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Analytics.Features.RunFunnel;

/// <summary>
/// A funnel question as <c>POST /v1/funnels</c> and <c>flywheel report funnel</c> receive it: parsed steps, and the rest as the
/// text the user gave. An audience to save is named by <see cref="AudienceName"/>; <see cref="AudienceOptionsGiven"/> says whether
/// any of its other fields were given (they only go with a name).
/// </summary>
internal sealed record FunnelInput(IReadOnlyList<FunnelStep> Steps, string? Window, string? Mode, string? By, string? From, string? To,
    string? AudienceName = null, int? DroppedAfter = null, string? AudienceTitle = null, bool CreateOnly = false, bool AudienceOptionsGiven = false);

/// <summary>A checked funnel question: ready to run on any index.</summary>
internal sealed record FunnelPlan(IReadOnlyList<FunnelStep> Steps, int WindowSeconds, FunnelMode Mode, FunnelBreakdown Breakdown, DateOnly? From, DateOnly? To,
    FunnelAudienceRequest? Audience);

/// <summary>A funnel's answer: the query as run, its result, and the audience saved from it (null when none was asked for).</summary>
internal sealed record FunnelAnswer(FunnelQuery Query, FunnelResult Result, SavedFunnelAudience? Saved);

/// <summary>
/// The one place a funnel question is checked and run, for both surfaces, so a bad mode, breakdown, window or date gets the same
/// message everywhere. Error paths name the request's fields (<c>window</c>, <c>mode</c>, <c>by</c>, <c>from</c>, <c>to</c>,
/// <c>steps</c>, <c>save_audience.name</c>, <c>save_audience.dropped_after</c>, <c>save_audience.title</c>); the HTTP edge writes
/// them as JSON paths, the command line as its options.
/// </summary>
internal static class FunnelQuestion
{
    /// <summary>Checks everything that can be checked without the store, so bad input costs nothing and writes nothing.</summary>
    public static Result<FunnelPlan> Check(FunnelInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Steps.Count == 0) return Error.Invalid("steps", "steps is required: product_view, add_to_cart, ...");
        if (!FunnelQuery.TryParseWindow(input.Window ?? "7d", out var window))
            return Error.Invalid("window", $"'{input.Window}' is not a window: give a duration such as 30m, 12h, 7d, or a number of seconds");
        FunnelMode mode;
        switch (input.Mode)
        {
            case null or "default": mode = FunnelMode.Default; break;
            case "strict_order": mode = FunnelMode.StrictOrder; break;
            case "strict_increase": mode = FunnelMode.StrictIncrease; break;
            case "strict_once": mode = FunnelMode.StrictOnce; break;
            default: return Error.Invalid("mode", $"unknown mode '{input.Mode}': default, strict_order, strict_increase or strict_once");
        }
        FunnelBreakdown breakdown;
        switch (input.By)
        {
            case null: breakdown = FunnelBreakdown.None; break;
            case "channel": breakdown = FunnelBreakdown.Channel; break;
            case "first_touch_channel": breakdown = FunnelBreakdown.FirstTouchChannel; break;
            default: return Error.Invalid("by", $"unknown breakdown '{input.By}': channel or first_touch_channel");
        }
        if (!ReportInput.Range(input.From, input.To).TryGetValue(out var range, out var badRange)) return badRange;
        var (fromDay, toDay) = range;
        var query = FunnelQuery.Create(input.Steps, window, mode, breakdown: breakdown);
        if (!query.IsSuccess) return query.Error!;

        FunnelAudienceRequest? audience = null;
        if (input.AudienceName is { } name)
        {
            if (input.DroppedAfter is not { } droppedAfter)
                return Error.Invalid("save_audience.dropped_after",
                    "dropped_after is required: the step number (1-based) whose visitors did not reach the next step, e.g. 2 for added to cart but did not pay");
            audience = new FunnelAudienceRequest(name, droppedAfter, input.AudienceTitle, input.CreateOnly);
            var check = FunnelAudience.Check(audience, input.Steps);
            if (!check.IsSuccess) return check.Error! with { Path = "save_audience." + check.Error.Path };
        }
        else if (input.AudienceOptionsGiven)
        {
            return Error.Invalid("save_audience.name", "dropped_after, title and create_only only go with the name of the audience to save");
        }
        return new FunnelPlan(input.Steps, window, mode, breakdown, fromDay, toDay, audience);
    }

    /// <summary>Runs a checked question on <paramref name="index"/> (days in its time zone) and saves the audience it asks for.</summary>
    public static async Task<Result<FunnelAnswer>> RunAsync(FunnelPlan plan, EventIndex index, FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(index);
        var calendar = new LocalCalendar(index.TimeZone);
        var query = FunnelQuery.Create(plan.Steps, plan.WindowSeconds, plan.Mode,
            plan.From is { } f ? calendar.StartOf(f) : null, plan.To is { } t ? calendar.StartOf(t.AddDays(1)) : null, plan.Breakdown);
        if (!query.TryGetValue(out var funnel, out var queryError)) return queryError;
        var run = FunnelEngine.Run(index, funnel);
        if (!run.TryGetValue(out var result, out var runError)) return runError;
        SavedFunnelAudience? saved = null;
        if (plan.Audience is { } audience)
        {
            var definition = FunnelAudienceDefinition.Of(funnel, plan.From, plan.To, audience.DroppedAfter);
            var saving = await FunnelAudience.SaveAsync(store, result, definition, audience, ct);
            if (!saving.TryGetValue(out saved, out var saveError)) return saveError with { Path = "save_audience." + saveError.Path };
        }
        return new FunnelAnswer(funnel, result, saved);
    }
}
