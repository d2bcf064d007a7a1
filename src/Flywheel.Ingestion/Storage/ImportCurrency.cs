using Flywheel.Storage;

namespace Flywheel.Ingestion.Storage;

/// <summary>
/// The store's currency: every amount in one store is in it (setting "currency", CNY unless set). A store with no orders and no
/// products yet takes the currency of its first import that states one; after that, money in another currency is refused unless
/// the import's mapping converts it with a rate table, so amounts in two currencies are never summed.
/// What outputs show is <see cref="Hosting.Output.StoreCurrency"/>'s; this is the import's side (may the store still take one).
/// </summary>
internal static class ImportCurrency
{
    public const string Setting = Primitives.Currency.SettingKey;
    public static readonly string Default = Primitives.Currency.Cny.Code;

    /// <summary>The store's currency, and whether the store can still take another (no setting, no orders, no products).</summary>
    public static async Task<(string Currency, bool Open)> ReadAsync(FlywheelStore store, CancellationToken ct)
    {
        var set = await store.GetSettingAsync(Setting, "", ct);
        if (set.Length > 0) return (set, false);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT CASE WHEN EXISTS (SELECT 1 FROM orders) OR EXISTS (SELECT 1 FROM products) THEN 1 ELSE 0 END";
        var used = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 1;
        return (Default, !used);
    }
}
