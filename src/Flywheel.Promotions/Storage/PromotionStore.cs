using Flywheel.Storage;

namespace Flywheel.Promotions.Storage;

/// <summary>A stored promotion: its id, status (draft, active, archived), definition (JSON owned by Flywheel.Promotions) and times.</summary>
internal sealed record StoredPromotion(string Id, string Status, string Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The promotions table (migration 7): save, get, list, delete. Plain SQL for SQLite and PostgreSQL.</summary>
internal static class PromotionStore
{
    /// <summary>Inserts the promotion, or replaces the status and definition of an existing id (keeping created_at). True when it was new.</summary>
    public static async Task<bool> SaveAsync(FlywheelStore store, string id, string status, string definition, CancellationToken ct)
    {
        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM promotions WHERE id = @id";
        exists.AddParameter("@id", id);
        var isNew = Convert.ToInt64(await exists.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0;
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO promotions (id, status, definition, created_at, updated_at) VALUES (@id, @status, @definition, @now, @now) " +
            "ON CONFLICT (id) DO UPDATE SET status = excluded.status, definition = excluded.definition, updated_at = excluded.updated_at";
        command.AddParameter("@id", id);
        command.AddParameter("@status", status);
        command.AddParameter("@definition", definition);
        command.AddParameter("@now", now);
        await command.ExecuteNonQueryAsync(ct);
        return isNew;
    }

    /// <summary>Every promotion, or those with the given status, ordered by id.</summary>
    public static async Task<IReadOnlyList<StoredPromotion>> ListAsync(FlywheelStore store, string? status, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, status, definition, created_at, updated_at FROM promotions" +
            (status is null ? "" : " WHERE status = @status") + " ORDER BY id";
        if (status is not null) command.AddParameter("@status", status);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StoredPromotion>();
        while (await reader.ReadAsync(ct))
            list.Add(new StoredPromotion(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        return list;
    }

    public static async Task<StoredPromotion?> GetAsync(FlywheelStore store, string id, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, status, definition, created_at, updated_at FROM promotions WHERE id = @id";
        command.AddParameter("@id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredPromotion(reader.GetString(0), reader.GetString(1), reader.GetString(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
    }

    /// <summary>Deletes a promotion; false when there was none with that id.</summary>
    public static async Task<bool> DeleteAsync(FlywheelStore store, string id, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM promotions WHERE id = @id";
        command.AddParameter("@id", id);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }
}
