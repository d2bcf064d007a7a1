using Flywheel.Storage;
using System.Data.Common;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Storage;

/// <summary>
/// The name later features (segments, journeys, broadcasts) target an audience by: a slug of 1 to 64 characters from
/// <c>a-z</c>, <c>0-9</c>, <c>_</c> and <c>-</c>, so it is safe in a URL, a file name and a command line as it is.
/// </summary>
internal readonly record struct AudienceName
{
    public const int MaxLength = 64;

    private AudienceName(string value) => Value = value;

    public string Value { get; }

    /// <summary>The name, or an invalid-input error with path <c>name</c> saying what is wrong with it.</summary>
    public static Result<AudienceName> Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return Error.Invalid("name", "an audience needs a name: 1 to 64 of a-z, 0-9, _ and -, e.g. abandoned_cart");
        if (text.Length > MaxLength) return Error.Invalid("name", $"'{text[..20]}...' is {text.Length} characters; an audience name has at most {MaxLength}");
        foreach (var c in text)
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
                return Error.Invalid("name", $"'{text}' has '{c}'; an audience name uses only a-z, 0-9, _ and - (lower case), e.g. abandoned_cart");
        return new AudienceName(text);
    }

    public override string ToString() => Value;
}

/// <summary>What an audience is, apart from its members.</summary>
/// <param name="Title">For people, any text (e.g. 加购未付款); null keeps the stored title when an audience is replaced.</param>
/// <param name="Kind">What produced it, e.g. <c>funnel_dropoff</c>.</param>
/// <param name="Definition">The JSON request that produced it, owned by the producing feature, so the audience can be refreshed.</param>
/// <param name="AnonymousCount">Visitors who qualified but cannot be targeted (never identified), counted, not stored.</param>
internal sealed record AudienceHeader(AudienceName Name, string? Title, string Kind, string Definition, long AnonymousCount);

/// <summary>A saved audience without its members.</summary>
internal sealed record StoredAudience(string Name, string? Title, string Kind, string Definition, long MemberCount, long AnonymousCount,
    DateTimeOffset CreatedAt, DateTimeOffset RefreshedAt);

/// <summary>A page of an audience's members.</summary>
/// <param name="NextAfter">The <c>after</c> of the next page (this page's last member); null when no member follows.</param>
internal sealed record AudiencePage(IReadOnlyList<string> Members, string? NextAfter);

/// <summary>What saving an audience under a name that exists does.</summary>
internal enum AudienceSaveMode
{
    /// <summary>Replace the header and every member in one transaction (a refresh); created_at is kept.</summary>
    Replace,
    /// <summary>Refuse with a conflict error and change nothing.</summary>
    CreateOnly,
}

/// <summary>
/// The audiences and audience_members tables (migration 3). A save writes the header and every member in one
/// transaction: readers see the old members or the new ones, never a mix, and a save that fails (cancelled, a bad id,
/// the store gone) leaves the old audience exactly as it was. Members are customer ids only; anonymous visitors cannot
/// be targeted and are only counted. Thread-safe; on SQLite, saves and deletes take the store's write lock.
/// </summary>
internal static class AudienceStore
{
    public const int MaxTitleLength = 200;

    /// <summary>The largest page <see cref="MembersAsync"/> returns.</summary>
    public const int MaxPage = 10_000;

    private const int PostgresBatch = 5_000;

    /// <summary>An invalid-input error (path <c>title</c>) when the title is too long; null when it is usable.</summary>
    public static Error? CheckTitle(string? title) => title is { Length: > MaxTitleLength }
        ? Error.Invalid("title", $"the title is {title.Length} characters; at most {MaxTitleLength}")
        : TextRules.Name(title, "title", required: false, max: MaxTitleLength);

