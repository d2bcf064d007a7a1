using System.Data.Common;
using Flywheel.Campaigns.Channels;
using Flywheel.Storage;
using NodaTime;

namespace Flywheel.Campaigns.Runtime;

/// <summary>
/// What sending needs to know about a customer: how to reach them on each channel, their time zone (for quiet hours, local send
/// times and frequency windows), profile fields for templates, and their consent per channel and purpose.
/// </summary>
public sealed record CustomerContact(
    string CustomerId,
    string? Name,
    string? City,
    string? MemberTier,
    DateTimeZone TimeZone,
    string? Email,
    string? Phone,
    string? WeChatId,
    string? BirthDate,
    IReadOnlyDictionary<(string Channel, string Purpose), bool> Consents)
{
    /// <summary>The address a channel delivers to; null when the customer has none (the send is suppressed with that reason).</summary>
    public string? AddressFor(ChannelKind channel) => channel switch
    {
        ChannelKind.Email => Email,
        ChannelKind.Sms => Phone,
        ChannelKind.WeCom => WeChatId ?? CustomerId, // a group robot posts to its group; the customer is named in the text
        _ => CustomerId,                             // a webhook receiver looks the customer up by id
    };

    /// <summary>
    /// Consent at send time. Marketing needs an explicit grant on the channel; transactional messages are allowed unless the
    /// customer withdrew transactional consent on it. Webhooks go to the brand's own systems and carry no consent of their own.
    /// </summary>
    public bool Allows(ChannelKind channel, MessagePurpose purpose)
    {
        if (channel == ChannelKind.Webhook) return true;
        var key = (ConsentChannel(channel), purpose == MessagePurpose.Marketing ? "marketing" : "transactional");
        return purpose == MessagePurpose.Marketing ? Consents.TryGetValue(key, out var granted) && granted : !Consents.TryGetValue(key, out var t) || t;
    }

    /// <summary>The consent channel name of a delivery channel (the names the importers and <c>/v1/consent</c> use).</summary>
    public static string ConsentChannel(ChannelKind channel) => channel switch
    {
        ChannelKind.Email => "email",
        ChannelKind.Sms => "sms",
        ChannelKind.WeCom => "wecom",
        _ => "webhook",
    };
}

/// <summary>Reads <see cref="CustomerContact"/>s from the store in bulk (one query per table for a set of ids, or for everyone).</summary>
public sealed class CustomerDirectory(FlywheelStore store)
{
    public static readonly DateTimeZone DefaultZone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>The contacts of the given customers (missing ids are left out), or of every customer when <paramref name="ids"/> is null.</summary>
    public async Task<Dictionary<string, CustomerContact>> LoadAsync(IReadOnlyCollection<string>? ids, CancellationToken ct)
    {
        var storeZone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? DefaultZone;
        var rows = new Dictionary<string, (string? Name, string? City, string? Tier, string? Zone, string? Birth)>(StringComparer.Ordinal);
        var identities = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var consents = new Dictionary<string, Dictionary<(string, string), bool>>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        // Large sets are read whole and filtered here: one scan beats thousands of parameters.
        var filter = ids is { Count: > 0 and <= 500 } ? ids.ToHashSet(StringComparer.Ordinal) : ids is null ? null : ids.ToHashSet(StringComparer.Ordinal);
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
        var result = new Dictionary<string, CustomerContact>(rows.Count, StringComparer.Ordinal);
        IReadOnlyDictionary<(string, string), bool> none = new Dictionary<(string, string), bool>();
        foreach (var (id, r) in rows)
        {
            identities.TryGetValue(id, out var ident);
            var zone = r.Zone is { Length: > 0 } z ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(z) ?? storeZone : storeZone;
            result[id] = new CustomerContact(id, r.Name, r.City, r.Tier, zone, ident?.GetValueOrDefault("email"), ident?.GetValueOrDefault("phone"),
                ident?.GetValueOrDefault("wechat_unionid") ?? ident?.GetValueOrDefault("wechat_openid"), r.Birth,
                consents.TryGetValue(id, out var c) ? c : none);
        }
        return result;
    }

    public async Task<CustomerContact?> GetAsync(string customerId, CancellationToken ct) =>
        (await LoadAsync([customerId], ct)).GetValueOrDefault(customerId);

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
