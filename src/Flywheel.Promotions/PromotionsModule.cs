using System.CommandLine;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Promotions.Contracts;
using Flywheel.Promotions.Features.Coupons;
using Flywheel.Promotions.Features.ListPromotions;
using Flywheel.Promotions.Features.PriceCart;
using Flywheel.Promotions.Features.QuoteRefund;
using Flywheel.Promotions.Features.SavePromotion;
using Flywheel.Promotions.Features.SetPipeline;
using Flywheel.Promotions.Features.SimulateDraft;
using Flywheel.Promotions.Storage;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Promotions;

/// <summary>
/// The Promotions module's one door (Offer: pricing, promotions, coupons). A host calls <see cref="AddPromotions"/> and
/// <see cref="MapPromotions"/>; the CLI lists <see cref="Commands"/>; the store applies <see cref="Migrations"/>. Other modules
/// use only <see cref="Contracts"/>. This is the template for every module: docs/adding-a-module.md.
/// </summary>
public static class PromotionsModule
{
    /// <summary>The module's name: its migrations' key in the store and the mark on its endpoints.</summary>
    public const string Name = "promotions";

    /// <summary>The module's tables (promotions, coupons) as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => PromotionsSchema.Migrations;

    /// <summary>
    /// Adds the promotions a demo store runs (the flagship store's tiered 满减, the baby store's 2件9折, 满99包邮; see
    /// docs/console.md), after <c>DemoStoreGenerator</c> built the store. Throws if one is refused: the demo set is fixed.
    /// </summary>
    public static async Task AddDemoAsync(FlywheelStore store, CancellationToken ct)
    {
        var added = await Demo.DemoPromotions.AddAsync(store, ct);
        if (!added.IsSuccess) throw new InvalidOperationException($"a demo promotion was refused: {added.Error}");
    }

    /// <summary>
    /// Registers the module's options (section "Promotions", validated at start), its catalog, handlers and its contracts
    /// (<see cref="ICouponIssuer"/>). Needs a <see cref="FlywheelStore"/> and a <see cref="TimeProvider"/> registered by the host.
    /// </summary>
    public static IServiceCollection AddPromotions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PromotionsOptions>().Bind(configuration.GetSection(PromotionsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => new PromotionCatalog(provider.GetRequiredService<FlywheelStore>()));
        services.AddSingleton<PriceCartHandler>();
        services.AddSingleton<ListPromotionsHandler>();
        services.AddSingleton<SavePromotionHandler>();
        services.AddSingleton<SetPipelineHandler>();
        services.AddSingleton<QuoteRefundHandler>();
        services.AddSingleton<SimulateDraftHandler>();
        services.AddSingleton<CouponsHandler>();
        services.AddSingleton<ICouponIssuer>(provider => new CouponIssuer(provider.GetRequiredService<FlywheelStore>()));
        return services;
    }

    /// <summary>The module's endpoints: <c>/v1/carts/price</c>, <c>/v1/promotions</c>, <c>/v1/refunds/quote</c> and <c>/v1/coupons</c>.</summary>
    public static IEndpointRouteBuilder MapPromotions(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapModuleGroup(Name, "/v1", "Promotions");
        PriceCartEndpoint.Map(group);
        ListPromotionsEndpoint.Map(group);
        SavePromotionEndpoint.Map(group);
        SetPipelineEndpoint.Map(group);
        SimulateDraftEndpoint.Map(group);
        QuoteRefundEndpoint.Map(group);
        CouponsEndpoints.Map(app.MapModuleGroup(Name, "/v1", "Coupons"));
        return app;
    }

    /// <summary>The module's commands: <c>promo</c> (list, add, price, simulate, pipeline) and <c>coupons</c>.</summary>
    public static IEnumerable<Command> Commands(CliContext cli)
    {
        var promo = new Command("promo", "Promotions: list, add, price a cart, simulate a draft set on history")
        {
            ListPromotionsCommand.Create(cli),
            SavePromotionCommand.Create(cli),
            PriceCartCommand.Create(cli),
            SimulateDraftCommand.Create(cli),
            SetPipelineCommand.Create(cli),
        };
        return [promo, CouponsCommand.Create(cli)];
    }

    /// <summary>A coupon issuer over <paramref name="store"/>, for hosts and tests that wire a module by hand.</summary>
    public static ICouponIssuer CouponIssuer(FlywheelStore store) => new CouponIssuer(store);
}
