using Flywheel.Primitives;

namespace Flywheel.Experiments.Contracts;

/// <summary>
/// The variant a unit sees: <see cref="Variant"/> is null when the unit is outside the experiment (not in its traffic, not in its
/// segment, or the experiment is not running; <see cref="Reason"/> says which). <see cref="Holdout"/> is true for the variant
/// that gets nothing (the control group of a journey, broadcast or promotion).
/// </summary>
public sealed record ExperimentAssignment(string Experiment, string? Variant, bool Holdout, string? Reason = null)
{
    /// <summary>Whether the unit is in the experiment (and so counted in its results).</summary>
    public bool InExperiment => Variant is not null;
}

/// <summary>What a module that attaches an experiment needs to know of it: its status, variant keys (control first) and holdout variant.</summary>
public sealed record ExperimentSummary(string Key, string Status, IReadOnlyList<string> Variants, string? HoldoutVariant);

/// <summary>
/// Assignment for modules that run an experiment's treatment (Campaigns' journeys and broadcasts, Promotions): they ask which
/// variant a customer gets; the answer is deterministic (a hash of the experiment's salt and the unit), sticky (the first
/// exposure is recorded once and kept) and the exposure is what the experiment's results count. Registered by
/// <see cref="ExperimentsModule.AddExperiments"/>; a host without the module has none.
/// </summary>
public interface IExperimentAssignments
{
    /// <summary>
    /// The unit's variant, recording its exposure (once; <paramref name="source"/> names who exposed it, e.g. "journey:win_back").
    /// An unknown experiment is a not-found error; a draft or stopped one answers "not in the experiment" without recording.
    /// </summary>
    Task<Result<ExperimentAssignment>> AssignAsync(string experiment, string unit, string source, CancellationToken ct);

    /// <summary>The experiment's status and variants, or a not-found error naming the key (for validating a definition that names it).</summary>
    Task<Result<ExperimentSummary>> DescribeAsync(string experiment, CancellationToken ct);
}
