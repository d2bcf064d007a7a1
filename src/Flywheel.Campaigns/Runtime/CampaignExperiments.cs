using Flywheel.Campaigns.Journeys;
using Flywheel.Experiments.Contracts;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Runtime;

/// <summary>
/// Journeys and broadcasts that name an experiment (the Experiments module, through its contract only): the checks made when
/// one is saved or activated. The host may run without the module; naming an experiment is then an error.
/// </summary>
internal static class CampaignExperiments
{
    /// <summary>The longest experiment key a definition may name.</summary>
    public const int MaxKeyLength = 100;

    /// <summary>The error when the host has no Experiments module.</summary>
    public const string NotAvailable = "experiments are not available in this host (the Experiments module is not installed) / 实验功能不可用";

    /// <summary>The experiment's summary, or an error at <paramref name="path"/>: no module, or no such experiment.</summary>
    public static async Task<Result<ExperimentSummary>> DescribeAsync(IExperimentAssignments? experiments, string key, string path, CancellationToken ct)
    {
        if (experiments is null) return Error.Invalid(path, NotAvailable);
        var described = await experiments.DescribeAsync(key, ct);
        if (described.TryGetValue(out var summary, out var error)) return summary;
        return Error.Invalid(path, error.Kind == ErrorKind.NotFound
            ? $"no experiment '{key}' / 没有实验 '{key}' (create it with 'flywheel experiments' or POST /v1/experiments)"
            : $"experiment '{key}': {error.Message}");
    }

    /// <summary>A journey's experiment exists (null when the journey names none or it does).</summary>
    public static async Task<Error?> CheckAsync(Journey journey, IExperimentAssignments? experiments, CancellationToken ct)
    {
        if (journey.Experiment is not { } key) return null;
        var described = await DescribeAsync(experiments, key, "$.experiment", ct);
        return described.IsSuccess ? null : described.Error;
    }
}
