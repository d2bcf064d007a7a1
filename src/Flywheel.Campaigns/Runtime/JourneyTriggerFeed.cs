using Flywheel.Analytics.Contracts;
using Flywheel.Storage;

namespace Flywheel.Campaigns.Runtime;

/// <summary>What one poll of the trigger feed did.</summary>
internal sealed record FeedReport(int Events, int Entered, long Cursor);

/// <summary>
/// Feeds stored events to <see cref="JourneyEngine.OnEventsAsync"/> in ingest order, durably: the cursor (the last ingest id
/// fully handled, setting <see cref="CursorSetting"/>) moves only after the engine has taken the ingest's events, and only
/// over ingests that have finished — an ingest still open (another process, a long import) holds the cursor back, so no
/// event is skipped. Entering is idempotent per (journey, customer, occurrence), so a poll repeated after a crash enters no
/// one twice. Events come from any writer of the store, this process or another.
/// </summary>
internal sealed class JourneyTriggerFeed(FlywheelStore store, JourneyEngine engine)
{
    public const string CursorSetting = "campaigns.trigger_cursor";

    /// <summary>Events read per query.</summary>
    public int PageSize { get; init; } = 20_000;

    /// <summary>Starts the cursor at the newest finished ingest when it has never been set, so a new journey does not replay history.</summary>
    public async Task<long> InitialiseAsync(CancellationToken ct)
    {
        var text = await store.GetSettingAsync(CursorSetting, "", ct);
        if (long.TryParse(text, out var cursor)) return cursor;
        cursor = await EventLookups.LastFinishedIngestAsync(store, ct);
        await store.SetSettingAsync(CursorSetting, cursor.ToString(System.Globalization.CultureInfo.InvariantCulture), ct, affectsAnalytics: false);
        return cursor;
    }

    /// <summary>Hands every event of finished ingests after the cursor to the engine, then moves the cursor.</summary>
    public async Task<FeedReport> PollAsync(CancellationToken ct)
    {
        var cursor = await InitialiseAsync(ct);
        // Everything below the oldest open ingest is final.
        var limit = await EventLookups.FirstOpenIngestAsync(store, ct);
        int events = 0, entered = 0;
        while (cursor + 1 < limit)
        {
            // Whole ingests per page: the page ends at an ingest boundary so the cursor never splits one.
            var last = Math.Min(limit - 1, cursor + Math.Max(1, PageSize / 1000));
            var batch = (await EventLookups.ByIngestAsync(store, cursor, last + 1, ct))
                .Select(e => new JourneyEvent(e.EventId, e.Type, e.CustomerId, e.Time, e.Sku, e.Value, e.Properties)).ToList();
            entered += await engine.OnEventsAsync(batch, ct);
            events += batch.Count;
            cursor = last;
            await store.SetSettingAsync(CursorSetting, cursor.ToString(System.Globalization.CultureInfo.InvariantCulture), ct, affectsAnalytics: false);
        }
        return new FeedReport(events, entered, cursor);
    }
}