    /// <summary>
    /// Saves the audience with exactly <paramref name="customerIds"/> as members (duplicates count once), replacing an
    /// audience of the same name or, with <see cref="AudienceSaveMode.CreateOnly"/>, refusing with a conflict error.
    /// The ids are read while the transaction is open; an exception from them rolls everything back.
    /// </summary>
    /// <exception cref="ArgumentException">A customer id is null or empty.</exception>
    public static async Task<Result<StoredAudience>> SaveAsync(FlywheelStore store, AudienceHeader header, IEnumerable<string> customerIds,
        AudienceSaveMode mode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(customerIds);
        if (header.Name.Value is null) throw new ArgumentException("the audience has no name", nameof(header));
        if (CheckTitle(header.Title) is { } badTitle) return badTitle;
        var name = header.Name.Value;

        await using var scope = await StoreWrite.BeginAsync(store, ct);
        var (connection, transaction) = (scope.Connection, scope.Transaction);
        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        object? createdAt;
        await using (var upsert = Command(connection, transaction,
            "INSERT INTO audiences (name, title, kind, definition, member_count, anonymous_count, created_at, refreshed_at) " +
            "VALUES (@name, @title, @kind, @definition, 0, @anonymous, @now, @now) ON CONFLICT (name) DO " +
            (mode == AudienceSaveMode.CreateOnly ? "NOTHING" :
                "UPDATE SET title = COALESCE(excluded.title, audiences.title), kind = excluded.kind, definition = excluded.definition, " +
                "anonymous_count = excluded.anonymous_count, refreshed_at = excluded.refreshed_at") +
            " RETURNING created_at"))
        {
            upsert.AddParameter("@name", name);
            upsert.AddParameter("@title", string.IsNullOrWhiteSpace(header.Title) ? null : header.Title.Trim());
            upsert.AddParameter("@kind", header.Kind);
            upsert.AddParameter("@definition", header.Definition);
            upsert.AddParameter("@anonymous", header.AnonymousCount);
            upsert.AddParameter("@now", now);
            createdAt = await upsert.ExecuteScalarAsync(ct);
        }
        if (createdAt is null or DBNull)
            return Error.Conflict("name", $"an audience named '{name}' already exists; save without create-only to replace its members, or choose another name");

        await using (var clear = Command(connection, transaction, "DELETE FROM audience_members WHERE audience_name = @name"))
        {
            clear.AddParameter("@name", name);
            await clear.ExecuteNonQueryAsync(ct);
        }
        var count = store.Dialect.Engine == SqlEngine.Sqlite
            ? await InsertOneByOneAsync(connection, transaction, name, customerIds, ct)
            : await InsertInBatchesAsync(connection, transaction, name, customerIds, ct);
        await using (var counted = Command(connection, transaction, "UPDATE audiences SET member_count = @count WHERE name = @name"))
        {
            counted.AddParameter("@count", count);
            counted.AddParameter("@name", name);
            await counted.ExecuteNonQueryAsync(ct);
        }
        var saved = await GetAsync(connection, transaction, name, ct);
        await scope.CommitAsync(ct);
        return saved!;
    }

