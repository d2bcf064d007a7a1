using NodaTime;

namespace Flywheel.Ingestion.Parsing;

/// <summary>
/// A fast, strict ISO 8601 parser for the forms shops export: yyyy-MM-dd, yyyy-MM-ddTHH:mm[:ss[.fraction]],
/// a space instead of T, and an optional Z or ±HH:mm / ±HHmm offset. Imports parse millions of these, so it
/// avoids the general-purpose parsers' allocations.
/// </summary>
internal static class IsoTime
{
    public static bool TryParse(ReadOnlySpan<char> s, DateTimeZone zone, out long unixMs)
    {
        unixMs = 0;
        s = s.Trim();
        if (s.Length < 10 || s[4] != '-' || s[7] != '-') return false;
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        var i = 10;
        if (i < s.Length && s[i] is 'T' or 't' or ' ')
        {
            i++;
            if (s.Length < i + 5 || s[i + 2] != ':') return false;
            if (!Digits(s, i, 2, out hour) || !Digits(s, i + 3, 2, out minute)) return false;
            i += 5;
            if (i < s.Length && s[i] == ':')
            {
                if (!Digits(s, i + 1, 2, out second)) return false;
                i += 3;
                if (i < s.Length && s[i] is '.' or ',')
                {
                    i++;
                    var start = i;
                    long scale = TimeSpan.TicksPerSecond;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        scale /= 10;
                        ticks += (s[i] - '0') * scale;
                        i++;
                    }
                    if (i == start) return false;
                }
            }
            if (hour > 23 || minute > 59 || second > 59) return false;
        }
        TimeSpan? offset = null;
        if (i < s.Length)
        {
            if (s[i] is 'Z' or 'z')
            {
                offset = TimeSpan.Zero;
                i++;
            }
            else if (s[i] is '+' or '-')
            {
                var sign = s[i] == '-' ? -1 : 1;
                i++;
                if (!Digits(s, i, 2, out var oh)) return false;
                i += 2;
                var om = 0;
                if (i < s.Length && s[i] == ':') i++;
                if (i < s.Length)
                {
                    if (!Digits(s, i, 2, out om)) return false;
                    i += 2;
                }
                if (oh > 14 || om > 59) return false;
                offset = sign * new TimeSpan(oh, om, 0);
            }
            if (i != s.Length) return false;
        }
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        if (offset is { } o)
        {
            unixMs = new DateTimeOffset(local, o).ToUnixTimeMilliseconds();
            return true;
        }
        var zoned = LocalDateTime.FromDateTime(local).InZoneLeniently(zone);
        unixMs = zoned.ToInstant().ToUnixTimeMilliseconds();
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length) return false;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i])) return false;
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }
}
