using System.ComponentModel.DataAnnotations;
using Flywheel.Ingestion.Parsing;

namespace Flywheel.Ingestion;

/// <summary>
/// Settings of the Ingestion module (configuration section "Ingestion"): the limits of the HTTP ingest endpoints and the time
/// zone of times sent without an offset. Every default is documented and every setting bounded; validated when the host starts.
/// </summary>
public sealed class IngestionOptions : IValidatableObject
{
    public const string Section = "Ingestion";

    /// <summary>Largest request body accepted, in bytes (default 16 MiB, between 1 KiB and 1 GiB); larger bodies get 413.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Most events in one POST /v1/events batch (default 10,000, between 1 and 100,000); more get 413.</summary>
    [Range(1, 100_000)]
    public int MaxEventsPerBatch { get; set; } = 10_000;

    /// <summary>Most lines in one order (default 1,000, between 1 and 100,000).</summary>
    [Range(1, 100_000)]
    public int MaxOrderLines { get; set; } = 1_000;

    /// <summary>IANA time zone for times sent without an offset (default Asia/Shanghai).</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Whether <paramref name="id"/> is an IANA time zone id this build knows (e.g. Asia/Shanghai).</summary>
    public static bool IsTimeZone(string id) => ParseContext.IsTimeZone(id);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ParseContext.IsTimeZone(TimeZone))
            yield return new ValidationResult($"TimeZone '{TimeZone}' is not an IANA time zone id (e.g. Asia/Shanghai)", [nameof(TimeZone)]);
    }
}
