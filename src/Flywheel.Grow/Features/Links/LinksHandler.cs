using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Storage;
using Flywheel.Ingestion.Contracts;
using Flywheel.Primitives;
using Microsoft.Extensions.Options;

namespace Flywheel.Grow.Features.Links;

/// <summary>A link to make: the destination, its UTM fields, and optionally a chosen code (default: 8 random base62 characters).</summary>
internal sealed record CreateLinkRequest(string? Url, string? Kind = null, string? Name = null, string? Channel = null, string? Source = null,
    string? Medium = null, string? Campaign = null, string? Content = null, string? Term = null, string? CreatorId = null, string? CollabId = null,
    string? Code = null);

/// <summary>A link as the API shows it: <c>short_url</c> is what to print or encode in a QR code, <c>target</c> where it redirects.</summary>
internal sealed record LinkView(string Code, string Kind, string? Name, string ShortUrl, string Destination, string Target, string? Channel, string? Source,
    string? Medium, string? Campaign, string? Content, string? Term, string? CreatorId, string? CollabId, DateTimeOffset CreatedAt, long Clicks, long Scanners);

/// <summary>One link's funnel (see <see cref="FunnelCounts"/>); rates are null when their denominator is 0.</summary>
internal sealed record FunnelRow(string Code, string Kind, string? Name, string? Campaign, long Clicks, long Scanners, long Identified, long Customers,
    long Repurchasers, long Orders, long Gmv, double? IdentifyRate, double? RepurchaseRate);

/// <summary>The funnel of one link or of many, with their sum (a browser or customer on two links counts on both).</summary>
internal sealed record FunnelReport(int WindowDays, IReadOnlyList<FunnelRow> Links, FunnelRow Total);

/// <summary>The allow-list: <c>stored</c> is editable (PUT /v1/links/hosts), <c>configured</c> from Grow:AllowedHosts and the public URL.</summary>
internal sealed record HostsView(IReadOnlyList<string> Stored, IReadOnlyList<string> Configured, IReadOnlyList<string> Effective);

internal sealed record SetHostsRequest(IReadOnlyList<string>? Hosts);

/// <summary>How the links endpoints and commands read and write JSON: snake_case, times ISO 8601, money in fen.</summary>
internal static class LinksJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // Names and addresses stay readable (包裹卡, &) in the CLI and the API; the API answers application/json, never HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}

/// <summary>
/// Tracking links: make one (checked against the allow-list), read one or all with their click counts, the funnel
/// (scan → identify → first repurchase), and the allow-list kept in the store. The endpoints and the commands call this.
/// </summary>
internal sealed class LinksHandler(LinkStore links, TimeProvider time, IOptions<GrowOptions> options)
{
    public const int MaxList = 1000;
    public const int MaxWindowDays = 365;
    public const int MaxHosts = 200;
    private readonly ConcurrentDictionary<string, LinkRow> _cache = new(StringComparer.Ordinal);

    public LinkStore Store => links;

    /// <summary>A link by code for the redirect: from memory after the first time (links never change), else from the store.</summary>
    public async Task<LinkRow?> FindAsync(string code, CancellationToken ct)
    {
        if (_cache.TryGetValue(code, out var cached)) return cached;
        if (!LinkRules.IsWellFormedCode(code)) return null;
        var stored = await links.GetAsync(code, ct);
        if (stored is not null && _cache.Count < 100_000) _cache[code] = stored;
        return stored;
    }

    /// <summary>The short URL of a code under <paramref name="baseUrl"/> (the public URL, else the request's).</summary>
    public static string ShortUrl(string baseUrl, string code) => baseUrl.TrimEnd('/') + "/l/" + code;

    /// <summary>The base of short URLs: the configured public URL when valid, else <paramref name="fallback"/>.</summary>
    public string BaseUrl(string fallback) =>
        options.Value.PublicBaseUrl is { } configured && Uri.TryCreate(configured, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? configured.TrimEnd('/') : fallback.TrimEnd('/');

    public async Task<HostsView> HostsAsync(CancellationToken ct)
    {
        var stored = new HostAllowList(await links.StoredHostsAsync(ct)).Hosts;
        var configured = new List<string>(options.Value.AllowedHosts);
        if (options.Value.PublicBaseUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)) configured.Add(uri.IdnHost);
        var configuredList = new HostAllowList(configured).Hosts;
        return new HostsView(stored, configuredList, new HostAllowList(stored.Concat(configuredList)).Hosts);
    }

