using Flywheel.Analytics.Storage;
using Flywheel.Storage;

namespace Flywheel.Analytics;

/// <summary>
/// The Analytics module's door. Today it carries the module's migrations; its services, endpoints and commands move behind it
/// from Flywheel.Server and Flywheel.Cli as the module takes the shape of Promotions (docs/adr/0009-modules.md).
/// </summary>
public static class AnalyticsModule
{
    /// <summary>The module's tables as numbered migrations of its own.</summary>
    public static MigrationSet Migrations => AnalyticsSchema.Migrations;
}
