using System.ComponentModel.DataAnnotations;

namespace Flywheel.Customers;

/// <summary>
/// Settings of the Customers module (configuration section "Customers"). Every default is documented and every setting
/// bounded; <see cref="CustomersModule.AddCustomers"/> validates them when the host starts.
/// </summary>
public sealed class CustomersOptions
{
    public const string Section = "Customers";

    /// <summary>Largest segment or CLV request body accepted, in bytes (default 16 MiB, between 1 KiB and 1 GiB).</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How often lifecycle stages are recomputed and transitions recorded (default 15 minutes; zero: never; at most 1 day).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan LifecycleRefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often every segment is re-evaluated over every customer (default 15 minutes, between 1 minute and 1 day):
    /// ingests move customers at once; this catches what moves with the clock (orders(90d) forgetting an old order).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SegmentRefreshInterval { get; set; } = TimeSpan.FromMinutes(15);
}
