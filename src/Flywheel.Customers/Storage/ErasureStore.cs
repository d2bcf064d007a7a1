using Flywheel.Customers.Contracts;
using Flywheel.Storage;

namespace Flywheel.Customers.Storage;

/// <summary>
/// The SQL of forgetting a customer over the tables Customers owns (customers, customer_identities, customer_consents,
/// consent_history) and its tombstone (customer_erasures), all inside the caller's write transaction.
/// </summary>
internal static class ErasureStore
{
    /// <summary>
    /// The customers columns that name or locate the person. Kept: gender, province, city tier, member tier, signup channel and
    /// time, time zone — coarse categories shared by many customers that personas, segment rules and local days need.
    /// </summary>
    internal static readonly string[] PersonalColumns = ["name", "birth_date", "city"];

    /// <summary>Consent sources Flywheel writes itself and reads back (campaign results count unsubscribes by message): no personal data in them.</summary>
    private const string SystemSourcePrefix = "unsubscribe_link:";

    public const string ErasedSource = "erased";

    /// <summary>Whether the customer has a row; its tombstone's first forget time (Unix ms) when it was forgotten before.</summary>
    public static async Task<(bool Exists, long? ForgottenAt)> FindAsync(StoreWrite write, string customerId, CancellationToken ct)
    {
        if (await write.ScalarAsync("SELECT 1 FROM customers WHERE customer_id = @c", ct, ("@c", customerId)) is null) return (false, null);
        var at = await write.ScalarAsync("SELECT forgotten_at FROM customer_erasures WHERE customer_id = @c", ct, ("@c", customerId));
        return (true, at is null ? null : Convert.ToInt64(at, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The values of the customer's identities (e-mail, phone, platform buyer ids, WeChat ids): what reached the person.</summary>
    public static async Task<List<string>> IdentityValuesAsync(StoreWrite write, string customerId, CancellationToken ct)
    {
        var values = new List<string>();
        await using var command = write.Command("SELECT value FROM customer_identities WHERE customer_id = @c", ("@c", customerId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>Erases the customer's personal attributes, identities and consents; counts per kind, 0 when nothing was left.</summary>
    public static async Task<List<ErasedCount>> EraseAsync(StoreWrite write, string customerId, CancellationToken ct)
    {
        var present = string.Join(" + ", PersonalColumns.Select(c => $"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)"));
        var attributes = Convert.ToInt64(await write.ScalarAsync($"SELECT {present} FROM customers WHERE customer_id = @c", ct, ("@c", customerId)) ?? 0L,
            System.Globalization.CultureInfo.InvariantCulture);
        if (attributes > 0)
            await write.ExecuteAsync($"UPDATE customers SET {string.Join(", ", PersonalColumns.Select(c => c + " = NULL"))} WHERE customer_id = @c", ct,
                ("@c", customerId));
        var identities = await write.ExecuteAsync("DELETE FROM customer_identities WHERE customer_id = @c", ct, ("@c", customerId));
        // With no address left there is nothing to consent to; a new address needs a new consent. The history stays (a withdrawal
        // is proof the shop may need, and campaign results count unsubscribes from it) with its free-text sources blanked.
        var consents = await write.ExecuteAsync("DELETE FROM customer_consents WHERE customer_id = @c", ct, ("@c", customerId));
        var sources = await write.ExecuteAsync(
            "UPDATE consent_history SET source = @erased WHERE customer_id = @c AND source <> @erased AND source NOT LIKE @system", ct,
            ("@c", customerId), ("@erased", ErasedSource), ("@system", SystemSourcePrefix + "%"));
        return
        [
            new("attributes", attributes), new("identities", identities), new("consents", consents), new("consent_sources", sources),
        ];
    }

    /// <summary>Records (or touches) the tombstone: the first forget time stays, the last and the running total of erased items move.</summary>
    public static Task RecordAsync(StoreWrite write, string customerId, long now, long erased, CancellationToken ct) =>
        write.ExecuteAsync("""
            INSERT INTO customer_erasures (customer_id, forgotten_at, last_forgotten_at, erased) VALUES (@c, @now, @now, @erased)
            ON CONFLICT (customer_id) DO UPDATE SET last_forgotten_at = excluded.last_forgotten_at, erased = customer_erasures.erased + excluded.erased
            """, ct, ("@c", customerId), ("@now", now), ("@erased", erased));

    /// <summary>When the customer was first forgotten, or null.</summary>
    public static async Task<DateTimeOffset?> ForgottenAtAsync(FlywheelStore store, string customerId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT forgotten_at FROM customer_erasures WHERE customer_id = @c";
        command.AddParameter("@c", customerId);
        var at = await command.ExecuteScalarAsync(ct);
        return at is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(at, System.Globalization.CultureInfo.InvariantCulture));
    }
}
