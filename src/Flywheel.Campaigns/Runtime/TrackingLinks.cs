using System.Security.Cryptography;
using System.Text;
using Flywheel.Campaigns.Templates;
using Flywheel.Storage;

namespace Flywheel.Campaigns.Runtime;

/// <summary>What a tracking or unsubscribe token stands for.</summary>
internal sealed record TrackingToken(string Kind, string IdempotencyKey, string? Url, string? Campaign);

/// <summary>
/// Stateless signed links, so a message can be rendered (with its links) before it is stored: <c>/r/{token}</c> is a click
/// through to a URL, <c>/u/{token}</c> an unsubscribe. A token is base64url(kind, message key, url, campaign) plus a truncated
/// HMAC-SHA256 under the store's secret (setting <see cref="SecretSetting"/>, made on first use): links cannot be forged or
/// pointed elsewhere (no open redirect), and resolving one reads the message by its idempotency key. Only addresses the
/// <see cref="Policy"/> allows (http/https, optionally some hosts) are signed, and a click redirects only to those.
/// </summary>
internal sealed class TrackingLinks
{
    public const string SecretSetting = "campaigns.link_secret";
    private const int MacBytes = 16;
    private readonly byte[] _secret;

    public TrackingLinks(byte[] secret, string baseUrl, LinkPolicy? policy = null)
    {
        if (secret.Length < 16) throw new ArgumentException("the link secret has at least 16 bytes", nameof(secret));
        _secret = secret;
        BaseUrl = baseUrl.TrimEnd('/');
        Policy = policy ?? LinkPolicy.AnyHost;
    }

    /// <summary>Which addresses a click link may go to.</summary>
    public LinkPolicy Policy { get; }

    /// <summary>The public address of the server the links point at, e.g. <c>https://fw.example.cn</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The store's link secret, made and saved the first time.</summary>
    public static async Task<TrackingLinks> ForStoreAsync(FlywheelStore store, string baseUrl, CancellationToken ct, LinkPolicy? policy = null)
    {
        var text = await store.GetSettingAsync(SecretSetting, "", ct);
        if (text.Length == 0)
        {
            text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            await store.SetSettingAsync(SecretSetting, text, ct, affectsAnalytics: false);
            text = await store.GetSettingAsync(SecretSetting, text, ct); // another process may have written first
        }
        return new TrackingLinks(Convert.FromBase64String(text), baseUrl, policy);
    }

    /// <summary>
    /// A signed click link to <paramref name="url"/>. An address the <see cref="Policy"/> refuses (javascript:, data:, a host not
    /// allowed) is never signed: it throws, which fails the message's rendering with the reason instead of sending the link.
    /// </summary>
    public string Click(string idempotencyKey, string url, string? campaign) =>
        Policy.Refusal(url) is { } refused
            ? throw new ArgumentException(refused, nameof(url))
            : BaseUrl + "/r/" + Sign("click", idempotencyKey, url, campaign);

    public string Unsubscribe(string idempotencyKey) => BaseUrl + "/u/" + Sign("unsubscribe", idempotencyKey, null, null);

    /// <summary>An open-tracking pixel address (<c>/o/{token}</c>, a 1×1 GIF that records the open once).</summary>
    public string Open(string idempotencyKey) => BaseUrl + "/o/" + Sign("open", idempotencyKey, null, null);

    /// <summary>The HTML part with the open pixel appended (inside &lt;/body&gt; when there is one); null stays null.</summary>
    public string? WithOpenPixel(string? html, string idempotencyKey)
    {
        if (html is null) return null;
        var pixel = $"<img src=\"{Open(idempotencyKey)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
        var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end >= 0 ? html.Insert(end, pixel) : html + pixel;
    }

    internal string Sign(string kind, string key, string? url, string? campaign)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join('\u001f', kind, key, url ?? "", campaign ?? ""));
        var mac = HMACSHA256.HashData(_secret, payload).AsSpan(0, MacBytes);
        return Base64Url(payload) + "." + Base64Url(mac);
    }

    /// <summary>The token's content when its signature holds; null for anything forged, truncated or malformed.</summary>
    public TrackingToken? Resolve(string token)
    {
        if (token.Length is 0 or > 4096) return null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return null;
        var payload = FromBase64Url(token[..dot]);
        var mac = FromBase64Url(token[(dot + 1)..]);
        if (payload is null || mac is null || mac.Length != MacBytes) return null;
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_secret, payload).AsSpan(0, MacBytes), mac)) return null;
        var parts = Encoding.UTF8.GetString(payload).Split('\u001f');
        if (parts.Length != 4) return null;
        return new TrackingToken(parts[0], parts[1], parts[2].Length == 0 ? null : parts[2], parts[3].Length == 0 ? null : parts[3]);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
