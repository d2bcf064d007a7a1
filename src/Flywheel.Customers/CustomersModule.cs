using System.CommandLine;
using Flywheel.Analytics.Contracts;
using Flywheel.Customers.Contracts;
using Flywheel.Customers.Features.FitClv;
using Flywheel.Customers.Features.ForgetCustomer;
using Flywheel.Customers.Features.Insights;
using Flywheel.Customers.Features.ManageSegments;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;
using Flywheel.Customers.Storage;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Hosting.Startup;
using Flywheel.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Customers;

/// <summary>
/// The Customers module's door (Understand: profiles, RFM, personas, lifecycle, CLV and segments). A host calls
/// <see cref="AddCustomers"/> and <see cref="MapCustomers"/>; the CLI lists <see cref="Commands"/>; the store applies
/// <see cref="Migrations"/>. Other modules use only <see cref="Contracts"/>.
/// </summary>
public static class CustomersModule
{
    /// <summary>The module's name: its migrations' key in the store and the mark on its endpoints.</summary>
    public const string Name = "customers";

    /// <summary>The module's tables as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => CustomersSchema.Migrations;

    /// <summary>
    /// Registers the module's options (section "Customers", validated at start), its services and its answer to Analytics'
    /// <see cref="ISegmentMembers"/>. The stored CLV fit loads and segments start following ingests when the host starts;
    /// RFM, lifecycle and CLV register their segment fields before any rule is compiled. Lifecycle and segment refresh run
    /// as hosted services. Needs the store, the clock and Analytics' event index host.
    /// </summary>
    public static IServiceCollection AddCustomers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CustomersOptions>().Bind(configuration.GetSection(CustomersOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<CustomersOptions>>().Value);
        services.AddSingleton<ISegmentMembers, SegmentMembers>();
        services.AddStartupTask(async (provider, ct) =>
        {
            await provider.GetRequiredService<CustomerInsights>().LoadFitAsync(provider.GetRequiredService<FlywheelStore>(), ct);
            // Memberships follow every ingest from here on; the refresher catches up with what happened before.
            provider.GetRequiredService<SegmentService>().KeepCurrent();
        });
        services.AddSingleton(provider => new ProfileHost(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton(provider => new LifecycleService(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton(provider =>
        {
            var index = provider.GetRequiredService<EventIndexHost>();
            return new CustomerInsights(() => index.Current);
        });
        services.AddSingleton(provider =>
        {
            var fields = FieldRegistry.CreateDefault();
            provider.GetRequiredService<CustomerInsights>().RegisterFields(fields);
            return fields;
        });
        services.AddSingleton(provider => new SegmentService(provider.GetRequiredService<FlywheelStore>(), provider.GetRequiredService<FieldRegistry>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<EventIndexHost>().GetAsync));
        services.AddSingleton<ICustomerSignals>(provider => new CustomerSignals(provider.GetRequiredService<LifecycleService>(),
            provider.GetRequiredService<SegmentService>(), provider.GetRequiredService<FieldRegistry>()));
        services.AddHostedService<LifecycleRefresher>();
        services.AddHostedService<SegmentRefresher>();
        return services;
    }

    /// <summary>The module's endpoints: profiles, RFM, personas, lifecycle, CLV, segments and forgetting a customer.</summary>
    public static IEndpointRouteBuilder MapCustomers(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "");
        group.MapInsightEndpoints();
        group.MapClvEndpoints();
        group.MapSegmentsEndpoints();
        group.MapForgetCustomerEndpoints();
        return app;
    }

    /// <summary>The module's commands: <c>rfm</c>, <c>persona</c>, <c>lifecycle</c>, <c>clv</c>, <c>segments</c> and <c>customers forget</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli) =>
        [RfmCommand.Create(cli), PersonaCommand.Create(cli), LifecycleCommand.Create(cli), ClvCommand.Create(cli), SegmentsCommand.Create(cli),
         ForgetCustomerFeature.Command(cli)];
}
