using Flywheel.Ingestion;

namespace Flywheel.Server;

/// <summary>Settings of the HTTP server. Every default is documented; <see cref="Validate"/> runs before the server starts.</summary>
public sealed class ServerOptions
{
    /// <summary>16 MiB: a full batch of 10,000 events with properties fits with room to spare.</summary>
    public const long DefaultMaxRequestBytes = 16L * 1024 * 1024;

    /// <summary>Largest request body accepted, in bytes (default 16 MiB, between 1 KiB and 1 GiB); larger bodies get 413.</summary>
    public long MaxRequestBytes { get; init; } = DefaultMaxRequestBytes;

    /// <summary>Most events in one POST /v1/events batch (default 10,000, between 1 and 100,000); more get 413.</summary>
    public int MaxEventsPerBatch { get; init; } = 10_000;

    /// <summary>Most lines in one order (default 1,000).</summary>
    public int MaxOrderLines { get; init; } = 1_000;

    /// <summary>How often the server recomputes lifecycle stages and records transitions (default 15 minutes; zero: never).</summary>
    public TimeSpan LifecycleRefreshInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>IANA time zone for times sent without an offset (default Asia/Shanghai).</summary>
    public string TimeZone { get; init; } = "Asia/Shanghai";

    /// <summary>How long a shutdown (SIGTERM, Ctrl+C) waits for in-flight requests to finish (default 30 s).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often every segment is re-evaluated over every customer (default 15 minutes, between 1 minute and 1 day):
    /// ingests move customers at once; this catches what moves with the clock (orders(90d) forgetting an old order).
    /// </summary>
    public TimeSpan SegmentRefreshInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The address customers reach this server at, for tracking and unsubscribe links in messages (default http://127.0.0.1:5080).</summary>
    public string PublicBaseUrl { get; init; } = "http://127.0.0.1:5080";

    /// <summary>Delivery channels (SMTP, SMS, WeCom, webhook); null: journeys and broadcasts queue messages but nothing is sent.</summary>
    public Flywheel.Campaigns.Channels.ChannelOptions? Channels { get; init; }

    /// <summary>Frequency caps, quiet hours and retries of the dispatcher (defaults: 2 marketing messages a day, 5 a week, quiet 21:00-09:00).</summary>
    public Flywheel.Campaigns.Delivery.SendPolicy SendPolicy { get; init; } = new();

    /// <summary>Whether this server runs the journey, trigger and delivery loops (default true; false for an API-only replica).</summary>
    public bool CampaignWorkers { get; init; } = true;

    /// <summary>How often the campaign loop runs when no ingest wakes it (default 1 s).</summary>
    public TimeSpan CampaignPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting, so a bad configuration stops the server at start.</summary>
    public void Validate()
    {
        if (MaxRequestBytes is < 1024 or > 1024L * 1024 * 1024)
            throw new ArgumentException($"MaxRequestBytes must be between 1 KiB and 1 GiB (got {MaxRequestBytes})");
        if (MaxEventsPerBatch is < 1 or > 100_000)
            throw new ArgumentException($"MaxEventsPerBatch must be between 1 and 100,000 (got {MaxEventsPerBatch})");
        if (MaxOrderLines is < 1 or > 100_000)
            throw new ArgumentException($"MaxOrderLines must be between 1 and 100,000 (got {MaxOrderLines})");
        if (!IngestionOptions.IsTimeZone(TimeZone))
            throw new ArgumentException($"TimeZone '{TimeZone}' is not an IANA time zone id (e.g. Asia/Shanghai)");
        if (SegmentRefreshInterval < TimeSpan.FromMinutes(1) || SegmentRefreshInterval > TimeSpan.FromDays(1))
            throw new ArgumentException($"SegmentRefreshInterval must be between 1 minute and 1 day (got {SegmentRefreshInterval})");
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"PublicBaseUrl must be an absolute http(s) address (got '{PublicBaseUrl}')");
        if (Channels?.Validate() is { Count: > 0 } channelErrors)
            throw new ArgumentException(string.Join("; ", channelErrors.Select(e => e.ToString())));
        if (SendPolicy.Validate() is { Count: > 0 } policyErrors)
            throw new ArgumentException(string.Join("; ", policyErrors.Select(e => e.ToString())));
        if (CampaignPollInterval < TimeSpan.FromMilliseconds(10) || CampaignPollInterval > TimeSpan.FromHours(1))
            throw new ArgumentException($"CampaignPollInterval must be between 10 ms and 1 hour (got {CampaignPollInterval})");
        if (ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > TimeSpan.FromMinutes(10))
            throw new ArgumentException($"ShutdownTimeout must be between 0 and 10 minutes (got {ShutdownTimeout})");
    }
}
