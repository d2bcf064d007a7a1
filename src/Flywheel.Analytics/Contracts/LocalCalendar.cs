using NodaTime;

namespace Flywheel.Analytics.Contracts;

/// <summary>
/// Calendar arithmetic in the store's time zone over index times (seconds since <see cref="EventIndex.Epoch"/>).
/// A day is a local calendar day; <see cref="DayOf"/> is cheap (the offset at the start of the UTC hour, one comparison
/// inside the zone interval last looked up, else cached per hour), so a query can bucket millions of events by local
/// day. Not thread-safe: one calendar per thread.
/// </summary>
public sealed class LocalCalendar
{
    private readonly DateTimeZone _zone;
    private readonly Dictionary<long, int> _offsetByHour = [];
    // The zone interval last looked up, as Unix seconds [from, to): an hour starting inside it has its offset. Empty at first.
    private long _intervalFrom = 1, _intervalTo;
    private int _intervalOffset;

    public LocalCalendar(string timeZone)
    {
        _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? throw new ArgumentException($"unknown time zone '{timeZone}'", nameof(timeZone));
    }

    /// <summary>The first and last days a report can ask about: index times are int seconds from 2020 (ADR 0002).</summary>
    public static readonly DateOnly EarliestDay = new(1970, 1, 1), LatestDay = new(2087, 12, 31);

    /// <summary>An error naming <paramref name="path"/> when a day is outside what the index can hold; null when fine.</summary>
    public static Primitives.Error? CheckDay(string path, DateOnly day) =>
        day < EarliestDay || day > LatestDay
            ? Primitives.Error.Invalid(path, $"{day:yyyy-MM-dd} is outside the supported days {EarliestDay:yyyy-MM-dd}..{LatestDay:yyyy-MM-dd}")
            : null;

    /// <summary>
    /// A day as yyyy-MM-dd within the supported days; absent text is no day. The error's path is <paramref name="path"/>, so
    /// HTTP (<c>$.from</c>) and the command line (<c>--from</c>) give the same message.
    /// </summary>
    public static Primitives.Result<DateOnly?> ParseDay(string? text, string path)
    {
        if (text is null) return Primitives.Result<DateOnly?>.Success(null);
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
            return Primitives.Error.Invalid(path, $"'{text}' is not a date: give it as yyyy-MM-dd, e.g. 2026-06-18");
        return CheckDay(path, day) is { } outside ? outside : Primitives.Result<DateOnly?>.Success(day);
    }

    /// <summary>The index time at which a local date begins.</summary>
    public int StartOf(DateOnly date)
    {
        var start = _zone.AtStartOfDay(new LocalDate(date.Year, date.Month, date.Day)).ToInstant().ToUnixTimeSeconds();
        return checked((int)(start - EventIndex.Epoch));
    }

    /// <summary>The local date (as DateOnly.DayNumber) of an index time.</summary>
    public int DayOf(int indexTime)
    {
        long utc = indexTime + EventIndex.Epoch;
        var hour = Math.DivRem(utc, 3600, out var rem) - (rem < 0 ? 1 : 0);
        var local = utc + OffsetAtHour(hour);
        var days = Math.DivRem(local, 86400, out var dayRem) - (dayRem < 0 ? 1 : 0);
        return checked((int)(days + UnixEpochDayNumber));
    }

    /// <summary>The local hour of day (0-23) of an index time.</summary>
    public int HourOf(int indexTime)
    {
        long utc = indexTime + EventIndex.Epoch;
        var hour = Math.DivRem(utc, 3600, out var rem) - (rem < 0 ? 1 : 0);
        var local = (utc + OffsetAtHour(hour)) % 86400;
        return (int)((local < 0 ? local + 86400 : local) / 3600);
    }

    /// <summary>The zone's UTC offset in seconds at the start of a UTC hour (hours since 1970).</summary>
    private int OffsetAtHour(long hour)
    {
        var start = hour * 3600;
        if (start >= _intervalFrom && start < _intervalTo) return _intervalOffset;
        if (_offsetByHour.TryGetValue(hour, out var offset)) return offset;
        var interval = _zone.GetZoneInterval(Instant.FromUnixTimeSeconds(start));
        offset = interval.WallOffset.Seconds; // what GetUtcOffset gives
        _intervalFrom = interval.HasStart ? interval.Start.ToUnixTimeSeconds() : long.MinValue;
        _intervalTo = interval.HasEnd ? interval.End.ToUnixTimeSeconds() : long.MaxValue;
        _intervalOffset = offset;
        _offsetByHour[hour] = offset;
        return offset;
    }

    private static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Today's local date in a time zone, by the given clock.</summary>
    public static DateOnly Today(string timeZone, TimeProvider time)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? throw new ArgumentException($"unknown time zone '{timeZone}'", nameof(timeZone));
        var local = Instant.FromDateTimeOffset(time.GetUtcNow()).InZone(zone).Date;
        return new DateOnly(local.Year, local.Month, local.Day);
    }

    /// <summary>Monday of the ISO week that holds the day.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>
    /// "Now" for an analysis that is given no day: the last local day holding an event or a paid order, so a history that
    /// ended years ago (CDNOW ends on 1998-06-30) is measured from its own end, not from today; today when the store is empty.
    /// Outputs state the day they used.
    /// </summary>
    public static DateOnly DataEnd(EventIndex index, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(index);
        return DataRange(index, Today(index.TimeZone, time)).Last;
    }

    /// <summary>
    /// The first and last local day holding an event or a paid order: the default range of a report. An empty index
    /// gives <paramref name="fallback"/> for both ends.
    /// </summary>
    public static (DateOnly First, DateOnly Last) DataRange(EventIndex index, DateOnly fallback)
    {
        int min = int.MaxValue, max = int.MinValue;
        foreach (var t in index.EventTime) { min = Math.Min(min, t); max = Math.Max(max, t); }
        foreach (var t in index.OrderPaidTime) { min = Math.Min(min, t); max = Math.Max(max, t); }
        if (min > max) return (fallback, fallback);
        var calendar = new LocalCalendar(index.TimeZone);
        return (DateOnly.FromDayNumber(calendar.DayOf(min)), DateOnly.FromDayNumber(calendar.DayOf(max)));
    }
}
