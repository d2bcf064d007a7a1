using System.Data.Common;
using Flywheel.Storage;

namespace Flywheel.Customers.Contracts;

/// <summary>
/// What sending to a customer needs from Customers: profile fields for templates, the newest address of each kind (email, phone,
/// WeChat union/open id), their own time zone (null: the store's), and consent per (channel, purpose): true granted, false withdrawn.
/// </summary>
public sealed record CustomerRecipient(
    string CustomerId,
    string? Name,
    string? City,
    string? MemberTier,
    string? TimeZone,
    string? BirthDate,
    string? Email,
    string? Phone,
    string? WeChatId,
    IReadOnlyDictionary<(string Channel, string Purpose), bool> Consents);

/// <summary>
/// Recipients and their consents, read in bulk (one query per table for a set of ids, or for everyone). Customers owns the
/// customers, identities and consents; campaigns ask here instead of reading those tables (docs/adr/0009-modules.md).
/// </summary>
public static class CustomerRecipients
{
    /// <summary>The recipients of the given customers (unknown ids are left out), or of every customer when <paramref name="ids"/> is null.</summary>
    public static async Task<Dictionary<string, CustomerRecipient>> LoadAsync(FlywheelStore store, IReadOnlyCollection<string>? ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = new Dictionary<string, (string? Name, string? City, string? Tier, string? Zone, string? Birth)>(StringComparer.Ordinal);
        var identities = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var consents = new Dictionary<string, Dictionary<(string, string), bool>>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        // Large sets are read whole and filtered here: one scan beats thousands of parameters.
        var filter = ids is null ? null : ids.ToHashSet(StringComparer.Ordinal);
        var where = ids is { Count: > 0 and <= 500 } ? " WHERE customer_id IN (" + string.Join(",", ids.Select((_, i) => "@c" + i)) + ")" : "";
        void Bind(DbCommand command)
        {
            if (where.Length == 0) return;
            var i = 0;
            foreach (var id in ids!) command.AddParameter("@c" + i++, id);
        }
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT customer_id, name, city, member_tier, time_zone, birth_date FROM customers" + where;
            Bind(command);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (filter is not null && !filter.Contains(id)) continue;
                rows[id] = (Text(reader, 1), Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5));
            }
        }
        if (ids is { Count: 0 } || rows.Count == 0) return [];
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT customer_id, kind, value FROM customer_identities" + where + (where.Length == 0 ? " WHERE" : " AND") +
                " kind IN ('email', 'phone', 'wechat_openid', 'wechat_unionid') ORDER BY created_at";
            Bind(command);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (!rows.ContainsKey(id)) continue;
                if (!identities.TryGetValue(id, out var map)) identities[id] = map = new Dictionary<string, string>(StringComparer.Ordinal);
                map[reader.GetString(1)] = reader.GetString(2); // the newest identity of a kind wins
            }
        }
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT customer_id, channel, purpose, status FROM customer_consents" + where;
            Bind(command);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (!rows.ContainsKey(id)) continue;
                if (!consents.TryGetValue(id, out var map)) consents[id] = map = [];
                map[(reader.GetString(1), reader.GetString(2))] = reader.GetString(3) == "granted";
            }
        }
        var result = new Dictionary<string, CustomerRecipient>(rows.Count, StringComparer.Ordinal);
        IReadOnlyDictionary<(string, string), bool> none = new Dictionary<(string, string), bool>();
        foreach (var (id, r) in rows)
        {
            identities.TryGetValue(id, out var ident);
            result[id] = new CustomerRecipient(id, r.Name, r.City, r.Tier, r.Zone is { Length: > 0 } ? r.Zone : null, r.Birth,
                ident?.GetValueOrDefault("email"), ident?.GetValueOrDefault("phone"),
                ident?.GetValueOrDefault("wechat_unionid") ?? ident?.GetValueOrDefault("wechat_openid"),
                consents.TryGetValue(id, out var c) ? c : none);
        }
        return result;
    }

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
