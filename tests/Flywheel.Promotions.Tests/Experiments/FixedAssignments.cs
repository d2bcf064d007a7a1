using Flywheel.Experiments.Contracts;
using Flywheel.Primitives;

namespace Flywheel.Promotions.Tests.Experiments;

/// <summary>
/// A contract double of <see cref="IExperimentAssignments"/>: one experiment whose variant per unit is given up front (a unit
/// missing from the map is outside the experiment); every call is recorded. Deterministic, no store.
/// </summary>
internal sealed class FixedAssignments(string key, IReadOnlyList<string> variants, string? holdout, Func<string, string?> variantOf) : IExperimentAssignments
{
    private readonly List<(string Experiment, string Unit, string Source)> _calls = [];

    public IReadOnlyList<(string Experiment, string Unit, string Source)> Calls
    {
        get
        {
            lock (_calls) return [.. _calls];
        }
    }

    public Task<Result<ExperimentAssignment>> AssignAsync(string experiment, string unit, string source, CancellationToken ct)
    {
        if (experiment != key) return Task.FromResult<Result<ExperimentAssignment>>(Error.NotFound("experiment", $"no experiment '{experiment}'"));
        lock (_calls) _calls.Add((experiment, unit, source));
        var variant = variantOf(unit);
        return Task.FromResult<Result<ExperimentAssignment>>(
            new ExperimentAssignment(key, variant, variant is not null && variant == holdout, variant is null ? "not in traffic" : null));
    }

    public Task<Result<ExperimentSummary>> DescribeAsync(string experiment, CancellationToken ct) =>
        Task.FromResult<Result<ExperimentSummary>>(experiment == key
            ? (Result<ExperimentSummary>)new ExperimentSummary(key, "running", variants, holdout)
            : Error.NotFound("experiment", $"no experiment '{experiment}'"));
}
