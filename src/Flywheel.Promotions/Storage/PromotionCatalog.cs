using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Storage;
using Flywheel.Promotions.Storage;

namespace Flywheel.Promotions.Storage;

/// <summary>The result of saving a promotion: what was stored and whether it was new.</summary>
internal sealed record SavedPromotion(Promotion Promotion, bool Created);

/// <summary>
/// The promotions of a store and the pricer compiled from the active ones. Saving validates the promotion and checks it against
/// every other non-archived promotion (conflicts are refused at save time, not found at checkout), writes it, and swaps in a new
/// index. Pricing reads <see cref="GetPricerAsync"/>, which touches the database only for the first load. Thread-safe.
/// </summary>
internal sealed class PromotionCatalog : IDisposable
{
    private readonly FlywheelStore _store;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile Pricer? _pricer;

    public PromotionCatalog(FlywheelStore store) => _store = store;

    public void Dispose() => _writeLock.Dispose();

    /// <summary>The current pricer; loads the active promotions on first use. Lock-free afterwards.</summary>
    public ValueTask<Pricer> GetPricerAsync(CancellationToken ct) =>
        _pricer is { } pricer ? ValueTask.FromResult(pricer) : new ValueTask<Pricer>(LoadAsync(ct));

    private async Task<Pricer> LoadAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        return _pricer!;
    }

    /// <summary>Rebuilds the index from the active promotions in the store and swaps it in atomically.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        var active = await ListAsync(PromotionStatus.Active, ct);
        var pipeline = await GetPipelineAsync(ct);
        _pricer = new Pricer(PromotionIndex.Build(active), pipeline: pipeline);
    }

    /// <summary>The tenant's stacking pipeline (the setting <see cref="PricingPipeline.SettingKey"/>), the default when unset.</summary>
    public async Task<PricingPipeline> GetPipelineAsync(CancellationToken ct)
    {
        var text = await _store.GetSettingAsync(PricingPipeline.SettingKey, "", ct);
        return text.Length > 0 && PricingPipeline.ParseJson(text).TryGetValue(out var pipeline, out _) ? pipeline : PricingPipeline.Default;
    }

    /// <summary>
    /// Replaces the tenant's pipeline and recompiles. Refused (naming the promotion) when an active or draft promotion's stage
    /// would have no step left to run in, so a promotion never silently stops applying.
    /// </summary>
    public async Task<Result<PricingPipeline>> SetPipelineAsync(PricingPipeline pipeline, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            foreach (var p in await ListAsync(null, ct))
                if (p.Status != PromotionStatus.Archived && pipeline.StageMissing(p) is { } missing)
                    return Error.Conflict("steps", $"promotion '{p.Id}' runs in the {missing} step, which this pipeline leaves out: archive it or keep the step");
            await _store.SetSettingAsync(PricingPipeline.SettingKey, pipeline.ToJson(), ct, affectsAnalytics: false);
            await ReloadAsync(ct);
            return pipeline;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<Promotion>> ListAsync(PromotionStatus? status, CancellationToken ct)
    {
        var rows = await PromotionStore.ListAsync(_store, status is { } s ? StatusText(s) : null, ct);
        var list = new List<Promotion>(rows.Count);
        foreach (var row in rows)
            if (PromotionJson.Parse<Promotion>(row.Definition).TryGetValue(out var p, out _)) list.Add(p with { Status = ParseStatus(row.Status) });
        return list;
    }

    public async Task<Promotion?> GetAsync(string id, CancellationToken ct)
    {
        var row = await PromotionStore.GetAsync(_store, id, ct);
        return row is not null && PromotionJson.Parse<Promotion>(row.Definition).TryGetValue(out var p, out _)
            ? p with { Status = ParseStatus(row.Status) } : null;
    }

    /// <summary>Conflicts of the promotion with the other non-archived promotions in the store (empty when none).</summary>
    public async Task<IReadOnlyList<Error>> ConflictsAsync(Promotion promotion, CancellationToken ct)
    {
        if (promotion.Status == PromotionStatus.Archived) return [];
        var others = (await ListAsync(null, ct)).Where(p => p.Id != promotion.Id && p.Status != PromotionStatus.Archived);
        return PromotionValidator.Conflicts(promotion, others);
    }

    /// <summary>Validates, checks conflicts, stores and recompiles. Errors: invalid (with the field's path) or conflict (naming the other promotion).</summary>
    public async Task<Result<SavedPromotion>> SaveAsync(Promotion promotion, CancellationToken ct)
    {
        if (PromotionValidator.Validate(promotion) is { } invalid) return invalid;
        await _writeLock.WaitAsync(ct);
        try
        {
            if (promotion.Status != PromotionStatus.Archived && (await GetPipelineAsync(ct)).StageMissing(promotion) is { } missing)
                return Error.Conflict("stage", $"this store's pricing pipeline has no {missing} step, so the promotion would never apply: add the step to the pipeline or choose another stage");
            var conflicts = await ConflictsAsync(promotion, ct);
            if (conflicts.Count > 0)
                return conflicts[0] with { Message = string.Join("; ", conflicts.Select(c => c.Message)) };
            var created = await PromotionStore.SaveAsync(_store, promotion.Id, StatusText(promotion.Status), PromotionJson.Write(promotion), ct);
            await ReloadAsync(ct);
            return new SavedPromotion(promotion, created);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Deletes a promotion and recompiles; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var deleted = await PromotionStore.DeleteAsync(_store, id, ct);
            if (deleted) await ReloadAsync(ct);
            return deleted;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal static string StatusText(PromotionStatus status) => status switch
    {
        PromotionStatus.Draft => "draft",
        PromotionStatus.Archived => "archived",
        _ => "active",
    };

    internal static PromotionStatus ParseStatus(string text) => text switch
    {
        "draft" => PromotionStatus.Draft,
        "archived" => PromotionStatus.Archived,
        _ => PromotionStatus.Active,
    };
}
