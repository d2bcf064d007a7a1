using Flywheel.Analytics.Contracts;
using NodaTime;

namespace Flywheel.Analytics.Tests;

public class LocalCalendarTests
{
    /// <summary>
    /// DayOf and HourOf with one calendar over times in any order (so its zone-interval shortcut is entered and left
    /// again and again) are the local day and hour by the offset at the start of the UTC hour, as the zone gives it:
    /// zones with a fixed offset, with DST, with half-hour offsets and a half-hour DST (Lord Howe), and Shanghai's DST of
    /// 1986-1991.
    /// </summary>
    [Theory]
    [InlineData("Asia/Shanghai")]
    [InlineData("America/New_York")]
    [InlineData("Europe/London")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("UTC")]
    public void DayOfAndHourOf_AreTheZonesOffsetAtTheStartOfTheHour(string timeZone)
    {
        var zone = DateTimeZoneProviders.Tzdb[timeZone];
        var calendar = new LocalCalendar(timeZone);
        var random = new Random(5);
        var times = new List<int>();
        for (var i = 0; i < 20_000; i++) times.Add(random.Next(int.MinValue, int.MaxValue));
        // Runs of nearby times (a customer's orders), and every half hour around transitions.
        for (var i = 0; i < 200; i++)
        {
            var t = random.Next(int.MinValue / 2, int.MaxValue / 2);
            for (var k = 0; k < 50; k++) times.Add(t += random.Next(0, 7 * 86_400));
        }
        var from = Instant.FromUtc(1980, 1, 1, 0, 0);
        foreach (var transition in zone.GetZoneIntervals(from, Instant.FromUtc(2030, 1, 1, 0, 0)).Where(z => z.HasStart && z.Start > from).Take(200))
            for (var d = -7200; d <= 7200; d += 1800)
                times.Add(checked((int)(transition.Start.ToUnixTimeSeconds() + d - EventIndex.Epoch)));
        foreach (var t in times)
        {
            long utc = (long)t + EventIndex.Epoch;
            var hourStart = Math.DivRem(utc, 3600, out var rem) * 3600 - (rem < 0 ? 3600 : 0);
            var local = utc + zone.GetUtcOffset(Instant.FromUnixTimeSeconds(hourStart)).Seconds;
            var day = Math.DivRem(local, 86_400, out var dayRem) - (dayRem < 0 ? 1 : 0);
            Assert.Equal((int)(day + new DateOnly(1970, 1, 1).DayNumber), calendar.DayOf(t));
            Assert.Equal((int)((dayRem < 0 ? dayRem + 86_400 : dayRem) / 3600), calendar.HourOf(t));
        }
    }
}
