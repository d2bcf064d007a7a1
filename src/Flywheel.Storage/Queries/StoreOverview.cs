using System.Data.Common;
using NodaTime;

namespace Flywheel.Storage.Queries;

/// <summary>One channel's line of the <see cref="StoreOverview"/>. Money is long fen; see the overview for the definitions.</summary>
public sealed record ChannelOverview(string Channel, long Gmv, long Orders, long Buyers, long Visitors, long AdSpend)
{
    /// <summary>GMV / ad spend; null when the channel had no spend.</summary>
    public double? Roi => AdSpend > 0 ? (double)Gmv / AdSpend : null;
}

/// <summary>
/// The first report of a store over a date range (both ends inclusive, calendar days in the store's time zone; a
/// null end is open). Definitions:
/// <list type="bullet">
/// <item><b>Orders</b>: orders that were paid, i.e. status paid, shipped, completed, refunded or partially_refunded, whose
/// paid time (placed time if the order has none) is in the range, as in the KPI report. Pending and cancelled orders never count.</item>
/// <item><b>GMV</b> (成交额): the sum of total_paid (goods − discounts + shipping) of those orders, in fen. Refunds are
/// <i>not</i> subtracted: GMV is gross, as the marketplaces report it.</item>
/// <item><b>Buyers</b>: distinct customers with such an order; <b>repeat buyers</b> those with two or more in the range.</item>
/// <item><b>Visitors</b> (UV): distinct COALESCE(customer_id, anonymous_id) over events in the range, so anonymous visitors count.</item>
/// <item><b>Ad spend</b>: the sum of ad_spend.cost for dates in the range (KOL post fees are not ad spend).</item>
/// </list>
/// Ratios are doubles and null when their denominator is zero.
/// </summary>
public sealed record StoreOverview(
    DateOnly? From,
    DateOnly? To,
    long Gmv,
    long Orders,
    long Buyers,
    long RepeatBuyers,
    long Visitors,
    long AdSpend,
    IReadOnlyList<ChannelOverview> Channels,
    string TimeZone = "Asia/Shanghai",
    bool WholeRange = false)
{
    /// <summary>Statuses of an order that was paid, whatever happened after.</summary>
    public const string PaidStatuses = "'paid', 'shipped', 'completed', 'refunded', 'partially_refunded'";

    /// <summary>Conversion rate: buyers / visitors.</summary>
    public double? Cvr => Visitors > 0 ? (double)Buyers / Visitors : null;

    /// <summary>Average order value (客单价) in fen: GMV / orders, rounded half up to a whole fen.</summary>
    public long? Aov => Orders > 0 ? DivideRoundHalfUp(Gmv, Orders) : null;

    /// <summary>Repurchase rate: buyers with two or more orders / buyers.</summary>
    public double? RepurchaseRate => Buyers > 0 ? (double)RepeatBuyers / Buyers : null;

    /// <summary>GMV / ad spend.</summary>
    public double? Roi => AdSpend > 0 ? (double)Gmv / AdSpend : null;

    /// <summary>
    /// Runs the report. Read-only; works on SQLite and PostgreSQL. Channels are sorted by GMV, then visitors, then
    /// code; an order or event without a channel is listed under "(none)".
    /// </summary>
    public static async Task<StoreOverview> QueryAsync(FlywheelStore store, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var zoneId = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct);
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var fromMs = from is { } f ? StartOfDay(zone, f) : long.MinValue;
        var toMs = to is { } t ? StartOfDay(zone, t.AddDays(1)) : long.MaxValue;
        var fromDate = from?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "0000-01-01";
        var toDate = to?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "9999-12-31";

        await using var connection = await store.OpenConnectionAsync(ct);
        // The KPI report's definition (docs/kpis.md): a paid order's time is its paid time, or its placed time when the export had none.
        const string paid = $"status IN ({PaidStatuses}) AND COALESCE(paid_at, placed_at) >= @from AND COALESCE(paid_at, placed_at) < @to";

        var channels = new Dictionary<string, ChannelOverview>(StringComparer.Ordinal);
        ChannelOverview Line(string code) => channels.TryGetValue(code, out var c) ? c : channels[code] = new ChannelOverview(code, 0, 0, 0, 0, 0);

        long gmv = 0, orders = 0, buyers = 0;
        await foreach (var row in RowsAsync(connection, $"SELECT COALESCE(SUM(total_paid), 0), COUNT(*), COUNT(DISTINCT customer_id) FROM orders WHERE {paid}",
                           fromMs, toMs, fromDate, toDate, ct))
            (gmv, orders, buyers) = (Convert.ToInt64(row[0]), Convert.ToInt64(row[1]), Convert.ToInt64(row[2]));

        long repeatBuyers = 0;
        await foreach (var row in RowsAsync(connection,
                           $"SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE {paid} AND customer_id IS NOT NULL GROUP BY customer_id HAVING COUNT(*) >= 2) r",
                           fromMs, toMs, fromDate, toDate, ct))
            repeatBuyers = Convert.ToInt64(row[0]);

        await foreach (var row in RowsAsync(connection, $"""
                           SELECT ch, SUM(total_paid), COUNT(*), COUNT(DISTINCT customer_id)
                           FROM (SELECT COALESCE(channel, '(none)') AS ch, total_paid, customer_id FROM orders WHERE {paid}) o GROUP BY ch
                           """, fromMs, toMs, fromDate, toDate, ct))
        {
            var code = (string)row[0];
            channels[code] = Line(code) with { Gmv = Convert.ToInt64(row[1]), Orders = Convert.ToInt64(row[2]), Buyers = Convert.ToInt64(row[3]) };
        }

        // UV, for the store and per channel, in one pass: distinct counting per channel in SQL sorts every event
        // (several seconds at a few million events on SQLite), while a streamed scan into hash sets stays near one.
        var everyone = new HashSet<string>(StringComparer.Ordinal);
        var perChannel = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT channel, COALESCE(customer_id, anonymous_id) FROM events WHERE time >= @from AND time < @to";
            command.AddParameter("@from", fromMs);
            command.AddParameter("@to", toMs);
            await using var reader = await command.ExecuteReaderAsync(ct);
            string? lastChannel = null;
            HashSet<string>? set = null;
            while (await reader.ReadAsync(ct))
            {
                var code = reader.IsDBNull(0) ? "(none)" : reader.GetString(0);
                var visitor = reader.GetString(1);
                if (!ReferenceEquals(code, lastChannel) && code != lastChannel)
                {
                    if (!perChannel.TryGetValue(code, out set)) perChannel[code] = set = new HashSet<string>(StringComparer.Ordinal);
                    lastChannel = code;
                }
                // The store-wide set owns one copy of each visitor id; channel sets share it.
                if (everyone.TryGetValue(visitor, out var known)) visitor = known;
                else everyone.Add(visitor);
                set!.Add(visitor);
            }
        }
        foreach (var (code, set) in perChannel)
            channels[code] = Line(code) with { Visitors = set.Count };
        long visitors = everyone.Count;

        long adSpend = 0;
        await foreach (var row in RowsAsync(connection,
                           "SELECT channel, SUM(cost) FROM ad_spend WHERE date >= @fromDate AND date <= @toDate GROUP BY channel",
                           fromMs, toMs, fromDate, toDate, ct))
        {
            var code = (string)row[0];
            var cost = Convert.ToInt64(row[1]);
            adSpend = checked(adSpend + cost); // OverflowException: see RowsAsync
            channels[code] = Line(code) with { AdSpend = cost };
        }

        var sorted = channels.Values
            .OrderByDescending(c => c.Gmv).ThenByDescending(c => c.Visitors).ThenBy(c => c.Channel, StringComparer.Ordinal)
            .ToList();
        // A range not given is the data's own (first to last day with a paid order or an event, in the store's time zone), stated
        // like the KPI report's, so the two say the same thing of the same store.
        var whole = from is null && to is null;
        if (from is null || to is null)
        {
            long? first = null, last = null;
            foreach (var sql in new[] { $"SELECT MIN(COALESCE(paid_at, placed_at)), MAX(COALESCE(paid_at, placed_at)) FROM orders WHERE status IN ({PaidStatuses})",
                         "SELECT MIN(time), MAX(time) FROM events" })
                await foreach (var row in RowsAsync(connection, sql, fromMs, toMs, fromDate, toDate, ct))
                {
                    if (row[0] is not DBNull and not null) first = Math.Min(first ?? long.MaxValue, Convert.ToInt64(row[0]));
                    if (row[1] is not DBNull and not null) last = Math.Max(last ?? long.MinValue, Convert.ToInt64(row[1]));
                }
            DateOnly? Day(long? ms) => ms is { } m ? DateOnly.FromDateTime(Instant.FromUnixTimeMilliseconds(m).InZone(zone).LocalDateTime.ToDateTimeUnspecified()) : null;
            from ??= Day(first);
            to ??= Day(last);
        }
        return new StoreOverview(from, to, gmv, orders, buyers, repeatBuyers, visitors, adSpend, sorted, zone.Id, whole);
    }

    /// <summary>a / b rounded half up (away from zero for the non-negative amounts a report holds).</summary>
    internal static long DivideRoundHalfUp(long a, long b)
    {
        var quotient = Math.DivRem(a, b, out var remainder);
        return checked(remainder * 2 >= b ? quotient + 1 : quotient);
    }

    private static long StartOfDay(DateTimeZone zone, DateOnly date) =>
        zone.AtStartOfDay(new LocalDate(date.Year, date.Month, date.Day)).ToInstant().ToUnixTimeMilliseconds();

    private static async IAsyncEnumerable<object[]> RowsAsync(DbConnection connection, string sql, long fromMs, long toMs, string fromDate, string toDate,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (sql.Contains("@from ", StringComparison.Ordinal))
        {
            command.AddParameter("@from", fromMs);
            command.AddParameter("@to", toMs);
        }
        if (sql.Contains("@fromDate", StringComparison.Ordinal))
        {
            command.AddParameter("@fromDate", fromDate);
            command.AddParameter("@toDate", toDate);
        }
        var rows = new List<object[]>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                // PostgreSQL sums bigint into numeric: a sum beyond a long is caught here, not as a cast failure later.
                for (var i = 0; i < values.Length; i++)
                    if (values[i] is decimal d) values[i] = decimal.ToInt64(d);
                rows.Add(values);
            }
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.Message.Contains("integer overflow", StringComparison.OrdinalIgnoreCase))
        {
            // SQLite's SUM refuses to wrap; so does every sum of money in Flywheel (checked arithmetic).
            throw new OverflowException("a sum of money in the store exceeds what a 64-bit amount holds", e);
        }
        catch (OverflowException e)
        {
            throw new OverflowException("a sum of money in the store exceeds what a 64-bit amount holds", e);
        }
        foreach (var row in rows) yield return row;
    }
}
