using System.CommandLine;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Ingestion.Contracts;
using Flywheel.Ingestion.Features.Identify;
using Flywheel.Ingestion.Features.Import;
using Flywheel.Ingestion.Features.IngestEvents;
using Flywheel.Ingestion.Features.IngestOrders;
using Flywheel.Ingestion.Features.UpsertCustomer;
using Flywheel.Ingestion.Storage;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Ingestion;

/// <summary>
/// Ingestion's door (Measure: the record of customers, products, orders and events). A host calls <see cref="AddIngestion"/>
/// and <see cref="MapIngestion"/>; the CLI lists <see cref="Commands"/>. Other modules read the record only through
/// <see cref="Contracts"/> (the order history, order facts, event types).
/// </summary>
public static class IngestionModule
{
    /// <summary>The module's name: the mark on its endpoints.</summary>
    public const string Name = "ingestion";

    /// <summary>The module's migrations on the order tables it owns (guest orders, returns).</summary>
    public static MigrationSet Migrations => IngestionSchema.Migrations;

    /// <summary>
    /// Registers the module's options (section "Ingestion", validated at start) and its contracts (<see cref="IOrderHistory"/>).
    /// Needs a <see cref="FlywheelStore"/> and a <see cref="TimeProvider"/> registered by the host.
    /// </summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<IngestionOptions>>().Value);
        services.AddSingleton<IOrderHistory>(provider => new OrderHistory(provider.GetRequiredService<FlywheelStore>()));
        return services;
    }

    /// <summary>
    /// The module's endpoints: <c>POST /v1/events</c>, <c>POST /v1/orders</c>, <c>PUT /v1/customers/{id}</c>, <c>POST /v1/identify</c>,
    /// <c>POST /v1/imports</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "");
        group.MapEventsEndpoints();
        group.MapOrdersEndpoints();
        group.MapCustomersEndpoints();
        group.MapIdentifyEndpoints();
        group.MapImportEndpoints();
        return app;
    }

    /// <summary>The module's commands: <c>import customers|products|orders|events|spend FILE</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli) => [ImportCommand.Create(cli)];

    /// <summary>The order history of <paramref name="store"/>, for hosts and tests that wire a module by hand.</summary>
    public static IOrderHistory OrderHistory(FlywheelStore store) => new OrderHistory(store);
}
