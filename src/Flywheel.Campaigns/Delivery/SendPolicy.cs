using System.Globalization;
using Flywheel.Primitives;
using Flywheel.Campaigns.Storage;
using NodaTime;
using NodaTime.Calendars;

namespace Flywheel.Campaigns.Delivery;

/// <summary>
/// How the <see cref="Dispatcher"/> sends: frequency caps and quiet hours for marketing messages (transactional ones are
/// exempt from both), retries with backoff, and the worker's lease, batch and concurrency. Caps and quiet hours are
/// read in the customer's own time zone. <see cref="Validate"/> names each bad field.
/// </summary>
public sealed record SendPolicy
{
    /// <summary>Default retry backoff: 1 min, 5 min, 30 min, 2 h, then 6 h for every later attempt.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultBackoff =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(6)];

    /// <summary>Most marketing messages (all channels) per customer-local calendar day; null: no daily cap. Default 2.</summary>
    public int? MaxPerDay { get; init; } = 2;

    /// <summary>Most marketing messages (all channels) per customer-local ISO week (Monday to Sunday); null: no weekly cap. Default 5.</summary>
    public int? MaxPerWeek { get; init; } = 5;

    /// <summary>
    /// Start of the customer-local quiet period, in which marketing messages are deferred to <see cref="QuietEnd"/>.
    /// Default 21:00. Equal to <see cref="QuietEnd"/>: no quiet hours. A start after the end spans midnight.
    /// </summary>
    public LocalTime QuietStart { get; init; } = new(21, 0);

    /// <summary>End of the quiet period (exclusive): the first allowed local time. Default 09:00.</summary>
    public LocalTime QuietEnd { get; init; } = new(9, 0);

    /// <summary>Delivery attempts before a message that keeps failing transiently becomes a dead letter. Default 5; 1 to 100.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>
    /// Wait before the next attempt after the n-th failed one: element n-1, the last element for every later attempt.
    /// Default <see cref="DefaultBackoff"/>. Each 1 s to 7 days.
    /// </summary>
    public IReadOnlyList<TimeSpan> Backoff { get; init; } = DefaultBackoff;

    /// <summary>
    /// How long a claimed message is the worker's. It must outlast a batch's sends: once it runs out another worker may send
    /// the message again. Default 5 min; 10 s to 1 day.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Messages claimed per <see cref="Dispatcher.RunOnceAsync"/>. Default 200; 1 to 10,000.</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>Messages of a batch processed at once (so a batch is limited by the channel, not by Flywheel). Default 8; 1 to 256.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>How long <see cref="Dispatcher.RunAsync"/> waits when nothing was due. Default 1 s; 10 ms to 10 min.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public bool HasQuietHours => QuietStart != QuietEnd;

    /// <summary>Every problem, each naming its field (prefix + snake_case name).</summary>
    public IReadOnlyList<Error> Validate(string prefix = "delivery")
    {
        var errors = new List<Error>();
        if (MaxPerDay is < 0 or > CampaignStore.MaxCap)
            errors.Add(Error.Invalid($"{prefix}.max_per_day", $"{MaxPerDay} is out of range (0 to {CampaignStore.MaxCap}, or none)"));
        if (MaxPerWeek is < 0 or > CampaignStore.MaxCap)
            errors.Add(Error.Invalid($"{prefix}.max_per_week", $"{MaxPerWeek} is out of range (0 to {CampaignStore.MaxCap}, or none)"));
        if (MaxAttempts is < 1 or > 100)
            errors.Add(Error.Invalid($"{prefix}.max_attempts", $"{MaxAttempts} is out of range (1 to 100)"));
        if (Backoff is null || Backoff.Count == 0)
            errors.Add(Error.Invalid($"{prefix}.backoff", "backoff is empty; give at least one delay (e.g. 1 min)"));
        else
        {
            for (var i = 0; i < Backoff.Count; i++)
            {
                if (Backoff[i] < TimeSpan.FromSeconds(1) || Backoff[i] > TimeSpan.FromDays(7))
                    errors.Add(Error.Invalid($"{prefix}.backoff[{i}]", $"{Backoff[i]} is out of range (1 s to 7 days)"));
            }
        }
        if (LeaseDuration < TimeSpan.FromSeconds(10) || LeaseDuration > TimeSpan.FromDays(1))
            errors.Add(Error.Invalid($"{prefix}.lease_duration", $"{LeaseDuration} is out of range (10 s to 1 day)"));
        if (BatchSize is < 1 or > CampaignStore.MaxClaim)
            errors.Add(Error.Invalid($"{prefix}.batch_size", $"{BatchSize} is out of range (1 to {CampaignStore.MaxClaim})"));
        if (Concurrency is < 1 or > 256)
            errors.Add(Error.Invalid($"{prefix}.concurrency", $"{Concurrency} is out of range (1 to 256)"));
        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(10))
            errors.Add(Error.Invalid($"{prefix}.poll_interval", $"{PollInterval} is out of range (10 ms to 10 min)"));
        return errors;
    }

    /// <summary>The wait after the <paramref name="failedAttempts"/>-th failed attempt (1-based).</summary>
    public TimeSpan BackoffAfter(int failedAttempts) => Backoff[Math.Clamp(failedAttempts, 1, Backoff.Count) - 1];

    /// <summary>
    /// When the quiet period that <paramref name="now"/> falls in ends, in the customer's zone; null when <paramref name="now"/>
    /// is not in quiet hours. A quiet end that falls in a daylight-saving gap moves to the first instant after the gap.
    /// </summary>
    public DateTimeOffset? QuietUntil(DateTimeOffset now, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (!HasQuietHours) return null;
        var local = Instant.FromDateTimeOffset(now).InZone(zone).LocalDateTime;
        var time = local.TimeOfDay;
        var quiet = QuietStart < QuietEnd
            ? time >= QuietStart && time < QuietEnd
            : time >= QuietStart || time < QuietEnd;
        if (!quiet) return null;
        var endDate = time < QuietEnd ? local.Date : local.Date.PlusDays(1);
        return zone.AtLeniently(endDate + QuietEnd).ToDateTimeOffset();
    }

    /// <summary>The customer-local window keys and caps a marketing message sent at <paramref name="now"/> counts against (none when uncapped).</summary>
    public IReadOnlyList<(string WindowKey, int Cap)> FrequencyWindows(DateTimeOffset now, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var date = Instant.FromDateTimeOffset(now).InZone(zone).Date;
        var windows = new List<(string, int)>(2);
        if (MaxPerDay is { } day) windows.Add((DayKey(date), day));
        if (MaxPerWeek is { } week) windows.Add((WeekKey(date), week));
        return windows;
    }

    /// <summary>'d:2026-11-22'.</summary>
    public static string DayKey(LocalDate date) => "d:" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>'w:2026-W47' (ISO week-year and week: 2027-01-01 is in 2026-W53).</summary>
    public static string WeekKey(LocalDate date)
    {
        var rule = WeekYearRules.Iso;
        return string.Create(CultureInfo.InvariantCulture, $"w:{rule.GetWeekYear(date):D4}-W{rule.GetWeekOfWeekYear(date):D2}");
    }
}
