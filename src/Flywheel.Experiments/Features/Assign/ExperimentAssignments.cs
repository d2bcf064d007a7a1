using Flywheel.Experiments.Contracts;
using Flywheel.Experiments.Domain.Assignment;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Storage;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Features.Assign;

/// <summary>
/// Assigns units and records exposures: the handler of <c>GET /v1/experiments/{key}/assign</c> and <c>flywheel experiments assign</c>,
/// and the <see cref="IExperimentAssignments"/> other modules call. In order: the experiment must be running (else "not_running",
/// nothing recorded); the unit must fall in its traffic (else "traffic"); for a segment-targeted experiment the customer must be in the
/// segment (else "segment") — unless the unit was exposed already, which keeps its variant; then the exposure is recorded once and the
/// stored variant answered, so a unit keeps the variant it first got even if something changed since.
/// </summary>
internal sealed class ExperimentAssignments(ExperimentStore experiments, SegmentTargeting segments, TimeProvider time) : IExperimentAssignments
{
    public const string NotRunning = "not_running", Traffic = "traffic", Segment = "segment";

    /// <summary>The longest unit id accepted.</summary>
    public const int MaxUnitLength = 200;

    public async Task<Result<ExperimentAssignment>> AssignAsync(string experiment, string unit, string source, CancellationToken ct)
    {
        if (UnitError(unit) is { } badUnit) return badUnit;
        if (string.IsNullOrWhiteSpace(source) || source.Length > MaxUnitLength || source.Any(char.IsControl))
            return Error.Invalid("source", $"source names who exposes the unit (\"journey:win_back\"): 1 to {MaxUnitLength} characters, no control characters");
        if (await experiments.GetAsync(experiment, ct) is not { } stored) return Error.NotFound("key", $"no experiment '{experiment}'");
        var definition = stored.Definition;
        if (stored.Status != ExperimentLifecycle.Running) return new ExperimentAssignment(definition.Key, null, false, NotRunning);
        var bucketed = Bucketing.Assign(definition, stored.Salt, unit);
        if (!bucketed.InTraffic) return new ExperimentAssignment(definition.Key, null, false, Traffic);
        if (definition.Segment is { } segment)
        {
            var members = await segments.MembersAsync(definition.Key, segment, ct);
            var admitted = members.TryGetValue(out var set, out _) && set.Contains(unit);
            if (!admitted)
                return await experiments.ExposureAsync(definition.Key, unit, ct) is { } earlier
                    ? Answer(definition, earlier.Variant)
                    : new ExperimentAssignment(definition.Key, null, false, Segment);
        }
        var variant = await experiments.RecordExposureAsync(definition.Key, unit, bucketed.Variant!, source, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        return Answer(definition, variant);
    }

    public async Task<Result<ExperimentSummary>> DescribeAsync(string experiment, CancellationToken ct)
    {
        if (await experiments.GetAsync(experiment, ct) is not { } stored) return Error.NotFound("key", $"no experiment '{experiment}'");
        var definition = stored.Definition;
        return new ExperimentSummary(definition.Key, stored.Status, [.. definition.Variants.Select(v => v.Key)], definition.Holdout?.Key);
    }

    /// <summary>Null for a usable unit id: 1 to 200 characters, no control characters.</summary>
    public static Error? UnitError(string? unit) =>
        string.IsNullOrEmpty(unit) || unit.Length > MaxUnitLength || unit.Any(char.IsControl) || string.IsNullOrWhiteSpace(unit)
            ? Error.Invalid("unit", $"unit is the customer or anonymous id to assign: 1 to {MaxUnitLength} characters, no control characters")
            : null;

    private static ExperimentAssignment Answer(ExperimentDefinition definition, string variant) =>
        new(definition.Key, variant, definition.Variant(variant)?.Holdout ?? false);
}
