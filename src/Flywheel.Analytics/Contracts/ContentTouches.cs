using System.Data.Common;
using System.Globalization;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>
/// An event that carries a utm_content or a utm_term (a search's term), as Grow's content and keyword reports read it.
/// <paramref name="VisitorKey"/> is the event index's visitor key: the customer id, or "~" + the anonymous id of a visitor never
/// identified. <paramref name="Properties"/> is the event's properties JSON as stored (null when none).
/// </summary>
public sealed record TaggedEvent(string VisitorKey, string Type, long TimeMs, string? Channel, string? Medium, string? Content, string? Term,
    string? Properties);

/// <summary>A row of ad spend bought on a keyword or ad group (ad_group not empty): money in fen, counts as the platform reported them.</summary>
public sealed record AdGroupSpend(DateOnly Date, string Channel, string Campaign, string AdGroup, long? Impressions, long? Clicks, long Cost);

/// <summary>
/// The record's events by utm_content or utm_term and its keyword spend, for the Grow module (issue 15): the event index keeps
/// neither content nor term, so these read the events and ad_spend tables, which Analytics owns (the record's events, ad spend and KOL posts).
/// </summary>
public static class ContentTouches
{
    /// <summary>Events in [<paramref name="fromMs"/>, <paramref name="toMs"/>) whose utm_content is set, of the given types, by time.</summary>
    public static Task<IReadOnlyList<TaggedEvent>> WithContentAsync(FlywheelStore store, long fromMs, long toMs, IReadOnlyCollection<string> types,
        CancellationToken ct) => ReadAsync(store, "content", fromMs, toMs, types, ct);

    /// <summary>Events in [<paramref name="fromMs"/>, <paramref name="toMs"/>) whose utm_term (a search's term) is set, of the given types, by time.</summary>
    public static Task<IReadOnlyList<TaggedEvent>> WithTermAsync(FlywheelStore store, long fromMs, long toMs, IReadOnlyCollection<string> types,
        CancellationToken ct) => ReadAsync(store, "term", fromMs, toMs, types, ct);

    /// <summary>Ad spend rows dated in [<paramref name="from"/>, <paramref name="to"/>] that name an ad group (a keyword on search engines).</summary>
    public static async Task<IReadOnlyList<AdGroupSpend>> AdGroupSpendAsync(FlywheelStore store, DateOnly from, DateOnly to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = new List<AdGroupSpend>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT date, channel, campaign, ad_group, impressions, clicks, cost FROM ad_spend " +
                              "WHERE ad_group <> '' AND date >= @from AND date <= @to ORDER BY date, channel, campaign, ad_group";
        command.AddParameter("@from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        command.AddParameter("@to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new AdGroupSpend(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture), reader.GetString(1),
                reader.GetString(2), reader.GetString(3), Long(reader, 4), Long(reader, 5), reader.GetInt64(6)));
        return rows;
    }

    private static async Task<IReadOnlyList<TaggedEvent>> ReadAsync(FlywheelStore store, string column, long fromMs, long toMs,
        IReadOnlyCollection<string> types, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(types);
        var rows = new List<TaggedEvent>();
        if (types.Count == 0 || toMs <= fromMs) return rows;
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        var names = types.Select((type, i) => (Name: "@t" + i.ToString(CultureInfo.InvariantCulture), Type: type)).ToList();
        foreach (var (name, type) in names) command.AddParameter(name, type);
        command.AddParameter("@from", fromMs);
        command.AddParameter("@to", toMs);
        command.CommandText = "SELECT customer_id, anonymous_id, type, time, channel, medium, content, term, properties FROM events " +
                              $"WHERE {column} IS NOT NULL AND time >= @from AND time < @to AND type IN ({string.Join(", ", names.Select(n => n.Name))}) " +
                              "ORDER BY time, event_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.IsDBNull(0) ? "~" + reader.GetString(1) : reader.GetString(0);
            rows.Add(new TaggedEvent(key, reader.GetString(2), reader.GetInt64(3), Text(reader, 4), Text(reader, 5), Text(reader, 6), Text(reader, 7),
                Text(reader, 8)));
        }
        return rows;
    }

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static long? Long(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
}
