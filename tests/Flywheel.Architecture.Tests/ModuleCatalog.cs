using System.Reflection;
using Flywheel.Analytics;
using Flywheel.Campaigns;
using Flywheel.Grow;
using Flywheel.Experiments;
using Flywheel.Customers;
using Flywheel.Ingestion;
using Flywheel.Promotions;
using Flywheel.Storage;

namespace Flywheel.Architecture.Tests;

/// <summary>A module as the rules see it: its name (the key of its migrations), assembly, root namespace and source folder.</summary>
internal sealed record ModuleInfo(string Name, Assembly Assembly, string Namespace, string SourceFolder)
{
    public string Contracts => Namespace + ".Contracts";

    public override string ToString() => Name;
}

/// <summary>The modules of Flywheel and the shared projects beside them (docs/adr/0009-modules.md).</summary>
internal static class ModuleCatalog
{
    public static readonly IReadOnlyList<ModuleInfo> Modules =
    [
        new("ingestion", typeof(IngestionModule).Assembly, "Flywheel.Ingestion", "src/Flywheel.Ingestion"),
        new("analytics", typeof(AnalyticsModule).Assembly, "Flywheel.Analytics", "src/Flywheel.Analytics"),
        new("customers", typeof(CustomersModule).Assembly, "Flywheel.Customers", "src/Flywheel.Customers"),
        new(PromotionsModule.Name, typeof(PromotionsModule).Assembly, "Flywheel.Promotions", "src/Flywheel.Promotions"),
        new("campaigns", typeof(CampaignsModule).Assembly, "Flywheel.Campaigns", "src/Flywheel.Campaigns"),
        new(GrowModule.Name, typeof(GrowModule).Assembly, "Flywheel.Grow", "src/Flywheel.Grow"),
        new(ExperimentsModule.Name, typeof(ExperimentsModule).Assembly, "Flywheel.Experiments", "src/Flywheel.Experiments"),
    ];

    /// <summary>The shared store mechanics; until the ingest session moves into Ingestion it also writes the record's tables.</summary>
    public static readonly ModuleInfo Storage = new("storage", typeof(FlywheelStore).Assembly, "Flywheel.Storage", "src/Flywheel.Storage");

    /// <summary>The repository root (the folder with Flywheel.slnx), found from the test's own folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Flywheel.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Flywheel.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Which module owns each of the record's tables (the commerce data model the ingest session writes; docs/adr/0009-modules.md):
    /// customers and their consents are Customers', behaviour and spend Analytics', orders and products Ingestion's.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> RecordOwners = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["customers"] = "customers", ["customer_identities"] = "customers", ["customer_consents"] = "customers", ["consent_history"] = "customers",
        ["events"] = "analytics", ["identity_links"] = "analytics", ["ad_spend"] = "analytics", ["content_posts"] = "analytics",
        ["products"] = "ingestion", ["orders"] = "ingestion", ["order_lines"] = "ingestion", ["ingests"] = "ingestion",
        ["settings"] = "storage",
    };

    /// <summary>Which module owns each table: the tables its migrations create, and the record's tables as <see cref="RecordOwners"/> says.</summary>
    public static IReadOnlyDictionary<string, string> TableOwners()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in StoreSchema.Record.Tables())
            owners[table] = RecordOwners.TryGetValue(table, out var owner) ? owner : throw new InvalidOperationException(
                $"the record's table {table} has no owner: add it to ModuleCatalog.RecordOwners and to the table in docs/adr/0009-modules.md");
        foreach (var set in Flywheel.Server.FlywheelServer.Migrations)
            foreach (var table in set.Tables()) owners[table] = set.Module;
        return owners;
    }
}
