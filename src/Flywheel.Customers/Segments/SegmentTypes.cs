using System.Globalization;
using NodaTime;

namespace Flywheel.Customers.Segments;

/// <summary>The type of a field's value in the rule language.</summary>
internal enum SegmentType
{
    /// <summary>A count, an age, a tier: compared with number literals.</summary>
    Number,
    /// <summary>An amount: yuan in rules (at most two decimals), fen in columns.</summary>
    Money,
    /// <summary>Text ("string" in the language): compared case-insensitively.</summary>
    Text,
    /// <summary>A local calendar date in the store's time zone.</summary>
    Date,
    /// <summary>True or false: a condition on its own (<c>consent("sms")</c>) or compared with true/false.</summary>
    Bool,
    /// <summary>A set of texts per customer: only <c>contains</c> applies.</summary>
    TextList,
}

/// <summary>The unit of a <see cref="TimeWindow"/>.</summary>
internal enum WindowUnit
{
    Hour,
    Day,
    Week,
    /// <summary>Calendar months in the store's time zone (<c>6m</c> is six months, never minutes).</summary>
    Month,
    Year,
}

/// <summary>
/// A look-back window such as <c>90d</c>: the period from <see cref="Since"/> up to now. Hours, days and weeks are exact
/// durations; months and years are calendar arithmetic in the store's time zone (2026-05-31 minus 1m is 2026-04-30).
/// </summary>
internal readonly record struct TimeWindow(int Count, WindowUnit Unit)
{
    /// <summary>The longest window a rule may name: twenty years.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(20 * 366);

    internal static WindowUnit? UnitOf(char letter) => char.ToLowerInvariant(letter) switch
    {
        'h' => WindowUnit.Hour,
        'd' => WindowUnit.Day,
        'w' => WindowUnit.Week,
        'm' => WindowUnit.Month,
        'y' => WindowUnit.Year,
        _ => null,
    };

    /// <summary>The window's length as the language writes it: 90d, 12w, 6m, 1y, 24h.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count}{Unit switch
    {
        WindowUnit.Hour => 'h',
        WindowUnit.Day => 'd',
        WindowUnit.Week => 'w',
        WindowUnit.Month => 'm',
        _ => 'y',
    }}");

    /// <summary>
    /// Roughly how many days the window is, for the bound check (months as 31 days, years as 366). In days, not a TimeSpan: a window
    /// such as 99999999y is longer than a TimeSpan holds, and must be refused as too long, not overflow.
    /// </summary>
    internal double ApproximateDays => Unit switch
    {
        WindowUnit.Hour => Count / 24.0,
        WindowUnit.Day => Count,
        WindowUnit.Week => 7.0 * Count,
        WindowUnit.Month => 31.0 * Count,
        _ => 366.0 * Count,
    };

    /// <summary>The first instant inside the window that ends at <paramref name="now"/>.</summary>
    public DateTimeOffset Since(DateTimeOffset now, DateTimeZone zone)
    {
        switch (Unit)
        {
            case WindowUnit.Hour: return now.AddHours(-Count);
            case WindowUnit.Day: return now.AddDays(-Count);
            case WindowUnit.Week: return now.AddDays(-7.0 * Count);
            default:
                var local = Instant.FromDateTimeOffset(now).InZone(zone).LocalDateTime;
                var back = Unit == WindowUnit.Month ? local.PlusMonths(-Count) : local.PlusYears(-Count);
                return back.InZoneLeniently(zone).ToDateTimeOffset();
        }
    }
}
