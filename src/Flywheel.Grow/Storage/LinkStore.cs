using System.Data;
using System.Data.Common;
using Flywheel.Grow.Domain.Links;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>A stored tracking link. <see cref="Target"/> is the destination with the link's utm_* parameters: where /l/{code} redirects.</summary>
internal sealed record LinkRow(string Code, string Kind, string? Name, string Destination, string Target, Utm Utm, string? CreatorId, string? CollabId,
    long CreatedAt);

/// <summary>One visit of /l/{code}: when, by which browser (its first-party anonymous id), the customer when that id is known, where from.</summary>
internal sealed record ClickRow(string ClickId, string Code, long At, string AnonymousId, string? CustomerId, string? Referrer, string? UserAgent);

/// <summary>A link's clicks by one browser: how many, the first, and the customer a click carried (null when none did).</summary>
internal sealed record ScannerRow(string Code, string AnonymousId, long Clicks, long FirstAt, string? CustomerId);

/// <summary>The SQL of grow_links and grow_link_clicks. Links never change once made, so a cache of them is never stale.</summary>
internal sealed class LinkStore(FlywheelStore store)
{
    /// <summary>Store setting: the allow-list kept with the data, one host a line (see <see cref="HostsSetting"/> in docs/grow.md).</summary>
    public const string HostsSetting = "grow.link_hosts";

    private const string Columns = "code, kind, name, destination, target, channel, source, medium, campaign, content, term, creator_id, collab_id, created_at";

    public FlywheelStore Store => store;

    /// <summary>Stores a new link; a code already taken is a conflict and nothing is written.</summary>
    public async Task<Result<LinkRow>> InsertAsync(LinkRow link, CancellationToken ct)
    {
        var inserted = await StoreWrite.RunAsync(store, async write =>
        {
            var added = await write.ExecuteAsync($"INSERT INTO grow_links ({Columns}) VALUES (@code, @kind, @name, @destination, @target, @channel, @source, " +
                "@medium, @campaign, @content, @term, @creator, @collab, @at) ON CONFLICT (code) DO NOTHING", ct,
                ("@code", link.Code), ("@kind", link.Kind), ("@name", link.Name), ("@destination", link.Destination), ("@target", link.Target),
                ("@channel", link.Utm.Channel), ("@source", link.Utm.Source), ("@medium", link.Utm.Medium), ("@campaign", link.Utm.Campaign),
                ("@content", link.Utm.Content), ("@term", link.Utm.Term), ("@creator", link.CreatorId), ("@collab", link.CollabId), ("@at", link.CreatedAt));
            await write.CommitAsync(ct);
            return added;
        }, ct);
        return inserted == 1 ? link : Error.Conflict("code", $"the code '{link.Code}' is already taken");
    }

