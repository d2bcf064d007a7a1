using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>A channel's stage as the brand set it, and when.</summary>
internal sealed record StoredStage(string Channel, string Stage, DateTimeOffset UpdatedAt);

/// <summary>The table <c>grow_channel_stages</c> (migration 2): the stages the brand assigned to channels. Plain SQL for both engines.</summary>
internal static class ChannelStageStore
{
    public static async Task<IReadOnlyList<StoredStage>> ListAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT channel, stage, updated_at FROM grow_channel_stages ORDER BY channel";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StoredStage>();
        while (await reader.ReadAsync(ct))
            list.Add(new StoredStage(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        return list;
    }

    /// <summary>Sets (inserts or replaces) one channel's stage.</summary>
    public static async Task SetAsync(FlywheelStore store, string channel, string stage, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO grow_channel_stages (channel, stage, updated_at) VALUES (@channel, @stage, @now) " +
            "ON CONFLICT (channel) DO UPDATE SET stage = excluded.stage, updated_at = excluded.updated_at";
        command.AddParameter("@channel", channel);
        command.AddParameter("@stage", stage);
        command.AddParameter("@now", store.Time.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes a channel's assignment (it serves its default again); false when it had none.</summary>
    public static async Task<bool> DeleteAsync(FlywheelStore store, string channel, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM grow_channel_stages WHERE channel = @channel";
        command.AddParameter("@channel", channel);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }
}
