namespace Flywheel.Ingestion.Demo;

/// <summary>
/// The shape of a year of Chinese e-commerce: 618 (June 1–18, peak on the 18th), 双11 (presale from Oct 20,
/// Nov 1–11, peak on the 11th), a smaller 双12, a dip after each peak, a weekend lift, and the hours people
/// shop (evenings, and midnight on a festival day when the sale opens).
/// </summary>
internal static class DemoSeasonality
{
    private static readonly double[] HourWeights =
    [
        2.0, 1.0, 0.5, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4.0, 4.0, 4.5, 4.0, 3.8, 3.8, 3.8, 4.0, 4.5, 5.5, 7.0, 8.0, 7.0, 4.5,
    ];

    private static readonly double[] HourCumulative = DemoRandom.Cumulative(HourWeights);

    private static readonly double[] FestivalHourCumulative = DemoRandom.Cumulative(
        HourWeights.Select((w, h) => h == 0 ? w * 8 : h is 20 or 21 ? w * 1.5 : w).ToArray());

    /// <summary>Relative traffic and purchase intensity of a calendar day, before the weekly pattern.</summary>
    public static double FestivalIndex(DateOnly date) => (date.Month, date.Day) switch
    {
        (5, >= 20) => 1.15,
        (6, 1) => 2.2,
        (6, <= 15) => 1.4,
        (6, <= 17) => 2.0,
        (6, 18) => 6.0,
        (6, <= 21) => 0.75,
        (10, >= 20) => 1.3,
        (11, 1) => 2.5,
        (11, <= 9) => 1.5,
        (11, 10) => 2.5,
        (11, 11) => 8.0,
        (11, <= 14) => 0.7,
        (12, <= 11) => 1.15,
        (12, 12) => 3.0,
        _ => 1.0,
    };

    public static double WeekdayIndex(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => 1.18,
        DayOfWeek.Sunday => 1.14,
        DayOfWeek.Friday => 1.04,
        _ => 0.93,
    };

    public static double Index(DateOnly date) => FestivalIndex(date) * WeekdayIndex(date);

    public static bool IsFestivalDay(DateOnly date) => (date.Month, date.Day) is (6, 18) or (11, 11) or (12, 12);

    /// <summary>A promotion period: prices are cut and festival coupons are out.</summary>
    public static bool IsPromotion(DateOnly date) => FestivalIndex(date) >= 1.3 && date.Month is 6 or 10 or 11 or 12;

    /// <summary>utm_campaign / ad campaign code of the promotion running on a day.</summary>
    public static string Campaign(DateOnly date) => (date.Month, date.Day) switch
    {
        (6, <= 18) => $"618_{date.Year}",
        (10, >= 20) or (11, <= 11) => $"double11_{date.Year}",
        (12, <= 12) => $"double12_{date.Year}",
        _ => "always_on",
    };

    /// <summary>The mean of <see cref="Index"/> over the 365 days ending on <paramref name="lastDay"/>: divides the index so it averages 1 over a year.</summary>
    public static double YearMean(DateOnly lastDay)
    {
        var sum = 0.0;
        for (var i = 0; i < 365; i++) sum += Index(lastDay.AddDays(-i));
        return sum / 365;
    }

    /// <summary>A millisecond offset within a day, drawn from the hours people shop.</summary>
    public static long TimeOfDay(DemoRandom random, DateOnly date)
    {
        var hour = random.Weighted(IsFestivalDay(date) ? FestivalHourCumulative : HourCumulative);
        return hour * 3_600_000L + random.Int(3_600_000);
    }
}
