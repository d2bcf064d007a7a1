using Flywheel.Analytics.Contracts;
using Flywheel.Hosting.Cli;

namespace Flywheel.Analytics.Features.Reports;

/// <summary>The --from/--to pair every report command takes.</summary>
internal static class ReportRange
{
    /// <summary>
    /// Checks a --from/--to pair (dates as yyyy-MM-dd, either may be absent): the option at fault and what is wrong with
    /// it, or null when the range is usable.
    /// </summary>
    public static (string Option, string Message)? Problem(string? from, string? to, out DateOnly? fromDay, out DateOnly? toDay)
    {
        toDay = null;
        if (!CliContext.TryDay(from, out fromDay)) return ("--from", "takes a date as yyyy-MM-dd");
        if (!CliContext.TryDay(to, out toDay)) return ("--to", "takes a date as yyyy-MM-dd");
        if (fromDay is { } early && LocalCalendar.CheckDay("--from", early) is { } badFrom) return ("--from", badFrom.Message);
        if (toDay is { } late && LocalCalendar.CheckDay("--to", late) is { } badTo) return ("--to", badTo.Message);
        if (fromDay is { } f && toDay is { } t && t < f) return ("--to", $"{t:yyyy-MM-dd} is before --from {f:yyyy-MM-dd}");
        return null;
    }
}