    /// <summary>Replaces the stored allow-list; each entry a host name (no scheme, path or port), at most <see cref="MaxHosts"/>.</summary>
    public async Task<Result<HostsView>> SetHostsAsync(SetHostsRequest request, CancellationToken ct)
    {
        if (request.Hosts is null) return Error.Invalid("hosts", "hosts is a list of host names, e.g. [\"tmall.com\", \"work.weixin.qq.com\"]");
        if (request.Hosts.Count > MaxHosts) return Error.Invalid("hosts", $"at most {MaxHosts} hosts");
        var clean = new List<string>();
        for (var i = 0; i < request.Hosts.Count; i++)
        {
            var host = HostAllowList.Normalise(request.Hosts[i] ?? "");
            if (host.Length is 0 or > 253 || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4) || !host.Contains('.', StringComparison.Ordinal))
                return Error.Invalid($"hosts[{i}]", $"'{request.Hosts[i]}' is not a host name such as tmall.com (no scheme, path or port; a bare top-level domain is refused)");
            clean.Add(host);
        }
        await links.SetStoredHostsAsync(new HostAllowList(clean).Hosts, ct);
        return await HostsAsync(ct);
    }

    public async Task<Result<LinkView>> CreateAsync(CreateLinkRequest request, string baseUrl, CancellationToken ct)
    {
        var kind = request.Kind ?? LinkKinds.Link;
        if (!LinkKinds.IsValid(kind)) return Error.Invalid("kind", $"kind is link or package_card, not '{Shown(kind)}'");
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in new[] { ("name", request.Name), ("channel", request.Channel), ("source", request.Source), ("medium", request.Medium),
            ("campaign", request.Campaign), ("content", request.Content), ("term", request.Term), ("creator_id", request.CreatorId), ("collab_id", request.CollabId) })
        {
            var field = LinkRules.Field(value, name);
            if (!field.TryGetValue(out var clean, out var bad)) return bad;
            fields[name] = clean;
        }
        if (kind == LinkKinds.PackageCard)
        {
            // A package card leads to the brand's 企业微信; its scans are the package_card medium unless the brand says otherwise.
            fields["channel"] ??= "wecom";
            fields["source"] ??= "package_insert";
            fields["medium"] ??= "package_card";
        }
        var hosts = await HostsAsync(ct);
        var checkedUrl = new HostAllowList(hosts.Effective).Check(request.Url, "url");
        if (!checkedUrl.TryGetValue(out var destination, out var refused)) return refused;
        if (request.Code is not null && LinkRules.CheckChosenCode(request.Code, "code") is { } badCode) return badCode;

        var utm = new Utm(fields["channel"], fields["source"], fields["medium"], fields["campaign"], fields["content"], fields["term"]);
        var target = LinkRules.WithUtm(destination, utm);
        if (target.Length > LinkRules.MaxUrlLength * 2) return Error.Invalid("url", "the destination with its utm parameters is too long");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var attempt = 0; ; attempt++)
        {
            var code = request.Code ?? NewCode();
            var row = new LinkRow(code, kind, fields["name"], request.Url!, target, utm, fields["creator_id"], fields["collab_id"], now);
            var inserted = await links.InsertAsync(row, ct);
            if (inserted.IsSuccess) return View(row, baseUrl, 0, 0);
            // A chosen code that is taken is the caller's to change; a generated one that collides (1 in 10^14) is drawn again.
            if (request.Code is not null || attempt >= 5) return inserted.Error!;
        }
    }

    public async Task<Result<LinkView>> GetAsync(string code, string baseUrl, CancellationToken ct)
    {
        if (!LinkRules.IsWellFormedCode(code)) return Error.NotFound("code", $"no link '{Shown(code)}': a code is {LinkRules.MinCodeLength} to {LinkRules.MaxCodeLength} letters, digits, '_' or '-'");
        var row = await links.GetAsync(code, ct);
        if (row is null) return Error.NotFound("code", $"no link '{code}'");
        var counts = await links.ClickCountsAsync(ct);
        var (clicks, scanners) = counts.TryGetValue(code, out var c) ? c : (0, 0);
        return View(row, baseUrl, clicks, scanners);
    }

    public async Task<Result<IReadOnlyList<LinkView>>> ListAsync(string? kind, int? limit, string baseUrl, CancellationToken ct)
    {
        if (kind is not null && !LinkKinds.IsValid(kind)) return Error.Invalid("kind", $"kind is link or package_card, not '{Shown(kind)}'");
        if (limit is < 1 or > MaxList) return Error.Invalid("limit", $"limit is between 1 and {MaxList}");
        var rows = await links.ListAsync(kind, limit ?? 100, ct);
        var counts = await links.ClickCountsAsync(ct);
        return Result<IReadOnlyList<LinkView>>.Success([.. rows.Select(r =>
        {
            var (clicks, scanners) = counts.TryGetValue(r.Code, out var c) ? c : (0, 0);
            return View(r, baseUrl, clicks, scanners);
        })]);
    }

    /// <summary>The funnel of one link (<paramref name="code"/>), or of every link (of <paramref name="kind"/> when given), over <paramref name="windowDays"/> after each first scan.</summary>
    public async Task<Result<FunnelReport>> FunnelAsync(string? code, string? kind, int? windowDays, CancellationToken ct)
    {
        var days = windowDays ?? 90;
        if (days is < 1 or > MaxWindowDays) return Error.Invalid("window_days", $"window_days is between 1 and {MaxWindowDays}");
        if (kind is not null && !LinkKinds.IsValid(kind)) return Error.Invalid("kind", $"kind is link or package_card, not '{Shown(kind)}'");
        IReadOnlyList<LinkRow> rows;
        if (code is not null)
        {
            if (!LinkRules.IsWellFormedCode(code) || await links.GetAsync(code, ct) is not { } one) return Error.NotFound("code", $"no link '{Shown(code)}'");
            rows = [one];
        }
        else rows = await links.ListAsync(kind, int.MaxValue, ct);

        var scanners = await links.ScannersAsync(code, kind, ct);
        var linked = await IdentityLookups.LinkedAsync(links.Store, [.. scanners.Where(s => s.CustomerId is null).Select(s => s.AnonymousId)], ct);
        var scans = scanners.Select(s => new Scan(s.Code, s.AnonymousId, s.Clicks, s.FirstAt,
            s.CustomerId ?? (linked.TryGetValue(s.AnonymousId, out var l) ? l.CustomerId : null))).ToList();
        var customers = scans.Where(s => s.CustomerId is not null).Select(s => s.CustomerId!).Distinct(StringComparer.Ordinal).ToList();
        var since = scans.Count == 0 ? 0 : scans.Min(s => s.FirstAt);
        var orders = await PaidOrders.OfCustomersAsync(links.Store, customers, since, ct);
        var counts = LinkFunnel.Count(scans, orders.Select(o => new Purchase(o.CustomerId, o.PaidAt, o.TotalPaid)), TimeSpan.FromDays(days));

        var result = new List<FunnelRow>();
        var total = FunnelCounts.Zero;
        foreach (var row in rows.OrderBy(r => r.Code, StringComparer.Ordinal))
        {
            var c = counts.TryGetValue(row.Code, out var found) ? found : FunnelCounts.Zero;
            total = total.Plus(c);
            result.Add(Row(row.Code, row.Kind, row.Name, row.Utm.Campaign, c));
        }
        return new FunnelReport(days, result, Row("(total)", kind ?? "all", null, null, total));
    }

    private static FunnelRow Row(string code, string kind, string? name, string? campaign, FunnelCounts c) =>
        new(code, kind, name, campaign, c.Clicks, c.Scanners, c.Identified, c.Customers, c.Repurchasers, c.Orders, c.Gmv,
            c.IdentifyRate is { } i ? Math.Round(i, 4) : null, c.RepurchaseRate is { } r ? Math.Round(r, 4) : null);

    private static LinkView View(LinkRow r, string baseUrl, long clicks, long scanners) =>
        new(r.Code, r.Kind, r.Name, ShortUrl(baseUrl, r.Code), r.Destination, r.Target, r.Utm.Channel, r.Utm.Source, r.Utm.Medium, r.Utm.Campaign,
            r.Utm.Content, r.Utm.Term, r.CreatorId, r.CollabId, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), clicks, scanners);

    /// <summary>A new random code: 8 base62 characters from the system's cryptographic generator, so codes cannot be guessed or enumerated.</summary>
    public static string NewCode()
    {
        Span<byte> random = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(random);
            var code = LinkRules.CodeFrom(random);
            if (code.Length == LinkRules.GeneratedCodeLength) return code;
        }
    }

    private static string Shown(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
