using System.Reflection;
using Flywheel.Analytics;
using Flywheel.Campaigns;
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
    /// Which module owns each table: the tables its migrations create. The record's own tables (the commerce data model the ingest
    /// session writes) belong to Ingestion.
    /// </summary>
    public static IReadOnlyDictionary<string, string> TableOwners()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in StoreSchema.Record.Tables()) owners[table] = "ingestion";
        foreach (var set in Flywheel.Server.FlywheelServer.Migrations)
            foreach (var table in set.Tables()) owners[table] = set.Module;
        owners.Remove("settings"); // shared mechanics: read and written through FlywheelStore.GetSettingAsync/SetSettingAsync
        return owners;
    }
}
