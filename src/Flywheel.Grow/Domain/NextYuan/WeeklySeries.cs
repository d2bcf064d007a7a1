using Flywheel.Analytics.Contracts;
using Flywheel.Primitives;

namespace Flywheel.Grow.Domain.NextYuan;

/// <summary>The full weeks (Monday to Sunday, local) a next-yuan question looks at, oldest first.</summary>
internal sealed record WeekRange(IReadOnlyList<DateOnly> Mondays)
{
    public DateOnly First => Mondays[0];
    public DateOnly Last => Mondays[^1].AddDays(6);

    /// <summary>The <paramref name="weeks"/> full weeks ending on or before <paramref name="lastDay"/> (a week ending after it is not full).</summary>
    public static WeekRange Ending(DateOnly lastDay, int weeks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weeks, 1);
        var monday = LocalCalendar.WeekOf(lastDay);
        var lastMonday = lastDay.DayOfWeek == DayOfWeek.Sunday ? monday : monday.AddDays(-7);
        return new WeekRange([.. Enumerable.Range(0, weeks).Select(w => lastMonday.AddDays(-7 * (weeks - 1 - w)))]);
    }
}

/// <summary>
/// Each channel's weekly spend (the spend rows) and attributed GMV (the Measure module's attribution by channel, one run per
/// week over the orders paid in it) over a range of weeks. Channels without spend in the range are left out: the next yuan
/// is a question about paid channels. Pure: reads the index only.
/// </summary>
internal static class WeeklySeries
{
    public static Result<IReadOnlyList<ChannelWeeks>> Build(EventIndex index, WeekRange weeks, CreditModel model)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(weeks);
        var count = weeks.Mondays.Count;
        var firstDay = weeks.First.DayNumber;
        var lastDay = weeks.Last.DayNumber;
        var spend = new Dictionary<int, long[]>();
        for (var s = 0; s < index.SpendDay.Length; s++)
        {
            var day = index.SpendDay[s];
            if (day < firstDay || day > lastDay || index.SpendCost[s] == 0) continue;
            if (!spend.TryGetValue(index.SpendChannel[s], out var series)) spend[index.SpendChannel[s]] = series = new long[count];
            var w = (day - firstDay) / 7;
            series[w] = checked(series[w] + index.SpendCost[s]);
        }
        var names = spend.Keys.ToDictionary(c => index.Channels.Decode(c) ?? "(none)", c => c, StringComparer.Ordinal);
        var gmv = names.Keys.ToDictionary(n => n, _ => new long[count], StringComparer.Ordinal);
        for (var w = 0; w < count; w++)
        {
            var monday = weeks.Mondays[w];
            var run = AttributedCredit.Run(index, monday, monday.AddDays(6), CreditDimension.Channel, model);
            if (!run.TryGetValue(out var credits, out var error)) return error;
            foreach (var credit in credits)
                if (gmv.TryGetValue(credit.Key, out var series)) series[w] = credit.Gmv;
        }
        return Result<IReadOnlyList<ChannelWeeks>>.Success(
            [.. names.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new ChannelWeeks(n.Key, spend[n.Value], gmv[n.Key]))]);
    }
}