    /// <summary>Every audience (without members), by name.</summary>
    public static async Task<IReadOnlyList<StoredAudience>> ListAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null, SelectHeader + " ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var audiences = new List<StoredAudience>();
        while (await reader.ReadAsync(ct)) audiences.Add(ReadHeader(reader));
        return audiences;
    }

    /// <summary>The audience's header, or null when there is none of that name.</summary>
    public static async Task<StoredAudience?> GetAsync(FlywheelStore store, AudienceName name, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await GetAsync(connection, null, name.Value, ct);
    }

    /// <summary>
    /// A page of members in code-point order of customer id: those after <paramref name="after"/> (null: from the
    /// start), at most <paramref name="limit"/> (1 to <see cref="MaxPage"/>). Empty for an audience that does not exist.
    /// </summary>
    public static async Task<AudiencePage> MembersAsync(FlywheelStore store, AudienceName name, string? after, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPage);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = Command(connection, null,
            "SELECT customer_id FROM audience_members WHERE audience_name = @name" + (after is null ? "" : " AND customer_id > @after") +
            " ORDER BY customer_id LIMIT @limit");
        command.AddParameter("@name", name.Value);
        if (after is not null) command.AddParameter("@after", after);
        // One more than the page, so the caller learns whether another follows without a second query.
        command.AddParameter("@limit", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var members = new List<string>();
        while (await reader.ReadAsync(ct)) members.Add(reader.GetString(0));
        if (members.Count <= limit) return new AudiencePage(members, null);
        members.RemoveAt(limit);
        return new AudiencePage(members, members[^1]);
    }

    /// <summary>Every member after <paramref name="after"/> (null: all) in code-point order, read a page at a time (for exports of any size).</summary>
    public static async IAsyncEnumerable<string> AllMembersAsync(FlywheelStore store, AudienceName name, string? after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        do
        {
            var page = await MembersAsync(store, name, after, MaxPage, ct);
            foreach (var member in page.Members) yield return member;
            after = page.NextAfter;
        }
        while (after is not null);
    }

    /// <summary>Deletes the audience and its members together; false when there was none of that name.</summary>
    public static async Task<bool> DeleteAsync(FlywheelStore store, AudienceName name, CancellationToken ct)
    {
        await using var scope = await StoreWrite.BeginAsync(store, ct);
        // The header first: it takes the row lock a concurrent save also takes first (PostgreSQL), so the save either
        // finishes before this delete removes its members, or starts after and writes a whole new audience; deleting
        // the members first could leave a concurrent save's members behind without their header.
        bool deleted;
        await using (var header = Command(scope.Connection, scope.Transaction, "DELETE FROM audiences WHERE name = @name"))
        {
            header.AddParameter("@name", name.Value);
            deleted = await header.ExecuteNonQueryAsync(ct) > 0;
        }
        // Only the members of the header this delete removed. With no header there are no members but those of a save still
        // in flight, whose header this delete could not see (PostgreSQL: an uncommitted insert is invisible and not waited
        // for); each statement reads afresh, so deleting "all members" here could take that save's members right after it
        // commits and leave its header with none.
        if (deleted)
        {
            await using var members = Command(scope.Connection, scope.Transaction, "DELETE FROM audience_members WHERE audience_name = @name");
            members.AddParameter("@name", name.Value);
            await members.ExecuteNonQueryAsync(ct);
        }
        await scope.CommitAsync(ct);
        return deleted;
    }

    private const string SelectHeader =
        "SELECT name, title, kind, definition, member_count, anonymous_count, created_at, refreshed_at FROM audiences";

    private static async Task<StoredAudience?> GetAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, SelectHeader + " WHERE name = @name");
        command.AddParameter("@name", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadHeader(reader) : null;
    }

    private static StoredAudience ReadHeader(DbDataReader reader) => new(
        reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetInt64(4), reader.GetInt64(5),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>SQLite: one prepared statement, reused; inside a transaction each row costs microseconds.</summary>
    private static async Task<long> InsertOneByOneAsync(DbConnection connection, DbTransaction transaction, string name,
        IEnumerable<string> customerIds, CancellationToken ct)
    {
        await using var insert = Command(connection, transaction, "INSERT INTO audience_members (audience_name, customer_id) VALUES (@name, @customer)");
        insert.AddParameter("@name", name);
        var customer = insert.AddParameter("@customer", System.Data.DbType.String);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in customerIds)
        {
            if (!seen.Add(Checked(id))) continue;
            customer.Value = id;
            await insert.ExecuteNonQueryAsync(ct);
        }
        return seen.Count;
    }

    /// <summary>PostgreSQL: a round trip per row would dominate, so ids go over as one text[] per batch.</summary>
    private static async Task<long> InsertInBatchesAsync(DbConnection connection, DbTransaction transaction, string name,
        IEnumerable<string> customerIds, CancellationToken ct)
    {
        await using var insert = Command(connection, transaction,
            "INSERT INTO audience_members (audience_name, customer_id) SELECT @name, unnest(@customers)");
        insert.AddParameter("@name", name);
        var customers = insert.AddParameter("@customers", null);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<string>(PostgresBatch);
        foreach (var id in customerIds)
        {
            if (!seen.Add(Checked(id))) continue;
            batch.Add(id);
            if (batch.Count == PostgresBatch) await FlushAsync();
        }
        if (batch.Count > 0) await FlushAsync();
        return seen.Count;

        async Task FlushAsync()
        {
            customers.Value = batch.ToArray();
            await insert.ExecuteNonQueryAsync(ct);
            batch.Clear();
        }
    }

    private static string Checked(string? id) =>
        string.IsNullOrEmpty(id) ? throw new ArgumentException("an audience member needs a customer id; null or empty is not one") : id;
}
