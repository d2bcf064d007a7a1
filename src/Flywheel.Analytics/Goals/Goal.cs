using System.Globalization;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Goals;

/// <summary>
/// A goal's target. Relative: a signed fraction of the baseline value (+20% is 0.2). Absolute: the value in the metric's
/// unit: fen for money metrics (gmv, aov, spend), a count for orders/buyers/uv, a fraction for cvr/repurchase_rate, a
/// ratio for roi.
/// </summary>
internal sealed record GoalTarget(bool IsRelative, decimal Value)
{
    /// <summary>The CLI/HTTP text form: "+20%", "-15%", or an absolute number (yuan for money metrics).</summary>
    public string ToText(string metric) =>
        IsRelative ? (Value >= 0 ? "+" : "") + (Value * 100).ToString("0.####", CultureInfo.InvariantCulture) + "%"
        : GoalMetrics.IsMoney(metric) ? MoneyText.Format((long)Value)
        : Value.ToString("0.##########", CultureInfo.InvariantCulture);
}

/// <summary>The raw text of a goal as the CLI options and the HTTP body give it; <see cref="Goal.Create"/> validates it.</summary>
internal sealed record GoalInput(string? Name, string? Metric, string? Target, string? Baseline, string? Start, string? Deadline, string? Channel);

/// <summary>
/// A SMART goal: a metric (optionally of one channel) to move from its value over a baseline period to a target by a
/// deadline. Dates are local days of the store's time zone, both ends inclusive.
/// </summary>
internal sealed record Goal(string Id, string Name, string Metric, string? Channel, DateOnly BaselineFrom, DateOnly BaselineTo,
    GoalTarget Target, DateOnly Start, DateOnly Deadline)
{
    private const int MaxDays = 3660;

    /// <summary>Checks a goal; the error's path names the field (metric, target, baseline, start, deadline, name).</summary>
    public Error? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) return Error.Invalid("name", "a goal needs a name");
        if (!GoalMetrics.IsKnown(Metric)) return Error.Invalid("metric", $"unknown metric '{Metric}' ({string.Join(", ", GoalMetrics.All)})");
        if (Channel is { } c && string.IsNullOrWhiteSpace(c)) return Error.Invalid("channel", "an empty channel");
        if (BaselineTo < BaselineFrom)
            return Error.Invalid("baseline", $"the baseline ends ({BaselineTo:yyyy-MM-dd}) before it starts ({BaselineFrom:yyyy-MM-dd})");
        if (BaselineTo.DayNumber - BaselineFrom.DayNumber > MaxDays) return Error.Invalid("baseline", "a baseline of more than ten years");
        if (Deadline < Start) return Error.Invalid("deadline", $"the deadline ({Deadline:yyyy-MM-dd}) is before the start ({Start:yyyy-MM-dd})");
        if (Deadline.DayNumber - Start.DayNumber > MaxDays) return Error.Invalid("deadline", "a goal of more than ten years");
        if (Target.IsRelative && Target.Value == 0) return Error.Invalid("target", "a relative target of 0% asks for no change");
        if (Target.IsRelative && Target.Value <= -1) return Error.Invalid("target", "a relative target of -100% or less");
        if (!Target.IsRelative && Target.Value < 0) return Error.Invalid("target", "a negative absolute target");
        return null;
    }

    /// <summary>Parses and validates the text form. Error paths: name, metric, target, baseline, start, deadline, channel.</summary>
    public static Result<Goal> Create(string id, GoalInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Name)) return Error.Invalid("name", "a goal needs a name");
        if (TextRules.Name(input.Name, "name") is { } badName) return badName;
        if (TextRules.Name(input.Channel, "channel", required: false, max: 64) is { } badChannel) return badChannel;
        var metric = input.Metric?.Trim().ToLowerInvariant() ?? "";
        if (!GoalMetrics.IsKnown(metric)) return Error.Invalid("metric", $"unknown metric '{input.Metric}' ({string.Join(", ", GoalMetrics.All)})");
        if (input.Target is null) return Error.Invalid("target", "a target is required: +20%, -15% or an absolute value");
        if (ParseTarget(input.Target, metric) is not { } target)
            return Error.Invalid("target", $"'{input.Target}' is not +N% / -N% or a number{(GoalMetrics.IsMoney(metric) ? " of yuan" : "")}");
        if (input.Baseline is null) return Error.Invalid("baseline", "a baseline period is required: yyyy-MM-dd..yyyy-MM-dd");
        var parts = input.Baseline.Split("..");
        if (parts.Length != 2 || !TryDay(parts[0], out var baseFrom) || !TryDay(parts[1], out var baseTo))
            return Error.Invalid("baseline", $"'{input.Baseline}' is not a period yyyy-MM-dd..yyyy-MM-dd");
        if (!TryDay(input.Start, out var start)) return Error.Invalid("start", $"'{input.Start}' is not a date as yyyy-MM-dd");
        if (!TryDay(input.Deadline, out var deadline)) return Error.Invalid("deadline", $"'{input.Deadline}' is not a date as yyyy-MM-dd");
        var goal = new Goal(id, input.Name.Trim(), metric, string.IsNullOrWhiteSpace(input.Channel) ? null : input.Channel.Trim(),
            baseFrom, baseTo, target, start, deadline);
        return goal.Validate() is { } invalid ? invalid : goal;
    }

    /// <summary>"+20%" / "-15%" / "20%" relative; otherwise absolute (yuan → fen for money metrics).</summary>
    public static GoalTarget? ParseTarget(string text, string metric)
    {
        text = text.Trim();
        if (text.EndsWith('%'))
        {
            return decimal.TryParse(text[..^1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pct)
                ? new GoalTarget(true, pct / 100m) : null;
        }
        if (GoalMetrics.IsMoney(metric))
            return MoneyText.TryParseMajor(text, out var fen) ? new GoalTarget(false, fen) : null;
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? new GoalTarget(false, value) : null;
    }

    private static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}

/// <summary>The metrics a goal can target, with their kinds.</summary>
internal static class GoalMetrics
{
    public static readonly IReadOnlyList<string> All = ["gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi"];

    public static bool IsKnown(string metric) => All.Contains(metric);

    /// <summary>Money in fen: gmv, aov, spend.</summary>
    public static bool IsMoney(string metric) => metric is "gmv" or "aov" or "spend";

    /// <summary>Sums over days: gmv, orders, spend.</summary>
    public static bool IsAdditive(string metric) => metric is "gmv" or "orders" or "spend";

    /// <summary>Distinct counts over the period: buyers, uv (not the sum of daily values).</summary>
    public static bool IsDistinctCount(string metric) => metric is "buyers" or "uv";

    /// <summary>Ratios over the whole period: cvr, aov, repurchase_rate, roi.</summary>
    public static bool IsRatio(string metric) => !IsAdditive(metric) && !IsDistinctCount(metric);
}
