using System.Globalization;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>Bounds of the behaviour record in time, for modules that measure "as of the end of the data" without an index at hand (Experiments).</summary>
public static class EventTimes
{
    /// <summary>The time of the latest stored event (Unix ms), or null when there is none.</summary>
    public static async Task<long?> LastAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(time) FROM events";
        return await command.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
    }
}
