using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Hosting.Output;

/// <summary>
/// The currency a store's money is in, for the outputs that show it: the <c>currency</c> setting (an ISO code, set by the
/// import), CNY when absent. Text shows its symbol (<see cref="MoneyText.Display"/>); JSON states its code.
/// </summary>
public static class StoreCurrency
{
    public static async Task<Currency> ReadAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Currency.FromSetting(await store.GetSettingAsync(Currency.SettingKey, Currency.Cny.Code, ct));
    }
}
