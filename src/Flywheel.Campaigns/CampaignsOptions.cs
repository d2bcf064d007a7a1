using System.ComponentModel.DataAnnotations;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;

namespace Flywheel.Campaigns;

/// <summary>
/// Settings of the Campaigns module (configuration section "Campaigns"). Every default is documented and every setting
/// bounded; <see cref="CampaignsModule.AddCampaigns"/> validates them when the host starts, naming the bad setting.
/// </summary>
public sealed class CampaignsOptions : IValidatableObject
{
    public const string Section = "Campaigns";

    /// <summary>Largest journey, broadcast or consent body accepted, in bytes (default 16 MiB, between 1 KiB and 1 GiB).</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>The address customers reach this server at, for tracking and unsubscribe links in messages (default http://127.0.0.1:5080).</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Hosts that tracked links (<c>{{track "..."}}</c>) may go to, each also allowing its subdomains (e.g. <c>shop.example</c>);
    /// empty (the default): any host. Whatever the list, only http:// and https:// addresses are signed and redirected to.
    /// </summary>
    public IList<string> LinkHosts { get; set; } = [];

    /// <summary>Delivery channels (SMTP, SMS, WeCom, webhook); null: journeys and broadcasts queue messages but nothing is sent.</summary>
    public ChannelOptions? Channels { get; set; }

    /// <summary>Frequency caps, quiet hours and retries of the dispatcher (defaults: 2 marketing messages a day, 5 a week, quiet 21:00-09:00).</summary>
    public SendPolicy SendPolicy { get; set; } = new();

    /// <summary>Whether this host runs the journey, trigger and delivery loop (default true; false for an API-only replica).</summary>
    public bool Workers { get; set; } = true;

    /// <summary>How often the campaign loop runs when no ingest wakes it (default 1 s, between 10 ms and 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"PublicBaseUrl must be an absolute http(s) address (got '{PublicBaseUrl}')", [nameof(PublicBaseUrl)]);
        foreach (var host in LinkHosts)
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host.Trim().TrimEnd('.')) is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
                yield return new ValidationResult($"LinkHosts holds '{host}', which is not a host name such as shop.example", [nameof(LinkHosts)]);
        foreach (var error in Channels?.Validate() ?? [])
            yield return new ValidationResult(error.ToString(), [nameof(Channels)]);
        foreach (var error in SendPolicy.Validate())
            yield return new ValidationResult(error.ToString(), [nameof(SendPolicy)]);
    }
}
