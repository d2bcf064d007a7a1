using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>A KOL/KOC post of the record (content_posts): who posted it, on which channel, when, and what it cost (fen).</summary>
public sealed record KolPost(string PostId, string KolId, string? KolName, string? KolTier, string Channel, DateTimeOffset PublishedAt, long Cost);

/// <summary>The record's KOL posts, for Grow's creators and collaborations (content_posts belongs to Analytics, with the spend it is measured against).</summary>
public static class KolPosts
{
    /// <summary>Every post, by publish time then id.</summary>
    public static async Task<IReadOnlyList<KolPost>> ListAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<KolPost>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT post_id, kol_id, kol_name, kol_tier, channel, published_at, cost FROM content_posts ORDER BY published_at, post_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new KolPost(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.GetInt64(6)));
        return result;
    }
}
