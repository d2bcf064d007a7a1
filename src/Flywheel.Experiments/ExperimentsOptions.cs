using System.ComponentModel.DataAnnotations;

namespace Flywheel.Experiments;

/// <summary>
/// Settings of the Experiments module (configuration section "Experiments"). Every default is documented and every setting
/// bounded; <see cref="ExperimentsModule.AddExperiments"/> validates them when the host starts.
/// </summary>
public sealed class ExperimentsOptions
{
    public const string Section = "Experiments";

    /// <summary>Largest JSON body accepted (default 1 MiB, between 1 KiB and 64 MiB): experiment definitions, analyze inputs.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;
}
