using Flywheel.Architecture.Tests.Planted;
using Flywheel.Architecture.Tests.Rules;
using Flywheel.Hosting.Http;
using Flywheel.Promotions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;

namespace Flywheel.Architecture.Tests;

/// <summary>Each rule fails on a violation planted in this project (Planted/), with a message that says what to do instead.</summary>
public sealed class PlantedViolationTests
{
    private static readonly ModuleInfo Planted =
        new("planted", typeof(PlantedViolationTests).Assembly, "Flywheel.Architecture.Tests.Planted", "tests/Flywheel.Architecture.Tests/Planted");

    [Fact]
    public void ModuleReferences_ReachingIntoAnotherModule_Fails()
    {
        var violations = ArchitectureRules.ModuleReferences(Planted, [Planted, .. ModuleCatalog.Modules],
            include: t => t.Namespace == "Flywheel.Architecture.Tests.Planted.Module");
        var violation = Assert.Single(violations);
        Assert.Contains("Flywheel.Promotions.Storage.PromotionCatalog of module promotions", violation, StringComparison.Ordinal);
        Assert.Contains("use Flywheel.Promotions.Contracts instead", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_NamingAnotherModulesTable_Fails()
    {
        var owners = ModuleCatalog.TableOwners();
        var sources = new[] { ("src/Flywheel.Campaigns/Planted.cs", "const string Sql = \"SELECT code FROM coupons c JOIN journeys j ON j.journey_id = c.batch_id\";") };
        var violation = Assert.Single(ArchitectureRules.ForeignTables("campaigns", sources, owners, Grants.Tables));
        Assert.Contains("names table coupons of module promotions", violation, StringComparison.Ordinal);
        Assert.Contains("ask promotions through its Contracts", violation, StringComparison.Ordinal);
        // The same SQL in the owner is fine, and so is a grant.
        Assert.Single(ArchitectureRules.ForeignTables("promotions", sources, owners, Grants.Tables)); // journeys is still foreign there
        Assert.Empty(ArchitectureRules.ForeignTables("campaigns", sources, owners, new HashSet<(string, string)> { ("campaigns", "coupons") }));
    }

    [Fact]
    public async Task Endpoints_MappedOutsideTheModulesMap_Fail()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();
        app.MapGet("/planted/outside", PlantedHandlers.Get);
        app.MapModuleGroup(PromotionsModule.Name, "/planted").MapGet("/foreign-handler", PlantedHandlers.Get);
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints);
        var shaped = new Dictionary<string, System.Reflection.Assembly> { [PromotionsModule.Name] = typeof(PromotionsModule).Assembly };

        var violations = ArchitectureRules.EndpointsOutsideModules(endpoints, shaped);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Contains("/planted/outside is mapped outside every module's Map method", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("/planted/foreign-handler belongs to promotions but its handler is in Flywheel.Architecture.Tests", StringComparison.Ordinal));
    }

    [Fact]
    public void Internals_GrantedToAnotherProductionAssembly_Fail()
    {
        var violation = Assert.Single(ArchitectureRules.InternalsGrantedToProduction(
            [("Flywheel.Analytics", ["Flywheel.Analytics.Tests", "Flywheel.Customers", "Flywheel.Benchmarks"])]));
        Assert.Equal("Flywheel.Analytics lets Flywheel.Customers see its internals; expose what Flywheel.Customers needs in Flywheel.Analytics's Contracts (or its door) instead", violation);
    }

    [Fact]
    public void Domain_ReadingTheClockOrADatabase_Fails()
    {
        var violations = ArchitectureRules.ImpureDomain(Planted.Namespace, Planted.Assembly, Planted.Namespace + ".Domain");
        Assert.Contains(violations, v => v.Contains("ReadsTheClock.Now reads the wall clock (System.TimeProvider.System)", StringComparison.Ordinal)
            && v.Contains("take the time as an argument", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("OpensConnections is in Domain but depends on I/O", StringComparison.Ordinal)
            && v.Contains("System.Data", StringComparison.Ordinal));
    }
}
