using Flywheel.Storage;

namespace Flywheel.Ingestion.Demo;

/// <summary>What a demo build wrote.</summary>
public sealed record DemoSummary(
    long Customers,
    long Products,
    long Events,
    long Orders,
    long OrderLines,
    long SpendRows,
    long ContentPosts,
    long IdentifiedVisitors,
    DemoParameters Parameters);

/// <summary>
/// Builds a realistic, deterministic demo store: Chinese-market channels, 618/双11/双12 seasonality, sessions that
/// become funnels of events, repeat purchases from a BG/NBD process, ad spend and KOL posts. Everything is written
/// through one <see cref="IngestSession"/>, so a failed or cancelled build leaves the store as it was.
/// </summary>
public static class DemoStoreGenerator
{
    /// <summary>Settings key holding the generating parameters (JSON); its presence marks a store as a demo.</summary>
    public const string SettingsKey = "demo_parameters";

    /// <summary>File in the data folder with the same JSON, for SQLite stores.</summary>
    public const string ParametersFileName = "demo-parameters.json";

    /// <summary>
    /// Generates the demo into <paramref name="store"/>. The last day of the demo is today in Asia/Shanghai by
    /// <paramref name="time"/>; nothing is dated after its current instant. <paramref name="progress"/> receives
    /// short phase messages. For a SQLite store the parameters are also written to <see cref="ParametersFileName"/>.
    /// </summary>
    public static async Task<DemoSummary> GenerateAsync(FlywheelStore store, DemoOptions options, TimeProvider time, IProgress<string>? progress,
        CancellationToken ct)
    {
        var valid = options.Validate();
        if (!valid.IsSuccess) throw new ArgumentException(valid.Error!.Message, nameof(options));

        await using var session = await IngestSession.BeginAsync(store, "demo", $"demo seed {options.Seed}", ct);
        var builder = new DemoBuilder(session, options, time.GetUtcNow(), progress, ct);
        var summary = builder.Build();
        session.SetSetting(SettingsKey, summary.Parameters.ToJson());
        progress?.Report("committing");
        await session.CommitAsync(builder.RowsWritten, 0, ct);

        if (store.Location.DataFolder is { } folder)
            await File.WriteAllTextAsync(Path.Combine(folder, ParametersFileName), summary.Parameters.ToJson() + "\n", ct);
        return summary;
    }
}

/// <summary>Display names of the channel codes the demo (and most Chinese-market data) uses.</summary>
public static class ChannelNames
{
    private static readonly Dictionary<string, string> Names = DemoCatalog.Channels.ToDictionary(c => c.Code, c => c.DisplayName, StringComparer.Ordinal);

    /// <summary>The Chinese display name of a channel code (tmall → 淘宝/天猫), or the code itself when unknown.</summary>
    public static string Display(string code) => Names.TryGetValue(code, out var name) ? name : code;
}
