using Flywheel.Campaigns.Delivery;
using NodaTime;

namespace Flywheel.Campaigns.Tests.Delivery;

public sealed class SendPolicyTests
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    [Fact]
    public void Defaults_AreValid()
    {
        var policy = new SendPolicy();
        Assert.Empty(policy.Validate());
        Assert.Equal((2, 5, 5), (policy.MaxPerDay, policy.MaxPerWeek, policy.MaxAttempts));
        Assert.Equal((new LocalTime(21, 0), new LocalTime(9, 0)), (policy.QuietStart, policy.QuietEnd));
    }

    [Fact]
    public void Validate_NamesEveryBadField()
    {
        var policy = new SendPolicy
        {
            MaxPerDay = -1,
            MaxPerWeek = 5_000,
            MaxAttempts = 0,
            Backoff = [TimeSpan.FromMinutes(1), TimeSpan.Zero],
            LeaseDuration = TimeSpan.FromSeconds(1),
            BatchSize = 0,
            Concurrency = 0,
            PollInterval = TimeSpan.Zero,
        };
        var paths = policy.Validate().Select(e => e.Path ?? "").ToArray();
        Assert.Equal(["delivery.max_per_day", "delivery.max_per_week", "delivery.max_attempts", "delivery.backoff[1]", "delivery.lease_duration",
            "delivery.batch_size", "delivery.concurrency", "delivery.poll_interval"], paths);
        Assert.Equal("delivery.backoff", Assert.Single(new SendPolicy { Backoff = [] }.Validate()).Path);
    }

    [Fact]
    public void Backoff_GrowsThenStaysAtTheLast()
    {
        var policy = new SendPolicy();
        Assert.Equal(TimeSpan.FromMinutes(1), policy.BackoffAfter(1));
        Assert.Equal(TimeSpan.FromMinutes(5), policy.BackoffAfter(2));
        Assert.Equal(TimeSpan.FromMinutes(30), policy.BackoffAfter(3));
        Assert.Equal(TimeSpan.FromHours(2), policy.BackoffAfter(4));
        Assert.Equal(TimeSpan.FromHours(6), policy.BackoffAfter(50));
    }

    [Fact]
    public void WindowKeys_AreCustomerLocal()
    {
        var policy = new SendPolicy();
        // Sunday 2026-11-22 is in ISO week 47; 17:00 UTC that day is already Monday 01:00 (week 48) in Shanghai, still Sunday in New York.
        Assert.Equal([("d:2026-11-22", 2), ("w:2026-W47", 5)], policy.FrequencyWindows(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(8)), Shanghai));
        var lateSundayUtc = new DateTimeOffset(2026, 11, 22, 17, 0, 0, TimeSpan.Zero);
        Assert.Equal([("d:2026-11-23", 2), ("w:2026-W48", 5)], policy.FrequencyWindows(lateSundayUtc, Shanghai));
        Assert.Equal([("d:2026-11-22", 2), ("w:2026-W47", 5)], policy.FrequencyWindows(lateSundayUtc, NewYork));
        Assert.Equal("w:2026-W53", SendPolicy.WeekKey(new LocalDate(2027, 1, 1)));
        Assert.Empty(new SendPolicy { MaxPerDay = null, MaxPerWeek = null }.FrequencyWindows(lateSundayUtc, Shanghai));
    }

    [Theory]
    [InlineData("2026-11-22T22:30:00+08:00", "2026-11-23T09:00:00+08:00")]
    [InlineData("2026-11-22T21:00:00+08:00", "2026-11-23T09:00:00+08:00")]
    [InlineData("2026-11-23T03:00:00+08:00", "2026-11-23T09:00:00+08:00")]
    [InlineData("2026-11-23T08:59:59+08:00", "2026-11-23T09:00:00+08:00")]
    [InlineData("2026-11-23T09:00:00+08:00", null)]
    [InlineData("2026-11-23T20:59:00+08:00", null)]
    public void QuietUntil_Shanghai(string now, string? expected)
    {
        var until = new SendPolicy().QuietUntil(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Shanghai);
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), until);
    }

    [Fact]
    public void QuietUntil_UsesTheCustomersZone_AndDaylightSaving()
    {
        var policy = new SendPolicy();
        // 10:00 in Shanghai is 21:00 the evening before in New York (EST, UTC-5): quiet there until 09:00 EST.
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));
        Assert.Null(policy.QuietUntil(now, Shanghai));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(-5)), policy.QuietUntil(now, NewYork));
        // The night DST ends (1 Nov 2026): 09:00 is already EST.
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(-5)),
            policy.QuietUntil(new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.FromHours(-4)), NewYork));
    }

    [Fact]
    public void QuietHours_WithinOneDay_AndDisabled()
    {
        var lunch = new SendPolicy { QuietStart = new LocalTime(12, 0), QuietEnd = new LocalTime(13, 0) };
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.FromHours(8)),
            lunch.QuietUntil(new DateTimeOffset(2026, 11, 23, 12, 30, 0, TimeSpan.FromHours(8)), Shanghai));
        Assert.Null(lunch.QuietUntil(new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.FromHours(8)), Shanghai));
        var never = new SendPolicy { QuietStart = new LocalTime(0, 0), QuietEnd = new LocalTime(0, 0) };
        Assert.False(never.HasQuietHours);
        Assert.Null(never.QuietUntil(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.FromHours(8)), Shanghai));
    }
}
