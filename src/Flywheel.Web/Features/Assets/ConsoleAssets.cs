using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Flywheel.Web.Features.Assets;

/// <summary>
/// One embedded file: its bytes, media type and a strong ETag (a hash of the bytes, so a new build revalidates), and its gzip
/// form when that is smaller (compressed once at start-up), with an ETag of its own as a different representation.
/// </summary>
internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag, byte[]? Gzip)
{
    public string GzipETag => ETag.Insert(ETag.Length - 1, "-gz");
}

/// <summary>The console's files, read once from the assembly's embedded <c>wwwroot/</c> (under a megabyte with the chart bundle; held in memory, each with its gzip form).</summary>
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
            var gzip = Compress(bytes);
            assets[name[Prefix.Length..]] = new ConsoleAsset(bytes, ContentType(name), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"",
                gzip.Length < bytes.Length ? gzip : null);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Compress(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(bytes);
        return output.ToArray();
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
