using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>
/// The tables Grow owns and their numbered migrations (module "grow"). Money is BIGINT fen, times BIGINT Unix milliseconds;
/// every count has a CHECK that keeps it from going negative. Reserved numbers while the module is built in parallel:
/// 1 lifecycle stages (channel matrix), 2 content items and trial programmes, 3 creators and collaborations, 4 tracking links and clicks.
/// </summary>
internal static class GrowSchema
{
    public static readonly MigrationSet Migrations = new(GrowModule.Name,
    [
    ]);
}
