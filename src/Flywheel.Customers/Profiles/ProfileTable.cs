using System.Data.Common;
using System.Globalization;
using Flywheel.Storage;

namespace Flywheel.Customers.Profiles;

/// <summary>
/// Customer profile attributes, column by column, read from the store: what the segment language, RFM, personas and
/// profiles need beyond the event index (which holds behaviour). Row <c>i</c> is the i-th customer in key order;
/// <see cref="Row"/> finds a customer. Immutable once loaded; <see cref="WithChanges"/> returns a refreshed copy.
/// </summary>
internal sealed class ProfileTable
{
    private readonly Dictionary<string, int> _rows;

    private ProfileTable(Dictionary<string, int> rows, Columns columns)
    {
        _rows = rows;
        Data = columns;
    }

    internal Columns Data { get; }

    public int Count => Data.Ids.Count;
    public IReadOnlyList<string> CustomerIds => Data.Ids;
    /// <summary>male, female, unknown, or null.</summary>
    public IReadOnlyList<string?> Gender => Data.Gender;
    /// <summary>Birth date, or null.</summary>
    public IReadOnlyList<DateOnly?> BirthDate => Data.BirthDate;
    public IReadOnlyList<string?> Province => Data.Province;
    public IReadOnlyList<string?> City => Data.City;
    /// <summary>tier1, new_tier1, tier2 … tier5, or null.</summary>
    public IReadOnlyList<string?> CityTier => Data.CityTier;
    public IReadOnlyList<string?> SignupChannel => Data.SignupChannel;
    /// <summary>Signup time in Unix ms, or null.</summary>
    public IReadOnlyList<long?> SignupAt => Data.SignupAt;
    public IReadOnlyList<string?> MemberTier => Data.MemberTier;
    /// <summary>The customer's IANA time zone, or null (then the store's).</summary>
    public IReadOnlyList<string?> TimeZone => Data.TimeZone;

    /// <summary>The row of a customer, or -1.</summary>
    public int Row(string customerId) => _rows.TryGetValue(customerId, out var row) ? row : -1;

    /// <summary>Whether the customer has granted consent on a channel for a purpose (marketing by default); withdrawn or never asked: false.</summary>
    public bool HasConsent(int row, string channel, string purpose = "marketing") =>
        Data.Consents[row] is { } granted && granted.Contains(channel + "/" + purpose);

    /// <summary>Channels with granted consent for a row ("sms/marketing", …).</summary>
    public IReadOnlyCollection<string> Consents(int row) => (IReadOnlyCollection<string>?)Data.Consents[row] ?? [];

