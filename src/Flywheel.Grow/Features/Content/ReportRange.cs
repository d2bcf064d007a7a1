using Flywheel.Analytics.Contracts;
using Flywheel.Primitives;

namespace Flywheel.Grow.Features.Content;

/// <summary>A report's local days [From, To] and their bounds in Unix milliseconds ([FromMs, ToMs), ToMs the start of the day after To).</summary>
internal sealed record ReportRange(DateOnly From, DateOnly To, long FromMs, long ToMs)
{
    /// <summary>Days a report covers when given no from: the 30 days ending at to.</summary>
    public const int DefaultDays = 30;

    /// <summary>
    /// The range from the texts (yyyy-MM-dd, either may be absent): to defaults to the last day holding data (the event index's), from to
    /// 30 days before to. Errors name <paramref name="fromPath"/> or <paramref name="toPath"/>.
    /// </summary>
    public static Result<ReportRange> Resolve(EventIndex index, TimeProvider time, string? fromText, string? toText, string fromPath, string toPath)
    {
        ArgumentNullException.ThrowIfNull(index);
        var fromDay = LocalCalendar.ParseDay(fromText, fromPath);
        if (!fromDay.TryGetValue(out var from, out var error)) return error;
        var toDay = LocalCalendar.ParseDay(toText, toPath);
        if (!toDay.TryGetValue(out var to, out error)) return error;
        var last = to ?? LocalCalendar.DataEnd(index, time);
        var first = from ?? (last.DayNumber - (DefaultDays - 1) >= LocalCalendar.EarliestDay.DayNumber ? last.AddDays(-(DefaultDays - 1)) : LocalCalendar.EarliestDay);
        if (first > last) return Error.Invalid(fromPath, $"from ({first:yyyy-MM-dd}) is after to ({last:yyyy-MM-dd})");
        var calendar = new LocalCalendar(index.TimeZone);
        return new ReportRange(first, last, EventIndex.ToUnixMs(calendar.StartOf(first)), EventIndex.ToUnixMs(calendar.StartOf(last.AddDays(1))));
    }
}
