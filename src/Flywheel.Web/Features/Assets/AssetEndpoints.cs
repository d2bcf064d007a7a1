using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Flywheel.Web.Features.Assets;

/// <summary>Answers a console file with its security headers, or 404; a matching If-None-Match gets 304.</summary>
internal static class AssetEndpoints
{
    /// <summary>
    /// Scripts, styles and connections only from this server, and no inline script or style: an injected &lt;script&gt; or
    /// on* attribute does not run. frame-ancestors 'none' keeps the console out of other sites' frames (clickjacking).
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IResult Serve(HttpContext context, FrozenDictionary<string, ConsoleAsset> assets, string path)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (!assets.TryGetValue(path, out var asset)) return TypedResults.NotFound();
        // Revalidated on every load (no-cache, not no-store): a new build's files are picked up at once, an unchanged one costs a 304.
        headers.CacheControl = "no-cache";
        var gzip = asset.Gzip is not null && AcceptsGzip(context.Request.Headers.AcceptEncoding);
        if (asset.Gzip is not null) headers.Vary = "Accept-Encoding";
        var etag = gzip ? asset.GzipETag : asset.ETag;
        headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        if (!gzip) return TypedResults.Bytes(asset.Content, asset.ContentType);
        headers.ContentEncoding = "gzip";
        return TypedResults.Bytes(asset.Gzip!, asset.ContentType);
    }

    /// <summary>Whether Accept-Encoding lists gzip (or *) without q=0.</summary>
    internal static bool AcceptsGzip(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        foreach (var header in acceptEncoding)
        {
            foreach (var part in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                if (!pieces[0].Equals("gzip", StringComparison.OrdinalIgnoreCase) && pieces[0] != "*") continue;
                var refused = pieces.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
                if (!refused) return true;
            }
        }
        return false;
    }
}
