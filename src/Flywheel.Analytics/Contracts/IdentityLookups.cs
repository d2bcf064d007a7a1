using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>An anonymous id's link to a customer: who, and when the link was made (Unix milliseconds).</summary>
public sealed record IdentityLink(string AnonymousId, string CustomerId, long LinkedAt);

/// <summary>
/// Lookups over identity_links (Analytics owns the behaviour record, identities included) for modules that know browsers by
/// their anonymous id (Grow's tracking links: which scanner of a package card became a known customer, and when).
/// </summary>
public static class IdentityLookups
{
    /// <summary>The links of those of <paramref name="anonymousIds"/> that are linked to a customer (one query per 500 ids).</summary>
    public static async Task<IReadOnlyDictionary<string, IdentityLink>> LinkedAsync(FlywheelStore store, IReadOnlyCollection<string> anonymousIds,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(anonymousIds);
        var result = new Dictionary<string, IdentityLink>(StringComparer.Ordinal);
        if (anonymousIds.Count == 0) return result;
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var chunk in anonymousIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
            command.CommandText = "SELECT anonymous_id, customer_id, linked_at FROM identity_links WHERE anonymous_id IN (" +
                string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i)) + ")";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                result[reader.GetString(0)] = new IdentityLink(reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        }
        return result;
    }
}
