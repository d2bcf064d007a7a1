using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Analytics.Storage;

namespace Flywheel.Analytics.Audiences;

/// <summary>
/// The funnel an audience was cut from, as the caller gave it: step texts, window, mode and the first step's days in the
/// store's time zone (not index times, so a refresh next month means the same days), plus the drop-off step.
/// </summary>
internal sealed record FunnelAudienceDefinition(IReadOnlyList<FunnelStep> Steps, int WindowSeconds, FunnelMode Mode, DateOnly? From, DateOnly? To,
    int DroppedAfter)
{
    /// <summary>The definition of a query as run, with the days its first-step range came from.</summary>
    public static FunnelAudienceDefinition Of(FunnelQuery query, DateOnly? from, DateOnly? to, int droppedAfter) =>
        new(query.Steps, query.WindowSeconds, query.Mode, from, to, droppedAfter);

    /// <summary>The query again, against an index (its time zone turns the days into times). The breakdown never matters here.</summary>
    public Result<FunnelQuery> ToQuery(EventIndex index)
    {
        var calendar = new LocalCalendar(index.TimeZone);
        return FunnelQuery.Create(Steps, WindowSeconds, Mode,
            From is { } f ? calendar.StartOf(f) : null, To is { } t ? calendar.StartOf(t.AddDays(1)) : null);
    }
}

/// <summary>A request to save the visitors who dropped after a step as an audience.</summary>
/// <param name="DroppedAfter">1-based: 2 = reached step 2, did not reach step 3 (see <see cref="FunnelDropOff"/>).</param>
/// <param name="CreateOnly">Refuse (a conflict) instead of replacing an audience of the same name.</param>
internal sealed record FunnelAudienceRequest(string? Name, int DroppedAfter, string? Title = null, bool CreateOnly = false);

/// <summary>What a save wrote: the stored audience and the drop-off it came from.</summary>
internal sealed record SavedFunnelAudience(StoredAudience Audience, FunnelDropOff DropOff);

/// <summary>
/// Funnel drop-off audiences: the known customers who reached step k but not step k + 1, saved under a name that later
/// features target. Anonymous visitors who dropped are counted on the audience but are not members.
/// </summary>
internal static class FunnelAudience
{
    /// <summary>The audiences.kind of these audiences.</summary>
    public const string Kind = "funnel_dropoff";

    /// <summary>
    /// Checks a request against the funnel's steps before anything runs or is written: the name, the step, the title.
    /// Errors name the request's field: <c>name</c>, <c>dropped_after</c> or <c>title</c>.
    /// </summary>
    public static Result<AudienceName> Check(FunnelAudienceRequest request, IReadOnlyList<FunnelStep> steps)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = AudienceName.Parse(request.Name);
        if (!name.IsSuccess) return name;
        if (FunnelDropOff.Check(request.DroppedAfter, steps) is { } step) return step;
        if (AudienceStore.CheckTitle(request.Title) is { } title) return title;
        return name;
    }

    /// <summary>
    /// Saves the drop-off of <paramref name="result"/> (which must come from <paramref name="definition"/>'s query) under the
    /// request's name, replacing an audience of that name in one transaction unless the request is create-only (then a
    /// conflict error, path <c>name</c>, and nothing written).
    /// </summary>
    public static async Task<Result<SavedFunnelAudience>> SaveAsync(FlywheelStore store, FunnelResult result, FunnelAudienceDefinition definition,
        FunnelAudienceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(definition);
        var checkedName = Check(request, definition.Steps);
        if (!checkedName.TryGetValue(out var name, out var error)) return error;
        if (definition.DroppedAfter != request.DroppedAfter)
            throw new ArgumentException("the definition and the request name different steps", nameof(definition));

        var dropOff = result.DropOff(request.DroppedAfter);
        var header = new AudienceHeader(name, request.Title, Kind, AudienceJson.WriteFunnelDefinition(definition), dropOff.AnonymousVisitors);
        var saved = await AudienceStore.SaveAsync(store, header, dropOff.CustomerIds,
            request.CreateOnly ? AudienceSaveMode.CreateOnly : AudienceSaveMode.Replace, ct);
        if (!saved.TryGetValue(out var audience, out var saveError)) return saveError;
        return new SavedFunnelAudience(audience, dropOff);
    }

    /// <summary>
    /// Runs a stored funnel drop-off audience's definition again on <paramref name="index"/> and replaces its members
    /// (title kept). Not found: an error with path <c>name</c>; another kind of audience, or a definition that no longer
    /// runs (an event type the store has never seen and the contract does not know): an invalid-input error.
    /// </summary>
    public static async Task<Result<SavedFunnelAudience>> RefreshAsync(FlywheelStore store, EventIndex index, AudienceName name, CancellationToken ct)
    {
        var stored = await AudienceStore.GetAsync(store, name, ct);
        if (stored is null) return Error.NotFound("name", $"there is no audience named '{name}'");
        if (stored.Kind != Kind) return Error.Invalid("name", $"audience '{name}' is a {stored.Kind} audience, not a funnel drop-off");
        var read = AudienceJson.ReadFunnelDefinition(stored.Definition);
        if (!read.TryGetValue(out var definition, out var readError)) return readError;
        var query = definition.ToQuery(index);
        if (!query.TryGetValue(out var funnel, out var queryError)) return queryError;
        var run = FunnelEngine.Run(index, funnel);
        if (!run.TryGetValue(out var result, out var runError)) return runError;
        return await SaveAsync(store, result, definition, new FunnelAudienceRequest(name.Value, definition.DroppedAfter), ct);
    }
}