    public static async Task<ProfileTable> LoadAsync(FlywheelStore store, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var ordinal = store.Dialect.Engine == SqlEngine.Postgres ? " COLLATE \"C\"" : "";
        var columns = new Columns();
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {CustomerColumns} FROM customers ORDER BY customer_id{ordinal}";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows[reader.GetString(0)] = columns.Ids.Count;
                columns.Add(reader);
            }
        }
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT customer_id, channel, purpose FROM customer_consents WHERE status = 'granted'";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                if (rows.TryGetValue(reader.GetString(0), out var row))
                    (columns.Consents[row] ??= new HashSet<string>(StringComparer.Ordinal)).Add(reader.GetString(1) + "/" + reader.GetString(2));
        }
        return new ProfileTable(rows, columns);
    }

    /// <summary>
    /// A copy with the given customers re-read from the store (new ones appended at the end, so rows of existing
    /// customers keep their numbers). Cost: the copy of the columns plus one read per 500 customers.
    /// </summary>
    public async Task<ProfileTable> WithChanges(FlywheelStore store, IReadOnlyCollection<string> customerIds, CancellationToken ct)
    {
        if (customerIds.Count == 0) return this;
        var columns = Data.Copy();
        var rows = new Dictionary<string, int>(_rows, StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        foreach (var chunk in customerIds.Chunk(500))
        {
            var found = new List<string>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT {CustomerColumns} FROM customers WHERE customer_id IN ({string.Join(", ", chunk.Select((_, i) => "@p" + i))})";
                for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetString(0);
                    found.Add(id);
                    if (rows.TryGetValue(id, out var row)) columns.Set(row, reader);
                    else
                    {
                        rows[id] = columns.Ids.Count;
                        columns.Add(reader);
                    }
                }
            }
            foreach (var id in found) columns.Consents[rows[id]] = null;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT customer_id, channel, purpose FROM customer_consents WHERE status = 'granted' AND customer_id IN ({string.Join(", ", chunk.Select((_, i) => "@p" + i))})";
                for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    if (rows.TryGetValue(reader.GetString(0), out var row))
                        (columns.Consents[row] ??= new HashSet<string>(StringComparer.Ordinal)).Add(reader.GetString(1) + "/" + reader.GetString(2));
            }
        }
        return new ProfileTable(rows, columns);
    }

    /// <summary>
    /// A table built in memory, rows in the order given (tests and benchmarks; the store's order is customer-key order).
    /// Consents are "channel/purpose" keys of granted consents.
    /// </summary>
    internal static ProfileTable FromRows(IEnumerable<ProfileRow> profiles)
    {
        var columns = new Columns();
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in profiles)
        {
            rows[p.CustomerId] = columns.Ids.Count;
            columns.Ids.Add(p.CustomerId);
            columns.Gender.Add(p.Gender);
            columns.BirthDate.Add(p.BirthDate);
            columns.Province.Add(p.Province);
            columns.City.Add(p.City);
            columns.CityTier.Add(p.CityTier);
            columns.SignupChannel.Add(p.SignupChannel);
            columns.SignupAt.Add(p.SignupAt);
            columns.MemberTier.Add(p.MemberTier);
            columns.TimeZone.Add(null);
            columns.Consents.Add(p.Consents is { Count: > 0 } granted ? new HashSet<string>(granted, StringComparer.Ordinal) : null);
        }
        return new ProfileTable(rows, columns);
    }

    internal sealed record ProfileRow(string CustomerId, string? Gender = null, DateOnly? BirthDate = null, string? Province = null, string? City = null,
        string? CityTier = null, string? SignupChannel = null, long? SignupAt = null, string? MemberTier = null, IReadOnlyCollection<string>? Consents = null);

    private const string CustomerColumns = "customer_id, gender, birth_date, province, city, city_tier, signup_channel, signup_at, member_tier, time_zone";

    internal sealed class Columns
    {
        public List<string> Ids { get; private init; } = [];
        public List<string?> Gender { get; private init; } = [];
        public List<DateOnly?> BirthDate { get; private init; } = [];
        public List<string?> Province { get; private init; } = [];
        public List<string?> City { get; private init; } = [];
        public List<string?> CityTier { get; private init; } = [];
        public List<string?> SignupChannel { get; private init; } = [];
        public List<long?> SignupAt { get; private init; } = [];
        public List<string?> MemberTier { get; private init; } = [];
        public List<string?> TimeZone { get; private init; } = [];
        public List<HashSet<string>?> Consents { get; private init; } = [];

        public void Add(DbDataReader r)
        {
            Ids.Add(r.GetString(0));
            Gender.Add(null);
            BirthDate.Add(null);
            Province.Add(null);
            City.Add(null);
            CityTier.Add(null);
            SignupChannel.Add(null);
            SignupAt.Add(null);
            MemberTier.Add(null);
            TimeZone.Add(null);
            Consents.Add(null);
            Set(Ids.Count - 1, r);
        }

        public void Set(int row, DbDataReader r)
        {
            Gender[row] = Text(r, 1);
            BirthDate[row] = Text(r, 2) is { } birth && DateOnly.TryParseExact(birth, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date : null;
            Province[row] = Text(r, 3);
            City[row] = Text(r, 4);
            CityTier[row] = Text(r, 5);
            SignupChannel[row] = Text(r, 6);
            SignupAt[row] = r.IsDBNull(7) ? null : r.GetInt64(7);
            MemberTier[row] = Text(r, 8);
            TimeZone[row] = Text(r, 9);
        }

        public Columns Copy() => new()
        {
            Ids = [.. Ids], Gender = [.. Gender], BirthDate = [.. BirthDate], Province = [.. Province], City = [.. City], CityTier = [.. CityTier],
            SignupChannel = [.. SignupChannel], SignupAt = [.. SignupAt], MemberTier = [.. MemberTier], TimeZone = [.. TimeZone],
            Consents = [.. Consents.Select(c => c is null ? null : new HashSet<string>(c, StringComparer.Ordinal))],
        };

        private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    }
}
