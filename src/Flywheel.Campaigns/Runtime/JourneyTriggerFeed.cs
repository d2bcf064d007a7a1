using Flywheel.Storage;

namespace Flywheel.Campaigns.Runtime;

/// <summary>What one poll of the trigger feed did.</summary>
public sealed record FeedReport(int Events, int Entered, long Cursor);

/// <summary>
/// Feeds stored events to <see cref="JourneyEngine.OnEventsAsync"/> in ingest order, durably: the cursor (the last ingest id
/// fully handled, setting <see cref="CursorSetting"/>) moves only after the engine has taken the ingest's events, and only
/// over ingests that have finished — an ingest still open (another process, a long import) holds the cursor back, so no
/// event is skipped. Entering is idempotent per (journey, customer, occurrence), so a poll repeated after a crash enters no
/// one twice. Events come from any writer of the store, this process or another.
/// </summary>
public sealed class JourneyTriggerFeed(FlywheelStore store, JourneyEngine engine)
{
    public const string CursorSetting = "campaigns.trigger_cursor";

    /// <summary>Events read per query.</summary>
    public int PageSize { get; init; } = 20_000;

    /// <summary>Starts the cursor at the newest finished ingest when it has never been set, so a new journey does not replay history.</summary>
    public async Task<long> InitialiseAsync(CancellationToken ct)
    {
        var text = await store.GetSettingAsync(CursorSetting, "", ct);
        if (long.TryParse(text, out var cursor)) return cursor;
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM ingests WHERE finished_at IS NOT NULL";
        cursor = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        await store.SetSettingAsync(CursorSetting, cursor.ToString(System.Globalization.CultureInfo.InvariantCulture), ct, affectsAnalytics: false);
        return cursor;
    }

    /// <summary>Hands every event of finished ingests after the cursor to the engine, then moves the cursor.</summary>
    public async Task<FeedReport> PollAsync(CancellationToken ct)
    {
        var cursor = await InitialiseAsync(ct);
        long limit;
        await using (var connection = await store.OpenConnectionAsync(ct))
        await using (var command = connection.CreateCommand())
        {
            // Everything below the oldest open ingest is final.
            command.CommandText = "SELECT COALESCE((SELECT MIN(id) FROM ingests WHERE finished_at IS NULL), (SELECT COALESCE(MAX(id), 0) + 1 FROM ingests))";
            limit = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        int events = 0, entered = 0;
        while (cursor + 1 < limit)
        {
            var batch = new List<JourneyEvent>();
            long last = cursor;
            await using (var connection = await store.OpenConnectionAsync(ct))
            await using (var command = connection.CreateCommand())
            {
                // Whole ingests per page: the page ends at an ingest boundary so the cursor never splits one.
                command.CommandText = "SELECT event_id, type, customer_id, time, sku, value, properties, ingest_id FROM events " +
                    "WHERE ingest_id > @from AND ingest_id < @to AND customer_id IS NOT NULL ORDER BY ingest_id, time, event_id";
                command.AddParameter("@from", cursor);
                command.AddParameter("@to", Math.Min(limit, cursor + 1 + Math.Max(1, PageSize / 1000)));
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    batch.Add(new JourneyEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.IsDBNull(4) ? null : reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
                }
                last = Math.Min(limit - 1, cursor + Math.Max(1, PageSize / 1000));
            }
            entered += await engine.OnEventsAsync(batch, ct);
            events += batch.Count;
            cursor = last;
            await store.SetSettingAsync(CursorSetting, cursor.ToString(System.Globalization.CultureInfo.InvariantCulture), ct, affectsAnalytics: false);
        }
        return new FeedReport(events, entered, cursor);
    }
}
