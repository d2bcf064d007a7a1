using Flywheel.Architecture.Tests.Rules;
using Flywheel.Promotions;
using Flywheel.Server;
using Flywheel.Storage;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Architecture.Tests;

/// <summary>The module rules over the real code: every breach fails the test with what to do instead.</summary>
public sealed class ModuleRulesTests
{
    [Fact]
    public void Modules_UseOtherModules_OnlyThroughContracts()
    {
        var violations = ModuleCatalog.Modules.SelectMany(m => ArchitectureRules.ModuleReferences(m, ModuleCatalog.Modules));
        AssertNone(violations);
    }

    [Fact]
    public void Sql_NamesOnlyTheModulesOwnTables()
    {
        var owners = ModuleCatalog.TableOwners();
        var violations = ModuleCatalog.Modules.SelectMany(m => ArchitectureRules.ForeignTables(m.Name, ArchitectureRules.Sources(m.SourceFolder), owners, Grants.Tables))
            .Concat(ArchitectureRules.ForeignTables("storage", ArchitectureRules.Sources(ModuleCatalog.Storage.SourceFolder), owners, Grants.Storage(owners)));
        AssertNone(violations);
    }

    [Fact]
    public async Task Endpoints_AreMappedInsideTheirModulesMap()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        await using var app = FlywheelServer.Build(store, new TestClock(), "http://127.0.0.1:0", new ServerOptions(), host => host.UseTestServer());
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).ToList();
        Assert.True(endpoints.Count > 50, $"the server maps {endpoints.Count} endpoints; expected every module's");
        var shaped = new Dictionary<string, System.Reflection.Assembly> { [PromotionsModule.Name] = typeof(PromotionsModule).Assembly };
        Assert.Empty(ArchitectureRules.EndpointsOutsideModules(endpoints, shaped));
    }

    [Fact]
    public void ProductionAssemblies_GrantInternalsToTestsOnly()
    {
        var assemblies = ModuleCatalog.Modules.Select(m => m.Assembly)
            .Concat([ModuleCatalog.Storage.Assembly, typeof(Flywheel.Hosting.Http.Problems).Assembly, typeof(Flywheel.Primitives.Error).Assembly,
                typeof(FlywheelServer).Assembly, typeof(Flywheel.Cli.FlywheelCli).Assembly])
            .Select(a => (a.GetName().Name!, a.GetCustomAttributes(typeof(System.Runtime.CompilerServices.InternalsVisibleToAttribute), false)
                .Cast<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(i => i.AssemblyName)));
        Assert.Empty(ArchitectureRules.InternalsGrantedToProduction(assemblies));
    }

    [Fact]
    public void Domain_IsPure()
    {
        var violations = ModuleCatalog.Modules
            .Where(m => m.Assembly.GetTypes().Any(t => t.Namespace?.StartsWith(m.Namespace + ".Domain", StringComparison.Ordinal) == true))
            .SelectMany(m => ArchitectureRules.ImpureDomain(m.Namespace, m.Assembly, m.Namespace + ".Domain"));
        AssertNone(violations);
    }

    [Fact]
    public void Promotions_HasTheTemplateShape()
    {
        var assembly = typeof(PromotionsModule).Assembly;
        var exported = assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();
        Assert.All(exported, name => Assert.True(name.StartsWith("Flywheel.Promotions.Contracts.", StringComparison.Ordinal)
            || name is "Flywheel.Promotions.PromotionsModule" or "Flywheel.Promotions.PromotionsOptions",
            $"{name} is public; only the module class, its options and Contracts/ are: make it internal"));
        foreach (var folder in new[] { "Contracts", "Domain", "Features", "Storage" })
            Assert.True(Directory.Exists(Path.Combine(ModuleCatalog.RepositoryRoot, "src/Flywheel.Promotions", folder)), $"Promotions has no {folder}/");
    }
    /// <summary>Fails listing every violation in full, each with what to do instead (Assert.Empty would cut them short).</summary>
    private static void AssertNone(IEnumerable<string> violations)
    {
        var all = violations.ToList();
        Assert.True(all.Count == 0, $"{all.Count} violation(s):\n" + string.Join("\n", all));
    }
}

/// <summary>Tables a module may name although another owns them (docs/adr/0009-modules.md, "Grants").</summary>
internal static class Grants
{
    /// <summary>
    /// Analytics builds and appends its event index from the record in ordered bulk scans (a million rows a second on SQLite's
    /// raw API): it reads orders, their lines, products, customers and ingests directly, read-only. Ingestion's order history
    /// (IOrderHistory) joins each order's customer for the member tier the promotion simulator prices with. Campaign results
    /// attribute orders and unsubscribes to messages within a window in one correlated query over messages, orders and consent history.
    /// </summary>
    public static readonly IReadOnlySet<(string Module, string Table)> Tables = new HashSet<(string, string)>
    {
        ("analytics", "orders"), ("analytics", "order_lines"), ("analytics", "products"), ("analytics", "customers"), ("analytics", "ingests"),
        ("ingestion", "customers"),
        ("campaigns", "orders"), ("campaigns", "consent_history"),
    };

    /// <summary>
    /// The ingest session still lives in Flywheel.Storage: it writes the record's tables on their owners' behalf, and Ingestion's
    /// order_returns with them (a return refunds order lines in the same transaction that writes the order).
    /// </summary>
    public static IReadOnlySet<(string Module, string Table)> Storage(IReadOnlyDictionary<string, string> owners) =>
        ModuleCatalog.RecordOwners.Keys.Select(table => ("storage", table)).Append(("storage", "order_returns")).ToHashSet();
}
