using Flywheel.Ingestion.Contracts;
using Flywheel.Ingestion.Storage;
using Flywheel.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Ingestion;

/// <summary>
/// Ingestion's door. Today it registers what other modules read of the record through <see cref="Contracts"/> (the order
/// history); its importers, HTTP ingest and commands move behind it as the module takes its final shape (docs/adr/0009).
/// </summary>
public static class IngestionModule
{
    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IOrderHistory>(provider => new OrderHistory(provider.GetRequiredService<FlywheelStore>()));
        return services;
    }

    /// <summary>The order history of <paramref name="store"/>, for hosts and tests that wire a module by hand.</summary>
    public static IOrderHistory OrderHistory(FlywheelStore store) => new OrderHistory(store);
}
