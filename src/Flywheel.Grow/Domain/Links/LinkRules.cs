using System.Text;
using Flywheel.Primitives;

namespace Flywheel.Grow.Domain.Links;

/// <summary>What a tracking link is: an ordinary UTM link, or a package-insert card (包裹卡) whose QR code leads to the brand's 企业微信.</summary>
internal static class LinkKinds
{
    public const string Link = "link";
    public const string PackageCard = "package_card";

    public static bool IsValid(string? kind) => kind is Link or PackageCard;
}

/// <summary>The UTM fields a link carries; each becomes a utm_* parameter of the destination and a field of the click event.</summary>
internal sealed record Utm(string? Channel, string? Source, string? Medium, string? Campaign, string? Content, string? Term);

/// <summary>
/// Hosts a link may lead to: each entry allows itself and its subdomains ("tmall.com" allows "detail.tmall.com", not
/// "eviltmall.com"). Only absolute http and https addresses are ever accepted — never javascript:, data:, file: or a
/// scheme-relative //host — and never one with credentials, spaces or control characters.
/// </summary>
internal sealed class HostAllowList
{
    private readonly string[] _hosts;

    public HostAllowList(IEnumerable<string> hosts) =>
        _hosts = [.. hosts.Select(Normalise).Where(h => h.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Hosts => _hosts;

    public static string Normalise(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>Whether <paramref name="host"/> (already lower case) is listed or under a listed domain.</summary>
    public bool Allows(string host) => _hosts.Any(h => host == h || host.EndsWith("." + h, StringComparison.Ordinal));

    /// <summary>The address as a URI when it may be a link's destination, else the error naming the field and the host.</summary>
    public Result<Uri> Check(string? url, string path)
    {
        if (string.IsNullOrWhiteSpace(url)) return Error.Invalid(path, "a link needs a destination: an absolute http:// or https:// address");
        var shown = url.Length > 80 ? url[..80] + "…" : url;
        if (url.Length > LinkRules.MaxUrlLength) return Error.Invalid(path, $"the destination is longer than {LinkRules.MaxUrlLength} characters");
        if (!(url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            return Error.Invalid(path, $"a link leads to an absolute http:// or https:// address, not '{shown}'");
        foreach (var c in url)
            if (char.IsControl(c) || char.IsWhiteSpace(c)) return Error.Invalid(path, $"the destination has a space or control character: '{shown}'");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return Error.Invalid(path, $"'{shown}' is not a valid http(s) address");
        if (uri.UserInfo.Length > 0) return Error.Invalid(path, "the destination may not carry a user name or password");
        var host = Normalise(uri.IdnHost);
        if (!Allows(host))
            return Error.Invalid(path, _hosts.Length == 0
                ? $"host '{host}' is not on the allow-list, which is empty: an admin adds the brand's hosts with PUT /v1/links/hosts or Grow:AllowedHosts"
                : $"host '{host}' is not on the allow-list ({string.Join(", ", _hosts)})");
        return uri;
    }
}

/// <summary>Pure rules of tracking links: codes, fields, and the destination with its utm_* parameters.</summary>
internal static class LinkRules
{
    public const int MaxUrlLength = 2048;
    public const int MaxFieldLength = 200;
    public const int GeneratedCodeLength = 8;
    public const int MinCodeLength = 4;
    public const int MaxCodeLength = 32;

    /// <summary>Base62: a code is case-sensitive, 62^8 ≈ 2.2e14 possibilities for a generated one.</summary>
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Path segments under /v1/links that are routes, not codes.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "funnel", "hosts", "qr" };

    /// <summary>A code: 4 to 32 letters, digits, '_' or '-' (a chosen one; generated ones are 8 base62 characters).</summary>
    public static bool IsWellFormedCode(string? code)
    {
        if (code is null || code.Length is < MinCodeLength or > MaxCodeLength) return false;
        foreach (var c in code)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        return true;
    }

    /// <summary>Why a chosen code cannot be used, or null.</summary>
    public static Error? CheckChosenCode(string code, string path) =>
        !IsWellFormedCode(code) ? Error.Invalid(path, $"a code is {MinCodeLength} to {MaxCodeLength} letters, digits, '_' or '-'")
        : Reserved.Contains(code) ? Error.Invalid(path, $"'{code}' is a reserved word, not a code")
        : null;

    /// <summary>A code from random bytes (one byte per character, rejection-sampled so every character is equally likely).</summary>
    public static string CodeFrom(ReadOnlySpan<byte> random)
    {
        var text = new StringBuilder(GeneratedCodeLength);
        foreach (var b in random)
        {
            if (b >= 248) continue; // 248 = 4 × 62: above it the alphabet would not be uniform
            text.Append(Alphabet[b % 62]);
            if (text.Length == GeneratedCodeLength) break;
        }
        return text.ToString();
    }

    /// <summary>An optional text field: trimmed, null when empty, at most <see cref="MaxFieldLength"/> characters without control characters.</summary>
    public static Result<string?> Field(string? value, string path)
    {
        if (value is null) return (string?)null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0) return (string?)null;
        if (trimmed.Length > MaxFieldLength) return Error.Invalid(path, $"{path} is longer than {MaxFieldLength} characters");
        if (trimmed.Any(char.IsControl)) return Error.Invalid(path, $"{path} has a control character");
        return trimmed;
    }

    /// <summary>
    /// The destination with the link's UTM appended as utm_source, utm_medium, utm_campaign, utm_content, utm_term (and
    /// utm_channel, Flywheel's channel field); a parameter the destination already has is left as it is.
    /// </summary>
    public static string WithUtm(Uri destination, Utm utm)
    {
        var url = destination.OriginalString;
        var fragment = "";
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            fragment = url[hash..];
            url = url[..hash];
        }
        var query = destination.Query;
        var text = new StringBuilder(url);
        var separator = url.Contains('?', StringComparison.Ordinal) ? (url.EndsWith('?') || url.EndsWith('&') ? "" : "&") : "?";
        foreach (var (name, value) in Parameters(utm))
        {
            if (value is null || HasParameter(query, name)) continue;
            text.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = "&";
        }
        return text.Append(fragment).ToString();
    }

    /// <summary>The destination with one more parameter appended unless present (a package card passes the scanner's anonymous id as WeCom's state).</summary>
    public static string WithParameter(string url, string name, string value)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash >= 0 ? url[hash..] : "";
        var body = hash >= 0 ? url[..hash] : url;
        var question = body.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0 && HasParameter(body[question..], name)) return url;
        var separator = question < 0 ? "?" : body.EndsWith('?') || body.EndsWith('&') ? "" : "&";
        return body + separator + name + "=" + Uri.EscapeDataString(value) + fragment;
    }

    private static IEnumerable<(string, string?)> Parameters(Utm utm) =>
    [
        ("utm_source", utm.Source), ("utm_medium", utm.Medium), ("utm_campaign", utm.Campaign), ("utm_content", utm.Content),
        ("utm_term", utm.Term), ("utm_channel", utm.Channel),
    ];

    private static bool HasParameter(string query, string name)
    {
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (string.Equals(eq < 0 ? part : part[..eq], name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
