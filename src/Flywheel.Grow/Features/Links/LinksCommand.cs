using System.CommandLine;
using System.Text.Json;
using Flywheel.Hosting.Cli;
using Flywheel.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Grow.Features.Links;

/// <summary>
/// <c>flywheel links create --url URL [--kind link|package_card] [--channel ...] ...</c>, <c>links list</c>, <c>links show CODE</c>,
/// <c>links qr CODE --png|--svg --out FILE</c>, <c>links funnel [CODE]</c>, <c>links hosts [--set HOST ...]</c>: the same handler as
/// the HTTP API, its JSON on standard output. Bad input (a host not on the allow-list, an unknown code) names the option and exits 2.
/// </summary>
internal static class LinksCommand
{
    private static readonly Option<string> BaseUrl = new("--base-url")
    {
        Description = "The server's public address, for short URLs and QR codes", DefaultValueFactory = _ => "http://127.0.0.1:5080",
    };

    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["creator_id"] = "creator", ["collab_id"] = "collab", ["window_days"] = "window-days",
    };

    public static Command Create(CliContext cli) => new("links", "Tracking links and QR codes: create, list, show, qr, funnel, hosts")
    {
        CreateLink(cli), List(cli), Show(cli), Qr(cli), Funnel(cli), Hosts(cli),
    };

    private static Command CreateLink(CliContext cli)
    {
        var url = new Option<string?>("--url") { Description = "Destination: an http(s) address whose host is on the allow-list (links hosts)" };
        var kind = new Option<string?>("--kind") { Description = "link (default) or package_card (包裹卡: leads to the brand's 企业微信)" };
        var name = new Option<string?>("--name") { Description = "What people call it, e.g. \"双11 包裹卡\"" };
        var channel = new Option<string?>("--channel") { Description = "Channel (utm_channel), e.g. xiaohongshu" };
        var source = new Option<string?>("--source") { Description = "utm_source" };
        var medium = new Option<string?>("--medium") { Description = "utm_medium" };
        var campaign = new Option<string?>("--campaign") { Description = "utm_campaign" };
        var content = new Option<string?>("--content") { Description = "utm_content (a KOL post's id)" };
        var term = new Option<string?>("--term") { Description = "utm_term" };
        var creator = new Option<string?>("--creator") { Description = "The creator (KOL/KOC id) the link belongs to: its clicks carry it as kol_id" };
        var collab = new Option<string?>("--collab") { Description = "The collaboration the link belongs to" };
        var code = new Option<string?>("--code") { Description = "A code of your own (4-32 letters, digits, _ or -); default: 8 random characters" };
        var command = new Command("create", "Make a tracking link: prints its code, short URL and destination with utm_* parameters")
        {
            url, kind, name, channel, source, medium, campaign, content, term, creator, collab, code, BaseUrl,
        };
        command.SetAction(async (parse, ct) => await RunAsync(cli, parse, async handler =>
            await PrintAsync(cli, await handler.CreateAsync(new CreateLinkRequest(parse.GetValue(url), parse.GetValue(kind), parse.GetValue(name),
                parse.GetValue(channel), parse.GetValue(source), parse.GetValue(medium), parse.GetValue(campaign), parse.GetValue(content), parse.GetValue(term),
                parse.GetValue(creator), parse.GetValue(collab), parse.GetValue(code)), parse.GetValue(BaseUrl)!, ct)), ct));
        return command;
    }

    private static Command List(CliContext cli)
    {
        var kind = new Option<string?>("--kind") { Description = "Only links of this kind: link or package_card" };
        var limit = new Option<int?>("--limit") { Description = $"At most this many (1-{LinksHandler.MaxList}, default 100)" };
        var command = new Command("list", "Tracking links, newest first, with clicks and distinct browsers") { kind, limit, BaseUrl };
        command.SetAction(async (parse, ct) => await RunAsync(cli, parse, async handler =>
            await PrintAsync(cli, await handler.ListAsync(parse.GetValue(kind), parse.GetValue(limit), parse.GetValue(BaseUrl)!, ct)), ct));
        return command;
    }

    private static Command Show(CliContext cli)
    {
        var code = new Argument<string>("code") { Description = "The link's code" };
        var command = new Command("show", "One tracking link with its clicks") { code, BaseUrl };
        command.SetAction(async (parse, ct) => await RunAsync(cli, parse, async handler =>
            await PrintAsync(cli, await handler.GetAsync(parse.GetValue(code)!, parse.GetValue(BaseUrl)!, ct)), ct));
        return command;
    }

    private static Command Qr(CliContext cli)
    {
        var code = new Argument<string>("code") { Description = "The link's code" };
        var png = new Option<bool>("--png") { Description = "Write a PNG (the default)" };
        var svg = new Option<bool>("--svg") { Description = "Write an SVG" };
        var output = new Option<string?>("--out") { Description = "The file to write" };
        var size = new Option<int>("--size") { Description = "Pixels per module of a PNG (1-40)", DefaultValueFactory = _ => 10 };
        var command = new Command("qr", "Write the QR code of a link's short URL, for print (包裹卡) or a poster") { code, png, svg, output, size, BaseUrl };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(png) && parse.GetValue(svg)) return await cli.BadAsync("--png/--svg", "choose one format");
            if (parse.GetValue(output) is not { Length: > 0 } path) return await cli.BadAsync("--out", "the file to write is required");
            if (parse.GetValue(size) is < 1 or > 40) return await cli.BadAsync("--size", "between 1 and 40 pixels per module");
            return await RunAsync(cli, parse, async handler =>
            {
                var link = await handler.GetAsync(parse.GetValue(code)!, parse.GetValue(BaseUrl)!, ct);
                if (!link.TryGetValue(out var view, out var error)) return await cli.FailAsync(error);
                if (parse.GetValue(svg)) await File.WriteAllTextAsync(path, QrCodes.Svg(view.ShortUrl), ct);
                else await File.WriteAllBytesAsync(path, QrCodes.Png(view.ShortUrl, parse.GetValue(size)), ct);
                await cli.Console.Error.WriteLineAsync($"QR code of {view.ShortUrl} written to {path}");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static Command Funnel(CliContext cli)
    {
        var code = new Argument<string?>("code") { Description = "One link's code (default: every link)", Arity = ArgumentArity.ZeroOrOne };
        var kind = new Option<string?>("--kind") { Description = "Only links of this kind: link or package_card" };
        var window = new Option<int?>("--window-days") { Description = $"Orders counted within this many days of each first scan (1-{LinksHandler.MaxWindowDays}, default 90)" };
        var command = new Command("funnel", "Scan → identify → first repurchase, per link: clicks, scanners, identified, repurchasers, orders, GMV (fen)") { code, kind, window };
        command.SetAction(async (parse, ct) => await RunAsync(cli, parse, async handler =>
            await PrintAsync(cli, await handler.FunnelAsync(parse.GetValue(code), parse.GetValue(kind), parse.GetValue(window), ct)), ct));
        return command;
    }

    private static Command Hosts(CliContext cli)
    {
        var set = new Option<string[]?>("--set") { Description = "Replace the stored allow-list with these hosts (each allows its subdomains)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("hosts", "The hosts tracking links may lead to; --set replaces the list kept in the store") { set };
        command.SetAction(async (parse, ct) => await RunAsync(cli, parse, async handler =>
            parse.GetValue(set) is { } hosts
                ? await PrintAsync(cli, await handler.SetHostsAsync(new SetHostsRequest(hosts), ct))
                : await PrintAsync(cli, Result<HostsView>.Success(await handler.HostsAsync(ct))), ct));
        return command;
    }

    private static Task<int> RunAsync(CliContext cli, ParseResult parse, Func<LinksHandler, Task<int>> work, CancellationToken ct) =>
        cli.RunAsync(parse, services => work(services.GetRequiredService<LinksHandler>()), ct);

    private static async Task<int> PrintAsync<T>(CliContext cli, Result<T> result)
    {
        if (!result.TryGetValue(out var value, out var error)) return await cli.FailFieldAsync(error, Renamed);
        await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(value, LinksJson.Indented));
        return ExitCodes.Ok;
    }
}
