using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Features.Assign;
using Flywheel.Experiments.Storage;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Features.ManageExperiments;

/// <summary>
/// An experiment as the API and the CLI show it: its definition, status, times (UTC) and exposed units, in total and per variant
/// (<see cref="VariantView.Control"/> marks the first variant, the baseline).
/// </summary>
internal sealed record ExperimentView(string Key, string Name, string? Hypothesis, string Status, string Unit, IReadOnlyList<VariantView> Variants, double Traffic,
    string? Segment, int WindowDays, double Confidence, MetricSelection Metrics, DateTimeOffset? StartedAt, DateTimeOffset? StoppedAt, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, long Exposures)
{
    public static ExperimentView Of(StoredExperiment stored, IReadOnlyDictionary<string, long>? counts)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var d = stored.Definition;
        long Count(string variant) => counts is not null && counts.TryGetValue(variant, out var n) ? n : 0;
        return new ExperimentView(d.Key, d.Name, d.Hypothesis, stored.Status, d.Unit,
            [.. d.Variants.Select((v, i) => new VariantView(v.Key, v.Name, v.Weight, v.Holdout, i == 0, Count(v.Key)))], d.Traffic, d.Segment, d.WindowDays,
            d.Confidence, d.Metrics, Time(stored.StartedAt), Time(stored.StoppedAt), Time(stored.CreatedAt)!.Value, Time(stored.UpdatedAt)!.Value,
            counts?.Values.Sum() ?? 0);
    }

    private static DateTimeOffset? Time(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
}

/// <summary>One variant with its weight, whether it is the holdout or the control, and its exposed units.</summary>
internal sealed record VariantView(string Key, string Name, int Weight, bool Holdout, bool Control, long Exposures);

/// <summary>The JSON of the experiment surfaces: snake_case, nulls written, Chinese unescaped.</summary>
internal static class ExperimentViewJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}

/// <summary>
/// Defining experiments: create a draft, list, show, replace the definition (a draft freely; once started only the name, the
/// hypothesis and — while running — more traffic), start and stop. Both surfaces call this.
/// </summary>
internal sealed class ManageExperimentsHandler(ExperimentStore experiments, SegmentTargeting segments, TimeProvider time)
{
    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<Result<ExperimentView>> CreateAsync(ExperimentDefinition definition, CancellationToken ct)
    {
        var created = await experiments.CreateAsync(definition, Now, ct);
        return created.TryGetValue(out var stored, out var error) ? ExperimentView.Of(stored, null) : error;
    }

    public async Task<IReadOnlyList<ExperimentView>> ListAsync(CancellationToken ct)
    {
        var counts = await experiments.ExposureCountsAsync(null, ct);
        return [.. (await experiments.ListAsync(ct)).Select(e => ExperimentView.Of(e, counts.GetValueOrDefault(e.Key)))];
    }

    public async Task<Result<ExperimentView>> GetAsync(string key, CancellationToken ct) =>
        await experiments.GetAsync(key, ct) is { } stored ? await ViewAsync(stored, ct) : NotFound(key);

    /// <summary>Replaces the definition of <paramref name="key"/> (the body's key must be the same).</summary>
    public async Task<Result<ExperimentView>> UpdateAsync(string key, ExperimentDefinition definition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Key != key)
            return await experiments.GetAsync(key, ct) is null ? NotFound(key) : Error.Invalid("$.key", $"the body's key '{definition.Key}' differs from the URL's '{key}'");
        var updated = await experiments.UpdateAsync(definition, Now, ct);
        return updated.TryGetValue(out var stored, out var error) ? await ViewAsync(stored, ct) : error;
    }

    /// <summary>Starts a draft; a segment-targeted one only if its segment resolves (so a typo is found before units are turned away).</summary>
    public async Task<Result<ExperimentView>> StartAsync(string key, CancellationToken ct)
    {
        if (await experiments.GetAsync(key, ct) is not { } current) return NotFound(key);
        if (current.Status == ExperimentLifecycle.Draft && current.Definition.Segment is { } segment
            && !(await segments.ResolveAsync(segment, ct)).TryGetValue(out _, out var unknown))
            return unknown with { Message = $"cannot start '{key}': {unknown.Message}" };
        var started = await experiments.StartAsync(key, Now, ct);
        return started.TryGetValue(out var stored, out var error) ? await ViewAsync(stored, ct) : error;
    }

    public async Task<Result<ExperimentView>> StopAsync(string key, CancellationToken ct)
    {
        var stopped = await experiments.StopAsync(key, Now, ct);
        return stopped.TryGetValue(out var stored, out var error) ? await ViewAsync(stored, ct) : error;
    }

    private async Task<ExperimentView> ViewAsync(StoredExperiment stored, CancellationToken ct) =>
        ExperimentView.Of(stored, (await experiments.ExposureCountsAsync(stored.Key, ct)).GetValueOrDefault(stored.Key));

    private static Error NotFound(string key) => Error.NotFound("key", $"no experiment '{key}'");
}
