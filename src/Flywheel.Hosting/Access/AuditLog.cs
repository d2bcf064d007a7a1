using Flywheel.Storage;

namespace Flywheel.Hosting.Access;

/// <summary>One audited request: who (key id and name), what (method, route, target id), when, and the HTTP status it got.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string? KeyId, string? KeyName, string Method, string Route, string? Target, int Status);

/// <summary>
/// The audit log: every write through the API (any method but GET and HEAD) and every export of personal data, whatever its
/// outcome, refused ones included. Entries are only appended; nothing in Flywheel updates or deletes them.
/// </summary>
public sealed class AuditLog(FlywheelStore store)
{
    public const int MaxTargetLength = 200;

    public async Task WriteAsync(string? keyId, string? keyName, string method, string route, string? target, int status, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(route);
        if (target is { Length: > MaxTargetLength }) target = target[..MaxTargetLength];
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO audit_log (at, key_id, key_name, method, route, target, status) VALUES (@at, @key, @name, @method, @route, @target, @status)";
        command.AddParameter("@at", store.Time.GetUtcNow().ToUnixTimeMilliseconds());
        command.AddParameter("@key", keyId);
        command.AddParameter("@name", keyName);
        command.AddParameter("@method", method);
        command.AddParameter("@route", route);
        command.AddParameter("@target", target);
        command.AddParameter("@status", status);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The latest entries first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken ct)
    {
        var entries = new List<AuditEntry>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, key_id, key_name, method, route, target, status FROM audit_log ORDER BY id DESC LIMIT @limit";
        command.AddParameter("@limit", Math.Clamp(limit, 1, 10_000));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            entries.Add(new AuditEntry(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), Text(reader, 2), Text(reader, 3),
                reader.GetString(4), reader.GetString(5), Text(reader, 6), Convert.ToInt32(reader.GetValue(7), System.Globalization.CultureInfo.InvariantCulture)));
        return entries;
    }

    private static string? Text(System.Data.Common.DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
