using System.Data.Common;
using Flywheel.Grow.Domain.Content;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>The content ledger's SQL (table grow_content): list, and an all-or-nothing import in one write transaction.</summary>
internal sealed class ContentStore(FlywheelStore store)
{
    private const string Columns = "content_id, title, kind, platform, published_at, owner, creator_id, stage, cost, views, likes, comments, saves, shares, " +
                                   "live_watchers, platform_gmv, updated_at";

    public async Task<IReadOnlyList<ContentItem>> ListAsync(CancellationToken ct)
    {
        var items = new List<ContentItem>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM grow_content ORDER BY published_at, content_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(Read(reader));
        return items;
    }

    /// <summary>
    /// Applies the patches in one transaction: each becomes a new item or updates a stored one (<see cref="ContentCsv.Apply"/>), creators
    /// are checked against grow_creators; the first refused row stops it and nothing is written. Gives (added, updated).
    /// </summary>
    public Task<Result<(int Added, int Updated)>> ImportAsync(IReadOnlyList<ContentPatch> patches, long now, CancellationToken ct) =>
        StoreWrite.RunAsync(store, async write =>
        {
            var stored = new Dictionary<string, ContentItem>(StringComparer.Ordinal);
            var creators = new HashSet<string>(StringComparer.Ordinal);
            foreach (var chunk in patches.Select(p => p.ContentId).Chunk(500))
            {
                await using var command = write.Command($"SELECT {Columns} FROM grow_content WHERE content_id IN ({Names(chunk.Length)})", Values(chunk));
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var item = Read(reader);
                    stored[item.ContentId] = item;
                }
            }
            foreach (var chunk in patches.Where(p => p.CreatorId is not null).Select(p => p.CreatorId!).Distinct(StringComparer.Ordinal).Chunk(500))
            {
                await using var command = write.Command($"SELECT creator_id FROM grow_creators WHERE creator_id IN ({Names(chunk.Length)})", Values(chunk));
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) creators.Add(reader.GetString(0));
            }
            var items = new List<ContentItem>(patches.Count);
            foreach (var patch in patches)
            {
                var applied = ContentCsv.Apply(patch, stored.GetValueOrDefault(patch.ContentId), creators.Contains, now);
                if (!applied.TryGetValue(out var item, out var error)) return Result<(int, int)>.From(error);
                items.Add(item);
            }
            foreach (var item in items)
                await write.ExecuteAsync($"""
                    INSERT INTO grow_content ({Columns}, created_at)
                    VALUES (@id, @title, @kind, @platform, @published, @owner, @creator, @stage, @cost, @views, @likes, @comments, @saves, @shares, @live, @gmv, @now, @now)
                    ON CONFLICT (content_id) DO UPDATE SET title = excluded.title, kind = excluded.kind, platform = excluded.platform,
                        published_at = excluded.published_at, owner = excluded.owner, creator_id = excluded.creator_id, stage = excluded.stage, cost = excluded.cost,
                        views = excluded.views, likes = excluded.likes, comments = excluded.comments, saves = excluded.saves, shares = excluded.shares,
                        live_watchers = excluded.live_watchers, platform_gmv = excluded.platform_gmv, updated_at = excluded.updated_at
                    """, ct,
                    ("@id", item.ContentId), ("@title", item.Title), ("@kind", item.Kind), ("@platform", item.Platform), ("@published", item.PublishedAt),
                    ("@owner", item.Owner), ("@creator", item.CreatorId), ("@stage", item.Stage), ("@cost", item.Cost), ("@views", item.Views), ("@likes", item.Likes),
                    ("@comments", item.Comments), ("@saves", item.Saves), ("@shares", item.Shares), ("@live", item.LiveWatchers), ("@gmv", item.PlatformGmv),
                    ("@now", now));
            await write.CommitAsync(ct);
            var added = items.Count(i => !stored.ContainsKey(i.ContentId));
            return Result<(int, int)>.Success((added, items.Count - added));
        }, ct);

    /// <summary>Whether a content item is in the ledger.</summary>
    public async Task<bool> ExistsAsync(string contentId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM grow_content WHERE content_id = @id";
        command.AddParameter("@id", contentId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static string Names(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => "@p" + i));

    private static (string, object?)[] Values(string[] chunk) => [.. chunk.Select((v, i) => ("@p" + i, (object?)v))];

    private static ContentItem Read(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.GetInt64(12), r.GetInt64(13),
        r.GetInt64(14), r.GetInt64(15), r.GetInt64(16));
}
