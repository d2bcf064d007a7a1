using System.ComponentModel.DataAnnotations;

namespace Flywheel.Analytics;

/// <summary>
/// Settings of the Analytics module (configuration section "Analytics"). Every default is documented and every setting bounded;
/// <see cref="AnalyticsModule.AddAnalytics"/> validates them when the host starts.
/// </summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>Largest funnel, cohort, attribution or goal request body accepted, in bytes (default 16 MiB, between 1 KiB and 1 GiB).</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Whether a host builds the event index as it starts (default true), so the first report after a start does not wait for
    /// the build; false builds it at the first report instead.
    /// </summary>
    public bool BuildIndexAtStart { get; set; } = true;
}
