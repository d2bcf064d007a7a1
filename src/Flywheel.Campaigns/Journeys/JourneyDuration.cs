using System.Globalization;

namespace Flywheel.Campaigns.Journeys;

/// <summary>The journey language's durations ("30m", "2h", "7d", "1w") and local times ("10:00").</summary>
internal static class JourneyDuration
{
    /// <summary>The longest wait, re-entry period or "within" window: 365 days.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(365);

    /// <summary>Parses an integer (optionally negative: the validator, not the parser, rejects those) and a unit m, h, d or w.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2 || text.Length > 12) return false;
        var unit = text[^1];
        if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return false;
        if (!char.IsAsciiDigit(text[^2])) return false;
        var minutes = unit switch { 'm' => 1L, 'h' => 60L, 'd' => 1440L, 'w' => 10080L, _ => 0L };
        if (minutes == 0 || Math.Abs(n) > 100_000_000) return false;
        duration = TimeSpan.FromMinutes(n * minutes);
        return true;
    }

    /// <summary>The shortest text for a whole number of minutes: "7d", "2h", "90m" (weeks are written in days).</summary>
    public static string Format(TimeSpan duration)
    {
        var minutes = (long)duration.TotalMinutes;
        if (minutes != 0 && minutes % 1440 == 0) return (minutes / 1440).ToString(CultureInfo.InvariantCulture) + "d";
        if (minutes != 0 && minutes % 60 == 0) return (minutes / 60).ToString(CultureInfo.InvariantCulture) + "h";
        return minutes.ToString(CultureInfo.InvariantCulture) + "m";
    }

    /// <summary>A 24-hour local time, exactly HH:mm ("09:30", "23:59").</summary>
    public static bool TryParseLocalTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
