using System.CommandLine;
using Flywheel.Server;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel serve</c>: the HTTP API over the store and, unless <c>--no-workers</c>, the background loops (journeys, triggers,
/// delivery, lifecycle and segment refresh), until SIGTERM or Ctrl+C. <c>flywheel worker</c>: the background loops alone, so a
/// second process can do the background work beside API-only servers.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The options both commands take: where customers reach the server, and the delivery channels.</summary>
    private sealed class HostArguments
    {
        public readonly Option<string?> PublicUrl = new Option<string?>("--public-url") { Description = "The address customers reach this server at, for tracking and unsubscribe links (default: the first --urls address)" };
        public readonly Option<string?> Smtp = new Option<string?>("--smtp") { Description = "Send email through this SMTP server, host:port (plain, or STARTTLS with --smtp-tls)" };
        public readonly Option<string?> SmtpFrom = new Option<string?>("--smtp-from") { Description = "The From address of email (required with --smtp)" };
        public readonly Option<bool> SmtpTls = new Option<bool>("--smtp-tls") { Description = "Use TLS with the SMTP server" };
        public readonly Option<string?> SmsUrl = new Option<string?>("--sms-url") { Description = "The SMS provider adapter's URL (JSON POST signed with --sms-secret)" };
        public readonly Option<string?> SmsSecret = new Option<string?>("--sms-secret") { Description = "HMAC-SHA256 secret for the SMS adapter (16+ characters)" };
        public readonly Option<string?> WecomUrl = new Option<string?>("--wecom-url") { Description = "A WeCom (企业微信) group robot webhook URL" };
        public readonly Option<string?> WebhookUrl = new Option<string?>("--webhook-url") { Description = "A generic signed webhook receiver URL" };
        public readonly Option<string?> WebhookSecret = new Option<string?>("--webhook-secret") { Description = "HMAC-SHA256 secret for the webhook (16+ characters)" };

        public IEnumerable<Option> All => [PublicUrl, Smtp, SmtpFrom, SmtpTls, SmsUrl, SmsSecret, WecomUrl, WebhookUrl, WebhookSecret];

        /// <summary>The channels the options name; null when none; a bad value is reported and gives the exit code.</summary>
        public async Task<(Flywheel.Campaigns.Channels.ChannelOptions? Channels, int Exit)> ChannelsAsync(ParseResult parse, CliConsole console)
        {
            Flywheel.Campaigns.Channels.ChannelOptions? channels = null;
            if (parse.GetValue(Smtp) is { } smtpText)
            {
                var colon = smtpText.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(smtpText[(colon + 1)..], out var port) || port is < 1 or > 65535)
                    return (null, await ReportCommand.BadAsync(console, "--smtp", $"'{smtpText}' is not host:port"));
                if (parse.GetValue(SmtpFrom) is not { Length: > 0 } from) return (null, await ReportCommand.BadAsync(console, "--smtp-from", "required with --smtp"));
                channels = new() { Smtp = new Flywheel.Campaigns.Channels.SmtpOptions(smtpText[..colon], port, from, null, parse.GetValue(SmtpTls)) };
            }
            static Uri? Url(string? text) => text is null ? null : Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : null;
            if (parse.GetValue(SmsUrl) is { } sms)
            {
                if (Url(sms) is not { } u) return (null, await ReportCommand.BadAsync(console, "--sms-url", "an absolute URL"));
                channels = (channels ?? new()) with { Sms = new Flywheel.Campaigns.Channels.SmsOptions(u, parse.GetValue(SmsSecret) ?? "") };
            }
            if (parse.GetValue(WecomUrl) is { } wecom)
            {
                if (Url(wecom) is not { } u) return (null, await ReportCommand.BadAsync(console, "--wecom-url", "an absolute URL"));
                channels = (channels ?? new()) with { WeCom = new Flywheel.Campaigns.Channels.WeComOptions(u) };
            }
            if (parse.GetValue(WebhookUrl) is { } hook)
            {
                if (Url(hook) is not { } u) return (null, await ReportCommand.BadAsync(console, "--webhook-url", "an absolute URL"));
                channels = (channels ?? new()) with { Webhook = new Flywheel.Campaigns.Channels.WebhookOptions(u, parse.GetValue(WebhookSecret) ?? "") };
            }
            return (channels, ExitCodes.Ok);
        }
    }

    public static Command Create(CliConsole console, TimeProvider time)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Addresses to listen on, separated by ';'",
            DefaultValueFactory = _ => "http://127.0.0.1:5080",
        };
        var maxRequestMb = new Option<int>("--max-request-mb")
        {
            Description = "Largest request body accepted, in MiB (1-1024); larger bodies get 413",
            DefaultValueFactory = _ => (int)(ServerOptions.DefaultMaxRequestBytes / (1024 * 1024)),
        };
        var noWorkers = new Option<bool>("--no-workers") { Description = "Serve the API only; run the journey, trigger and delivery loops in 'flywheel worker'" };
        var host = new HostArguments();
        var command = new Command("serve", "Run the HTTP API (ingest, analytics, customers, promotions, journeys and broadcasts; OpenAPI at /openapi/v1.json) until SIGTERM or Ctrl+C")
        {
            urls, maxRequestMb, noWorkers,
        };
        foreach (var option in host.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var megabytes = parse.GetValue(maxRequestMb);
            if (megabytes is < 1 or > 1024)
            {
                await console.Error.WriteLineAsync($"error: --max-request-mb must be between 1 and 1024 (got {megabytes})");
                return ExitCodes.BadInput;
            }
            var (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct, create: true);
            if (store is null) return exitCode;
            using var _ = store;
            var addresses = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (addresses.Any(a => !Uri.TryCreate(a.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                    || !LoadTestCommand.IsLoopback(uri))
                && !await new Flywheel.Hosting.Access.ApiKeys(store).AnyActiveAsync(ct))
            {
                await console.Error.WriteLineAsync($"error: --urls: '{string.Join(';', addresses)}' is reachable beyond this machine, and the store has no active API key: " +
                    "create one first (flywheel keys create --role admin --name NAME), or listen on 127.0.0.1");
                return ExitCodes.BadInput;
            }
            var (channels, bad) = await host.ChannelsAsync(parse, console);
            if (bad != ExitCodes.Ok) return bad;
            var options = new ServerOptions
            {
                MaxRequestBytes = megabytes * 1024L * 1024,
                TimeZone = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct),
                PublicBaseUrl = parse.GetValue(host.PublicUrl) ?? parse.GetValue(urls)!.Split(';')[0],
                Channels = channels,
                CampaignWorkers = !parse.GetValue(noWorkers),
            };
            WebApplication app;
            try
            {
                app = FlywheelServer.Build(store, time, parse.GetValue(urls)!, options);
            }
            catch (ArgumentException e)
            {
                await console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
            await using (app)
            {
                try
                {
                    await app.StartAsync(ct);
                }
                catch (IOException e)
                {
                    // Kestrel reports an address in use (or not assignable) as an IOException.
                    await console.Error.WriteLineAsync($"error: cannot listen on {parse.GetValue(urls)}: {e.Message}");
                    return ExitCodes.BadInput;
                }
                await console.Error.WriteLineAsync($"flywheel serving {store.Location.Description} on {string.Join(", ", app.Urls)}; Ctrl+C or SIGTERM stops it");
                // SIGTERM is handled by the host's console lifetime; Ctrl+C also cancels ct. Either way the host stops
                // accepting connections and waits up to ServerOptions.ShutdownTimeout for in-flight requests.
                await app.WaitForShutdownAsync(ct);
            }
            await console.Error.WriteLineAsync("flywheel server stopped");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>flywheel worker</c>: journeys, triggers, delivery, lifecycle and segment refresh, without the HTTP API.</summary>
    public static Command CreateWorker(CliConsole console, TimeProvider time)
    {
        var host = new HostArguments();
        var command = new Command("worker", "Run the background loops alone (journeys, triggers, delivery, lifecycle and segment refresh) until SIGTERM or Ctrl+C; pair it with 'serve --no-workers'");
        foreach (var option in host.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct, create: true);
            if (store is null) return exitCode;
            using var _ = store;
            var (channels, bad) = await host.ChannelsAsync(parse, console);
            if (bad != ExitCodes.Ok) return bad;
            var options = new ServerOptions
            {
                TimeZone = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct),
                PublicBaseUrl = parse.GetValue(host.PublicUrl) ?? new ServerOptions().PublicBaseUrl,
                Channels = channels,
            };
            IHost worker;
            try
            {
                worker = FlywheelServer.BuildWorker(store, time, options);
            }
            catch (ArgumentException e)
            {
                await console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
            using (worker)
            {
                await worker.StartAsync(ct);
                await console.Error.WriteLineAsync($"flywheel worker running over {store.Location.Description}; Ctrl+C or SIGTERM stops it");
                await worker.WaitForShutdownAsync(ct);
            }
            await console.Error.WriteLineAsync("flywheel worker stopped");
            return ExitCodes.Ok;
        });
        return command;
    }
}
