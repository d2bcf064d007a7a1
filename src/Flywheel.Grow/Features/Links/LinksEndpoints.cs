using System.Security.Cryptography;
using System.Text.Json;
using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Storage;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Flywheel.Grow.Features.Links;

/// <summary>
/// Tracking links over HTTP: <c>POST /v1/links</c> (the UTM link builder), <c>GET /v1/links</c>, <c>GET /v1/links/{code}</c>, its QR
/// code as <c>qr.png</c> and <c>qr.svg</c>, the funnel of one link or all (<c>/funnel</c>), the allow-list (<c>/v1/links/hosts</c>),
/// and the public redirect <c>GET /l/{code}</c>.
/// </summary>
internal static class LinksEndpoints
{
    /// <summary>The first-party cookie that keeps a browser's anonymous id between scans (two years, only sent to /l/).</summary>
    public const string AnonymousCookie = "fw_aid";

    public static void Map(RouteGroupBuilder v1, RouteGroupBuilder root)
    {
        v1.MapPost("/links", CreateAsync).Requires(Permission.MarketingWrite).WithName("CreateLink")
            .WithSummary("Make a tracking link: destination url (host on the allow-list), UTM fields, kind link|package_card; gives the code, the short URL and the destination with utm_* parameters")
            .Accepts<CreateLinkRequest>("application/json").Produces<LinkView>(StatusCodes.Status201Created, "application/json");
        v1.MapGet("/links", ListAsync).Requires(Permission.ReportsRead).WithName("ListLinks")
            .WithSummary("Tracking links, newest first, with clicks and distinct browsers (?kind=link|package_card, ?limit=1..1000)");
        v1.MapGet("/links/hosts", HostsAsync).Requires(Permission.ReportsRead).WithName("LinkHosts")
            .WithSummary("The hosts links may lead to: stored (editable), configured (Grow:AllowedHosts and the public URL), effective");
        v1.MapPut("/links/hosts", SetHostsAsync).Requires(Permission.Admin).WithName("SetLinkHosts")
            .WithSummary("Replace the stored allow-list: {\"hosts\": [\"tmall.com\", \"work.weixin.qq.com\"]} (a host allows its subdomains)")
            .Accepts<SetHostsRequest>("application/json");
        v1.MapGet("/links/funnel", FunnelAllAsync).Requires(Permission.ReportsRead).WithName("LinksFunnel")
            .WithSummary("Scan → identify → first repurchase for every link (?kind=package_card, ?window_days=90: orders counted after each first scan)");
        v1.MapGet("/links/{code}", GetAsync).Requires(Permission.ReportsRead).WithName("GetLink").WithSummary("One tracking link with its clicks");
        v1.MapGet("/links/{code}/funnel", FunnelAsync).Requires(Permission.ReportsRead).WithName("LinkFunnel")
            .WithSummary("One link's funnel: clicks, distinct scanners, identified, customers, repurchasers, orders and GMV (fen) within window_days of the first scan");
        v1.MapGet("/links/{code}/qr.png", QrPngAsync).Requires(Permission.ReportsRead).WithName("LinkQrPng")
            .WithSummary("The link's short URL as a QR code, PNG (?size=1..40 pixels per module, default 10)");
        v1.MapGet("/links/{code}/qr.svg", QrSvgAsync).Requires(Permission.ReportsRead).WithName("LinkQrSvg")
            .WithSummary("The link's short URL as a QR code, SVG");
        root.MapGet("/l/{code}", RedirectAsync).Requires(Permission.Public).WithName("FollowLink").WithTags("Grow")
            .WithSummary("The public redirect: records the click and answers 302 to the link's destination (404 page for an unknown code)");
    }

