using System.Security.Cryptography;
using System.Text;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Hosting.Access;

/// <summary>A signed-in browser session: the key it acts as, and when it ends.</summary>
public sealed record ConsoleSession(string Id, ApiKey Key, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Browser sessions of the console (docs/security.md). Signing in with an API key gives a session token that the browser keeps in an
/// HttpOnly, SameSite=Strict cookie, so page scripts never hold the key. The store keeps a SHA-256 of the token (a copy of the
/// database opens no session); the session acts as its key, so revoking the key ends it, and it ends on its own after
/// <see cref="AccessOptions.SessionHours"/>. Every state-changing request of a session must carry the session's antiforgery token
/// (<c>X-CSRF-Token</c>), which is derived from the cookie and given to the page when it signs in: another site can make the browser
/// send the cookie with a form, but cannot read or compute the token.
/// </summary>
public sealed class ConsoleSessions(FlywheelStore store, ApiKeys keys)
{
    public const string CookieName = "fw_session";
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>Starts a session for a valid key; null when the key is malformed, unknown, wrong or revoked.</summary>
    public async Task<(ConsoleSession Session, string Token)?> SignInAsync(string presented, TimeSpan lifetime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var key = await keys.FindAsync(presented, ct);
        if (key is null) return null;
        var token = "fws_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var id = IdOf(token);
        var now = store.Time.GetUtcNow();
        var expires = now + lifetime;
        await using var connection = await store.OpenConnectionAsync(ct);
        await using (var prune = connection.CreateCommand())
        {
            prune.CommandText = "DELETE FROM console_sessions WHERE expires_at <= @now";
            prune.AddParameter("@now", now.ToUnixTimeMilliseconds());
            await prune.ExecuteNonQueryAsync(ct);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO console_sessions (id, key_id, created_at, expires_at) VALUES (@id, @key, @at, @expires)";
        command.AddParameter("@id", id);
        command.AddParameter("@key", key.Id);
        command.AddParameter("@at", now.ToUnixTimeMilliseconds());
        command.AddParameter("@expires", expires.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(ct);
        return (new ConsoleSession(id, key, now, expires), token);
    }

    /// <summary>The session of a cookie's token, or null when it is malformed, unknown, signed out, expired, or its key was revoked.</summary>
    public async Task<ConsoleSession?> FindAsync(string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!token.StartsWith("fws_", StringComparison.Ordinal) || token.Length is < 20 or > 100) return null;
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT k.id, k.name, k.role, k.created_at, s.created_at, s.expires_at
            FROM console_sessions s JOIN api_keys k ON k.id = s.key_id
            WHERE s.id = @id AND s.expires_at > @now AND k.revoked_at IS NULL
            """;
        command.AddParameter("@id", IdOf(token));
        command.AddParameter("@now", store.Time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var key = new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), null);
        return new ConsoleSession(IdOf(token), key, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
    }

    /// <summary>Ends the session of a token (signing out twice is fine).</summary>
    public async Task SignOutAsync(string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM console_sessions WHERE id = @id";
        command.AddParameter("@id", IdOf(token));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The antiforgery token of a session: an HMAC of a fixed label under the session token, so only a holder of the cookie's value can compute it.</summary>
    public static string CsrfTokenOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "flywheel csrf"u8));
    }

    /// <summary>Whether <paramref name="presented"/> is the session's antiforgery token (compared in constant time).</summary>
    public static bool IsCsrfToken(string token, string? presented) =>
        presented is { Length: 64 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CsrfTokenOf(token)), Encoding.ASCII.GetBytes(presented));

    private static string IdOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
