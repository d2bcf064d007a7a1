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
}
