using System.Data.Common;
using Flywheel.Storage;

namespace Flywheel.Customers.Contracts;

/// <summary>A customer withdrew marketing consent on a channel at <see cref="At"/> (Unix ms).</summary>
public sealed record ConsentWithdrawal(string CustomerId, string Channel, long At);

/// <summary>Withdrawals of marketing consent from the consent history (Experiments: the unsubscribe-rate guardrail).</summary>
public static class ConsentWithdrawals
{
    /// <summary>Above this many customers, the history in the time range is read in one scan and filtered here.</summary>
    private const int ScanAbove = 2_000;

    /// <summary>
    /// Every recorded withdrawal of marketing consent (any channel) by <paramref name="customerIds"/> at a time in
    /// [<paramref name="from"/>, <paramref name="to"/>] (Unix ms, both ends inclusive), in no particular order. An erased customer's
    /// history keeps its rows (only the source is blanked), so a withdrawal before erasure still counts.
    /// </summary>
    public static async Task<IReadOnlyList<ConsentWithdrawal>> MarketingAsync(FlywheelStore store, IReadOnlyCollection<string> customerIds, long from, long to,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customerIds);
        var result = new List<ConsentWithdrawal>();
        if (customerIds.Count == 0 || from > to) return result;
        const string sql = "SELECT customer_id, channel, changed_at FROM consent_history WHERE purpose = 'marketing' AND status = 'withdrawn' " +
                           "AND changed_at >= @from AND changed_at <= @to";
        await using var connection = await store.OpenConnectionAsync(ct);
        var wanted = customerIds as IReadOnlySet<string> ?? customerIds.ToHashSet(StringComparer.Ordinal);
        if (wanted.Count > ScanAbove)
        {
            await using var command = connection.CreateCommand();
            command.AddParameter("@from", from);
            command.AddParameter("@to", to);
            command.CommandText = sql;
            await ReadAsync(command, wanted, result, ct);
            return result;
        }
        foreach (var chunk in wanted.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@p" + i, chunk[i]);
            command.AddParameter("@from", from);
            command.AddParameter("@to", to);
            command.CommandText = sql + " AND customer_id IN (" + string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i)) + ")";
            await ReadAsync(command, null, result, ct);
        }
        return result;
    }

    private static async Task ReadAsync(DbCommand command, IReadOnlySet<string>? wanted, List<ConsentWithdrawal> result, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var customer = reader.GetString(0);
            if (wanted is null || wanted.Contains(customer)) result.Add(new ConsentWithdrawal(customer, reader.GetString(1), reader.GetInt64(2)));
        }
    }
}
