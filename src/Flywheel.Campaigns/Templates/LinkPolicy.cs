using System.Text.RegularExpressions;

namespace Flywheel.Campaigns.Templates;

/// <summary>
/// Where a tracked link (<c>{{track "https://..."}}</c>) may send a customer. A click link is signed, so whatever it names is
/// vouched for by the store: only absolute <c>http://</c> and <c>https://</c> addresses are signed and redirected to, never
/// <c>javascript:</c>, <c>data:</c>, <c>file:</c> or a scheme-relative <c>//host</c>. With hosts given (the Campaigns setting
/// <c>LinkHosts</c>), the address's host must also be one of them or a subdomain of one (<c>shop.example</c> allows
/// <c>m.shop.example</c>). Checked when a journey or broadcast is saved (literal URLs), when a message is rendered (URLs from
/// data, such as a product's) and again when a link is clicked.
/// </summary>
internal sealed partial class LinkPolicy
{
    private readonly string[] _hosts;

    public LinkPolicy(IEnumerable<string>? hosts)
    {
        _hosts = [.. (hosts ?? []).Select(h => h.Trim().TrimEnd('.').ToLowerInvariant()).Where(h => h.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>http(s) to any host.</summary>
    public static LinkPolicy AnyHost { get; } = new(null);

    /// <summary>The allowed hosts; empty: any.</summary>
    public IReadOnlyList<string> Hosts => _hosts;

    /// <summary>Why <paramref name="url"/> may not be a tracked link's target, or null when it may.</summary>
    public string? Refusal(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "a tracked link needs an address";
        var shown = url.Length > 80 ? url[..80] + "…" : url;
        if (!(url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            return $"a tracked link goes to an absolute http:// or https:// address, not '{shown}'";
        foreach (var c in url)
            if (char.IsControl(c) || char.IsWhiteSpace(c))
                return $"a tracked link's address has a space or control character: '{shown}'";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return $"a tracked link needs a valid http(s) address, not '{shown}'";
        if (_hosts.Length > 0)
        {
            var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
            if (!_hosts.Any(h => host == h || host.EndsWith("." + h, StringComparison.Ordinal)))
                return $"a tracked link may only go to {string.Join(", ", _hosts)} (Campaigns:LinkHosts), not {host}";
        }
        return null;
    }

    /// <summary>The literal addresses of the <c>{{track "..."}}</c> helpers in a template text (addresses from variables are checked when rendered).</summary>
    public static IEnumerable<string> TrackedLiterals(string? template)
    {
        if (string.IsNullOrEmpty(template)) yield break;
        foreach (Match m in TrackLiteral().Matches(template))
            yield return m.Groups["d"].Success ? m.Groups["d"].Value : m.Groups["s"].Value;
    }

    /// <summary>The first refused literal tracked link of a template text, as (address, reason), or null.</summary>
    public (string Url, string Reason)? FirstRefused(string? template)
    {
        foreach (var url in TrackedLiterals(template))
            if (Refusal(url) is { } reason)
                return (url, reason);
        return null;
    }

    [GeneratedRegex("""\{\{~?\{?\s*track\s+(?:"(?<d>[^"]*)"|'(?<s>[^']*)')""", RegexOptions.CultureInvariant)]
    private static partial Regex TrackLiteral();
}
