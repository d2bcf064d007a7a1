using System.Data.Common;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>How many creators a save added and how many it updated.</summary>
internal sealed record CreatorsSaved(int Added, int Updated);

/// <summary>
/// The creators and collaborations tables (migrations 1 and 3). Creators are upserted by id, all of a call in one transaction;
/// a collaboration is inserted once (a second with its id is a conflict) and then only its status and link code change.
/// </summary>
internal sealed class CreatorStore(FlywheelStore store, TimeProvider time)
{
    public async Task<CreatorsSaved> SaveCreatorsAsync(IReadOnlyList<Creator> creators, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(creators);
        return await StoreWrite.RunAsync(store, async write =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            int added = 0, updated = 0;
            foreach (var c in creators)
            {
                var exists = await write.ScalarAsync("SELECT 1 FROM grow_creators WHERE creator_id = @id", ct, ("@id", c.CreatorId)) is not null;
                if (exists)
                {
                    await write.ExecuteAsync("UPDATE grow_creators SET name = @name, platform = @platform, followers = @followers, tier = @tier, " +
                        "category = @category, updated_at = @now WHERE creator_id = @id", ct, Parameters(c, now));
                    updated++;
                }
                else
                {
                    await write.ExecuteAsync("INSERT INTO grow_creators (creator_id, name, platform, followers, tier, category, created_at, updated_at) " +
                        "VALUES (@id, @name, @platform, @followers, @tier, @category, @now, @now)", ct, Parameters(c, now));
                    added++;
                }
            }
            await write.CommitAsync(ct);
            return new CreatorsSaved(added, updated);
        }, ct);
    }

    private static (string, object?)[] Parameters(Creator c, long now) =>
        [("@id", c.CreatorId), ("@name", c.Name), ("@platform", c.Platform), ("@followers", c.Followers), ("@tier", c.Tier), ("@category", c.Category), ("@now", now)];

    public async Task<IReadOnlyList<Creator>> ListCreatorsAsync(CancellationToken ct)
    {
        var result = new List<Creator>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT creator_id, name, platform, followers, tier, category FROM grow_creators ORDER BY creator_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new Creator(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        return result;
    }

    public async Task<bool> CreatorExistsAsync(string creatorId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM grow_creators WHERE creator_id = @id";
        command.AddParameter("@id", creatorId);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    public async Task<Collaboration?> GetCollaborationAsync(string collabId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return (await ReadCollaborationsAsync(connection, null, "WHERE collab_id = @id", ct, ("@id", collabId))).FirstOrDefault();
    }

    /// <summary>Inserts a collaboration; not found when its creator is unknown, a conflict when its id or coupon code is taken.</summary>
    public async Task<Result<Collaboration>> AddCollaborationAsync(Collaboration c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        return await StoreWrite.RunAsync(store, async write =>
        {
            if (await write.ScalarAsync("SELECT 1 FROM grow_creators WHERE creator_id = @id", ct, ("@id", c.CreatorId)) is null)
                return (Result<Collaboration>)Error.NotFound("creator_id", $"there is no creator '{c.CreatorId}'; add the creator first (POST /v1/creators)");
            if (await write.ScalarAsync("SELECT 1 FROM grow_collaborations WHERE collab_id = @id", ct, ("@id", c.CollabId)) is not null)
                return Error.Conflict("collab_id", $"a collaboration with id '{c.CollabId}' already exists; choose another id");
            if (c.CouponCode is { } code && await write.ScalarAsync("SELECT collab_id FROM grow_collaborations WHERE coupon_code = @c", ct, ("@c", code)) is string other)
                return Error.Conflict("coupon_code", $"coupon code {code} is already collaboration '{other}''s; each collaboration has a code of its own");
            var inserted = await write.ExecuteAsync(
                "INSERT INTO grow_collaborations (collab_id, creator_id, title, fee, commission_bp, deliverables, posting_at, link_code, coupon_code, status, " +
                "created_at, updated_at) VALUES (@id, @creator, @title, @fee, @bp, @deliverables, @posting, @link, @coupon, @status, @now, @now) ON CONFLICT DO NOTHING", ct,
                ("@id", c.CollabId), ("@creator", c.CreatorId), ("@title", c.Title), ("@fee", c.Fee), ("@bp", c.CommissionBp), ("@deliverables", c.Deliverables),
                ("@posting", c.PostingAt.ToUnixTimeMilliseconds()), ("@link", c.LinkCode), ("@coupon", c.CouponCode), ("@status", c.Status),
                ("@now", c.CreatedAt.ToUnixTimeMilliseconds()));
            if (inserted == 0) return Error.Conflict("collab_id", $"collaboration '{c.CollabId}' or its coupon code was added at the same time by another request");
            await write.CommitAsync(ct);
            return c;
        }, ct);
    }

    /// <summary>Sets the status (and the link code, when given) of a collaboration; the move is checked against the stored status.</summary>
    public async Task<Result<Collaboration>> UpdateCollaborationAsync(string collabId, string? status, string? linkCode, CancellationToken ct) =>
        await StoreWrite.RunAsync(store, async write =>
        {
            var found = (await ReadCollaborationsAsync(write.Connection, write.Transaction, "WHERE collab_id = @id", ct, ("@id", collabId))).FirstOrDefault();
            if (found is null) return (Result<Collaboration>)Error.NotFound("collab_id", $"there is no collaboration '{collabId}'");
            if (status is not null && CollaborationStatus.CheckMove(found.Status, status) is { } refused) return refused;
            var next = found with { Status = status ?? found.Status, LinkCode = linkCode ?? found.LinkCode };
            await write.ExecuteAsync("UPDATE grow_collaborations SET status = @status, link_code = @link, updated_at = @now WHERE collab_id = @id", ct,
                ("@status", next.Status), ("@link", next.LinkCode), ("@now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("@id", collabId));
            await write.CommitAsync(ct);
            return next;
        }, ct);

    public async Task<IReadOnlyList<Collaboration>> ListCollaborationsAsync(string? creatorId, string? status, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (creatorId is not null) { where.Add("creator_id = @creator"); args.Add(("@creator", creatorId)); }
        if (status is not null) { where.Add("status = @status"); args.Add(("@status", status)); }
        return await ReadCollaborationsAsync(connection, null, where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where), ct, [.. args]);
    }

    private static async Task<List<Collaboration>> ReadCollaborationsAsync(DbConnection connection, DbTransaction? transaction, string where, CancellationToken ct,
        params (string Name, object? Value)[] args)
    {
        var result = new List<Collaboration>();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT collab_id, creator_id, title, fee, commission_bp, deliverables, posting_at, link_code, coupon_code, status, created_at " +
            $"FROM grow_collaborations {where} ORDER BY posting_at, collab_id";
        foreach (var (name, value) in args) command.AddParameter(name, value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new Collaboration(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), Convert.ToInt32(reader.GetValue(4),
                    System.Globalization.CultureInfo.InvariantCulture), reader.IsDBNull(5) ? null : reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetString(9), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10))));
        return result;
    }
}