    internal static async Task<Results<JsonHttpResult<LinkView>, ProblemHttpResult>> CreateAsync(HttpRequest request, LinksHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync<CreateLinkRequest>(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var create, out var bad)) return bad.ToProblem();
        var created = await handler.CreateAsync(create, handler.BaseUrl(RequestBase(request)), ct);
        return created.TryGetValue(out var link, out bad) ? Json(link, StatusCodes.Status201Created) : bad.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<IReadOnlyList<LinkView>>, ProblemHttpResult>> ListAsync(HttpRequest request, LinksHandler handler,
        CancellationToken ct, string? kind = null, string? limit = null)
    {
        if (!TryInt(limit, "limit", out var max, out var bad)) return bad.ToProblem();
        var list = await handler.ListAsync(kind, max, handler.BaseUrl(RequestBase(request)), ct);
        return list.TryGetValue(out var links, out bad) ? Json(links) : bad.ToProblem();
    }

    internal static async Task<JsonHttpResult<HostsView>> HostsAsync(LinksHandler handler, CancellationToken ct) => Json(await handler.HostsAsync(ct));

    internal static async Task<Results<JsonHttpResult<HostsView>, ProblemHttpResult>> SetHostsAsync(HttpRequest request, LinksHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        var body = await ReadAsync<SetHostsRequest>(request, options.Value.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var set, out var bad)) return bad.ToProblem();
        var hosts = await handler.SetHostsAsync(set, ct);
        return hosts.TryGetValue(out var view, out bad) ? Json(view) : bad.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<LinkView>, ProblemHttpResult>> GetAsync(HttpRequest request, LinksHandler handler, string code,
        CancellationToken ct)
    {
        var link = await handler.GetAsync(code, handler.BaseUrl(RequestBase(request)), ct);
        return link.TryGetValue(out var view, out var bad) ? Json(view) : bad.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<FunnelReport>, ProblemHttpResult>> FunnelAllAsync(LinksHandler handler, CancellationToken ct,
        string? kind = null, string? window_days = null)
    {
        if (!TryInt(window_days, "window_days", out var days, out var bad)) return bad.ToProblem();
        var report = await handler.FunnelAsync(null, kind, days, ct);
        return report.TryGetValue(out var funnel, out bad) ? Json(funnel) : bad.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<FunnelReport>, ProblemHttpResult>> FunnelAsync(LinksHandler handler, string code, CancellationToken ct,
        string? window_days = null)
    {
        if (!TryInt(window_days, "window_days", out var days, out var bad)) return bad.ToProblem();
        var report = await handler.FunnelAsync(code, null, days, ct);
        return report.TryGetValue(out var funnel, out bad) ? Json(funnel) : bad.ToProblem();
    }

    internal static async Task<IResult> QrPngAsync(HttpRequest request, LinksHandler handler, string code, CancellationToken ct, string? size = null)
    {
        if (!TryInt(size, "size", out var pixels, out var bad) || pixels is < 1 or > 40)
            return (bad ?? Error.Invalid("size", "size is between 1 and 40 pixels per module")).ToProblem();
        var link = await handler.GetAsync(code, handler.BaseUrl(RequestBase(request)), ct);
        if (!link.TryGetValue(out var view, out bad)) return bad.ToProblem();
        return TypedResults.File(QrCodes.Png(view.ShortUrl, pixels ?? 10), "image/png", view.Code + ".png");
    }

    internal static async Task<IResult> QrSvgAsync(HttpRequest request, LinksHandler handler, string code, CancellationToken ct)
    {
        var link = await handler.GetAsync(code, handler.BaseUrl(RequestBase(request)), ct);
        if (!link.TryGetValue(out var view, out var bad)) return bad.ToProblem();
        return TypedResults.Text(QrCodes.Svg(view.ShortUrl), "image/svg+xml; charset=utf-8");
    }

    /// <summary>
    /// The redirect. An unknown or malformed code gets a small 404 page and is never redirected; a link whose target is not http(s)
    /// (it cannot be: checked when made) is treated as unknown. The browser keeps a first-party anonymous id in a cookie; the click is
    /// recorded (group commit, <see cref="ClickRecorder"/>) before the 302, and if recording fails the customer is still sent on.
    /// A package card passes the anonymous id on as WeCom's <c>state</c>, so the add-contact callback can identify the scanner.
    /// No customer id is ever taken from the URL: anyone could forge one.
    /// </summary>
    internal static async Task<IResult> RedirectAsync(HttpContext context, LinksHandler handler, ClickRecorder recorder, TimeProvider time,
        ILoggerFactory loggers, string code, CancellationToken ct)
    {
        var link = await handler.FindAsync(code, ct);
        if (link is null || !(link.Target.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || link.Target.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
            return NotFoundPage();
        var request = context.Request;
        var anonymous = request.Cookies.TryGetValue(AnonymousCookie, out var cookie) && IsAnonymousId(cookie) ? cookie : null;
        if (anonymous is null)
        {
            anonymous = NewAnonymousId();
            context.Response.Cookies.Append(AnonymousCookie, anonymous, new CookieOptions
            {
                Path = "/l", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = request.IsHttps, MaxAge = TimeSpan.FromDays(730), IsEssential = true,
            });
        }
        var click = new ClickRow(Guid.NewGuid().ToString("N"), link.Code, time.GetUtcNow().ToUnixTimeMilliseconds(), anonymous, null,
            Truncate(request.Headers.Referer.ToString(), 500), Truncate(request.Headers.UserAgent.ToString(), 300));
        try
        {
            await recorder.RecordAsync(click, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            loggers.CreateLogger("Flywheel.Grow.Links").LogWarning(e, "the click on {Code} was not recorded; redirecting anyway", link.Code);
        }
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer-when-downgrade";
        var location = link.Kind == LinkKinds.PackageCard ? LinkRules.WithParameter(link.Target, "state", anonymous) : link.Target;
        return TypedResults.Redirect(location);
    }

    private static IResult NotFoundPage() => TypedResults.Content(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>链接不存在</title>" +
        "<body><h1>链接不存在 / Link not found</h1><p>这个二维码或链接无效或已失效。This code or link does not exist.</p></body></html>",
        "text/html; charset=utf-8", System.Text.Encoding.UTF8, StatusCodes.Status404NotFound);

    /// <summary>An anonymous id: "a" and 16 base62 characters (17 in all: WeCom's state takes 30).</summary>
    internal static string NewAnonymousId()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        var first = LinkRules.CodeFrom(random[..16]);
        var second = LinkRules.CodeFrom(random[16..]);
        var text = "a" + first + second;
        return text.Length >= 17 ? text[..17] : "a" + Guid.NewGuid().ToString("N")[..16];
    }

    /// <summary>A cookie value this server could have set: 8 to 40 letters, digits, '_' or '-' (anything else is replaced).</summary>
    internal static bool IsAnonymousId(string? text) =>
        text is { Length: >= 8 and <= 40 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static string? Truncate(string text, int max)
    {
        if (text.Length == 0) return null;
        var clean = new string([.. text.Where(c => !char.IsControl(c))]);
        return clean.Length > max ? clean[..max] : clean;
    }

    private static string RequestBase(HttpRequest request) => request.Scheme + "://" + request.Host.Value;

    private static bool TryInt(string? text, string name, out int? value, out Error error)
    {
        value = null;
        error = null!;
        if (text is null) return true;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }
        error = Error.Invalid(name, $"{name} is a whole number, not '{(text.Length > 20 ? text[..20] + "…" : text)}'");
        return false;
    }

    private static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, LinksJson.Options, "application/json", status);

    private static async Task<Result<T>> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken ct) where T : class
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body)
        {
            if (body.Root.ValueKind != JsonValueKind.Object) return Error.Invalid("$", "the body must be a JSON object");
            try
            {
                return body.Root.Deserialize<T>(LinksJson.Options) is { } value ? value : Error.Invalid("$", "the body must be a JSON object");
            }
            catch (JsonException e)
            {
                var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
                return Error.Invalid(path, e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                    ? $"unknown field: {e.Message.Split('\'').ElementAtOrDefault(1) ?? path}" : $"{path} has the wrong type: text fields are strings");
            }
        }
    }
}

/// <summary>QR codes of short URLs (QRCoder, error correction M: a printed card survives a crease).</summary>
internal static class QrCodes
{
    public static byte[] Png(string text, int pixelsPerModule)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule);
    }

    public static string Svg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(10);
    }
}