    public async Task<LinkRow?> GetAsync(string code, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM grow_links WHERE code = @code";
        command.AddParameter("@code", code);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Links newest first, of one kind when given, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<LinkRow>> ListAsync(string? kind, int limit, CancellationToken ct)
    {
        var result = new List<LinkRow>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM grow_links WHERE (@kind IS NULL OR kind = @kind) ORDER BY created_at DESC, code LIMIT @limit";
        command.AddParameter("@kind", kind).DbType = DbType.String;
        command.AddParameter("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(Read(reader));
        return result;
    }

    /// <summary>Clicks and distinct browsers per link code.</summary>
    public async Task<IReadOnlyDictionary<string, (long Clicks, long Browsers)>> ClickCountsAsync(CancellationToken ct)
    {
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT code, COUNT(*), COUNT(DISTINCT anonymous_id) FROM grow_link_clicks GROUP BY code";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        return result;
    }

    /// <summary>Clicks in [from, to) (Unix ms) on links that belong to a collaboration or could (every kind 'link'), with the link's collab_id.</summary>
    public async Task<IReadOnlyList<(string Code, string? CollabId, string AnonymousId, string? CustomerId, long At)>> CollabClicksAsync(long from, long to,
        CancellationToken ct)
    {
        var result = new List<(string, string?, string, string?, long)>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT c.code, l.collab_id, c.anonymous_id, c.customer_id, c.at FROM grow_link_clicks c JOIN grow_links l ON l.code = c.code " +
            "WHERE l.kind = 'link' AND c.at >= @from AND c.at < @to ORDER BY c.at, c.click_id";
        command.AddParameter("@from", from);
        command.AddParameter("@to", to);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4)));
        return result;
    }

    /// <summary>Writes a batch of clicks in one transaction (one commit for many redirects).</summary>
    public async Task InsertClicksAsync(IReadOnlyList<ClickRow> clicks, CancellationToken ct)
    {
        if (clicks.Count == 0) return;
        await StoreWrite.RunAsync(store, async write =>
        {
            await using var command = write.Command("INSERT INTO grow_link_clicks (click_id, code, at, anonymous_id, customer_id, referrer, user_agent) " +
                "VALUES (@id, @code, @at, @anonymous, @customer, @referrer, @agent) ON CONFLICT (click_id) DO NOTHING");
            var p = new[]
            {
                command.AddParameter("@id", DbType.String), command.AddParameter("@code", DbType.String), command.AddParameter("@at", DbType.Int64),
                command.AddParameter("@anonymous", DbType.String), command.AddParameter("@customer", DbType.String),
                command.AddParameter("@referrer", DbType.String), command.AddParameter("@agent", DbType.String),
            };
            await command.PrepareAsync(ct);
            foreach (var c in clicks)
            {
                p[0].Value = c.ClickId;
                p[1].Value = c.Code;
                p[2].Value = c.At;
                p[3].Value = c.AnonymousId;
                p[4].Value = (object?)c.CustomerId ?? DBNull.Value;
                p[5].Value = (object?)c.Referrer ?? DBNull.Value;
                p[6].Value = (object?)c.UserAgent ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(ct);
            }
            await write.CommitAsync(ct);
            return clicks.Count;
        }, ct);
    }

    /// <summary>Clicks whose event is not yet in the record, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<ClickRow>> UnforwardedAsync(int limit, CancellationToken ct)
    {
        var result = new List<ClickRow>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT click_id, code, at, anonymous_id, customer_id, referrer, user_agent FROM grow_link_clicks WHERE forwarded = 0 " +
            "ORDER BY at, click_id LIMIT @limit";
        command.AddParameter("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new ClickRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return result;
    }

    /// <summary>Marks clicks forwarded, with the customer each turned out to be (null: still anonymous).</summary>
    public async Task MarkForwardedAsync(IReadOnlyList<(string ClickId, string? CustomerId)> clicks, CancellationToken ct)
    {
        if (clicks.Count == 0) return;
        await StoreWrite.RunAsync(store, async write =>
        {
            await using var command = write.Command("UPDATE grow_link_clicks SET forwarded = 1, customer_id = COALESCE(customer_id, @customer) WHERE click_id = @id");
            var id = command.AddParameter("@id", DbType.String);
            var customer = command.AddParameter("@customer", DbType.String);
            await command.PrepareAsync(ct);
            foreach (var (clickId, customerId) in clicks)
            {
                id.Value = clickId;
                customer.Value = (object?)customerId ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(ct);
            }
            await write.CommitAsync(ct);
            return clicks.Count;
        }, ct);
    }

    /// <summary>Every browser that clicked each link (of one code, or of every link of <paramref name="kind"/>, or all), with its first click.</summary>
    public async Task<IReadOnlyList<ScannerRow>> ScannersAsync(string? code, string? kind, CancellationToken ct)
    {
        var result = new List<ScannerRow>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT c.code, c.anonymous_id, COUNT(*), MIN(c.at), MAX(c.customer_id) FROM grow_link_clicks c JOIN grow_links l ON l.code = c.code " +
            "WHERE (@code IS NULL OR c.code = @code) AND (@kind IS NULL OR l.kind = @kind) GROUP BY c.code, c.anonymous_id";
        command.AddParameter("@code", code).DbType = DbType.String;
        command.AddParameter("@kind", kind).DbType = DbType.String;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new ScannerRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return result;
    }

    /// <summary>Of the given anonymous ids, the package-card links each clicked, with its first click there.</summary>
    public async Task<IReadOnlyList<(string Code, string AnonymousId, long FirstAt)>> PackageCardScansAsync(IReadOnlyCollection<string>? anonymousIds, CancellationToken ct)
    {
        var result = new List<(string, string, long)>();
        await using var connection = await store.OpenConnectionAsync(ct);
        if (anonymousIds is null)
        {
            await using var all = connection.CreateCommand();
            all.CommandText = "SELECT c.code, c.anonymous_id, MIN(c.at) FROM grow_link_clicks c JOIN grow_links l ON l.code = c.code " +
                "WHERE l.kind = 'package_card' GROUP BY c.code, c.anonymous_id";
            await ReadScansAsync(all, result, ct);
            return result;
        }
        foreach (var chunk in anonymousIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@a" + i, chunk[i]);
            command.CommandText = "SELECT c.code, c.anonymous_id, MIN(c.at) FROM grow_link_clicks c JOIN grow_links l ON l.code = c.code " +
                "WHERE l.kind = 'package_card' AND c.anonymous_id IN (" + string.Join(", ", chunk.Select((_, i) => "@a" + i)) + ") GROUP BY c.code, c.anonymous_id";
            await ReadScansAsync(command, result, ct);
        }
        return result;
    }

    private static async Task ReadScansAsync(DbCommand command, List<(string, string, long)> result, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
    }

    /// <summary>The allow-list kept in the store (hosts an admin added with PUT /v1/links/hosts).</summary>
    public async Task<IReadOnlyList<string>> StoredHostsAsync(CancellationToken ct)
    {
        var text = await store.GetSettingAsync(HostsSetting, "", ct);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    public Task SetStoredHostsAsync(IReadOnlyList<string> hosts, CancellationToken ct) =>
        store.SetSettingAsync(HostsSetting, string.Join('\n', hosts), ct, affectsAnalytics: false);

    private static LinkRow Read(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new LinkRow(r.GetString(0), r.GetString(1), Text(2), r.GetString(3), r.GetString(4), new Utm(Text(5), Text(6), Text(7), Text(8), Text(9), Text(10)),
            Text(11), Text(12), r.GetInt64(13));
    }
}
