using System.ComponentModel.DataAnnotations;

namespace Flywheel.Grow;

/// <summary>
/// Settings of the Grow module (configuration section "Grow"). Every default is documented and every setting bounded;
/// <see cref="GrowModule.AddGrow"/> validates them when the host starts.
/// </summary>
public sealed class GrowOptions
{
    public const string Section = "Grow";

    /// <summary>Largest JSON body accepted (default 1 MiB, between 1 KiB and 64 MiB): creators, collaborations, links, stages.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest CSV body of an import over HTTP (default 32 MiB, between 1 KiB and 1 GiB): content metrics, creators.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxImportBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Hosts a tracking link may redirect to (default: none, so every link is refused until the brand lists its own), matched
    /// exactly or as a parent domain ("tmall.com" allows "detail.tmall.com"). Only http and https are ever redirected to.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// The address customers reach this server at, for short links and their QR codes (<c>{PublicBaseUrl}/l/{code}</c>); its host is
    /// allowed as a destination too. Default: none, and a short link is made from the address the request came to. The server
    /// sets it from its own public URL (<c>serve --public-url</c>).
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}
