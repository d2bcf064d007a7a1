using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Flywheel.Web.Features.Assets;

/// <summary>One embedded file: its bytes, media type and a strong ETag (a hash of the bytes, so a new build revalidates).</summary>
internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);

/// <summary>The console's files, read once from the assembly's embedded <c>wwwroot/</c> (a few hundred kB; held in memory).</summary>
internal static class ConsoleAssets
{
    private const string Prefix = "wwwroot/";

    public static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            assets[name[Prefix.Length..]] = new ConsoleAsset(bytes, ContentType(name), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Only the kinds of file the console ships; anything else is served as bytes (and nosniff keeps a browser from guessing).</summary>
    internal static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}
