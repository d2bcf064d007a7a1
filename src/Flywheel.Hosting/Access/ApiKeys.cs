using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Hosting.Access;

/// <summary>An API key as stored: its id (the public part of the key), name, role, and when it was revoked.</summary>
public sealed record ApiKey(string Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public bool Revoked => RevokedAt is not null;
}

/// <summary>
/// API keys. A key reads <c>fw_&lt;id&gt;_&lt;secret&gt;</c>: the id (8 random bytes, hex) finds the row, the secret (32 random bytes) is
/// checked against a salted SHA-256 of it in constant time. The key is shown once, when created; the store keeps only the hash, so
/// a copy of the database does not give anyone a key. (A slow hash such as PBKDF2 protects guessable passwords; a 256-bit random
/// secret cannot be guessed, so one SHA-256 is enough and keeps every request cheap.)
/// </summary>
public sealed class ApiKeys(FlywheelStore store)
{
    public const int MaxNameLength = 100;

    /// <summary>Creates a key; returns it with the full key text, which is not stored and cannot be shown again.</summary>
    public async Task<Result<(ApiKey Key, string Secret)>> CreateAsync(string role, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(name);
        if (!Roles.All.Contains(role, StringComparer.Ordinal))
            return Error.Invalid("role", $"unknown role '{role}' (roles: {string.Join(", ", Roles.All)})");
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
            return Error.Invalid("name", $"a key's name is 1 to {MaxNameLength} characters without control characters");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = store.Time.GetUtcNow();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_keys (id, salt, hash, name, role, created_at) VALUES (@id, @salt, @hash, @name, @role, @at)";
        command.AddParameter("@id", id);
        command.AddParameter("@salt", salt);
        command.AddParameter("@hash", Hash(salt, secret));
        command.AddParameter("@name", name);
        command.AddParameter("@role", role);
        command.AddParameter("@at", now.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(ct);
        return (new ApiKey(id, name, role, now, null), $"fw_{id}_{secret}");
    }

    /// <summary>The key a request presents, or null when it is malformed, unknown, wrong or revoked.</summary>
    public async Task<ApiKey?> FindAsync(string presented, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var parts = presented.Trim().Split('_');
        if (parts.Length != 3 || parts[0] != "fw" || parts[1].Length != 16 || parts[2].Length is 0 or > 64 || !parts[1].All(char.IsAsciiHexDigitLower))
            return null;
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT salt, hash, name, role, created_at, revoked_at FROM api_keys WHERE id = @id";
        command.AddParameter("@id", parts[1]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var expected = Convert.FromHexString(reader.GetString(1));
        var actual = Convert.FromHexString(Hash(reader.GetString(0), parts[2]));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual) || !reader.IsDBNull(5)) return null;
        return new ApiKey(parts[1], reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), null);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken ct)
    {
        var keys = new List<ApiKey>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at, id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            keys.Add(new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        return keys;
    }

    /// <summary>Revokes a key by id: its next request fails. Revoking twice is fine; an unknown id is an error.</summary>
    public async Task<Result<ApiKey>> RevokeAsync(string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL";
            command.AddParameter("@at", store.Time.GetUtcNow().ToUnixTimeMilliseconds());
            command.AddParameter("@id", id);
            await command.ExecuteNonQueryAsync(ct);
        }
        var key = (await ListAsync(ct)).FirstOrDefault(k => k.Id == id);
        return key is null ? Error.NotFound("id", $"no API key '{id}'") : key;
    }

    /// <summary>Whether any key that is not revoked exists (serve binds beyond loopback only then).</summary>
    public async Task<bool> AnyActiveAsync(CancellationToken ct) => (await ListAsync(ct)).Any(k => !k.Revoked);

    private static string Hash(string salt, string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(salt + ":" + secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '~');

    internal static string Format(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "-";
}
