using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;

namespace Flywheel.Analytics.Tests;

/// <summary>Hand-written CSV fixtures loaded through the real importer, so analytics tests start from a real store.</summary>
internal static class CsvFixtures
{
    public static async Task ImportAsync(FlywheelStore store, string folder, ImportKind kind, string content)
    {
        var path = Path.Combine(folder, kind + ".csv");
        await File.WriteAllTextAsync(path, content);
        var result = await Importer.ImportAsync(store, new ImportRequest(kind, path), null, CancellationToken.None);
        Assert.True(result.Succeeded, result.Error?.ToString());
    }
}
