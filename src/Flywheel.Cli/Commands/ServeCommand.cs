using System.CommandLine;
using Flywheel.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Flywheel.Cli.Commands;

/// <summary><c>flywheel serve</c>: the HTTP API over the store, until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
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
        var publicUrl = new Option<string?>("--public-url") { Description = "The address customers reach this server at, for tracking and unsubscribe links (default: the first --urls address)" };
        var smtp = new Option<string?>("--smtp") { Description = "Send email through this SMTP server, host:port (plain, or STARTTLS with --smtp-tls)" };
        var smtpFrom = new Option<string?>("--smtp-from") { Description = "The From address of email (required with --smtp)" };
        var smtpTls = new Option<bool>("--smtp-tls") { Description = "Use TLS with the SMTP server" };
        var smsUrl = new Option<string?>("--sms-url") { Description = "The SMS provider adapter's URL (JSON POST signed with --sms-secret)" };
        var smsSecret = new Option<string?>("--sms-secret") { Description = "HMAC-SHA256 secret for the SMS adapter (16+ characters)" };
        var wecomUrl = new Option<string?>("--wecom-url") { Description = "A WeCom (企业微信) group robot webhook URL" };
        var webhookUrl = new Option<string?>("--webhook-url") { Description = "A generic signed webhook receiver URL" };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "HMAC-SHA256 secret for the webhook (16+ characters)" };
        var command = new Command("serve", "Run the HTTP API (ingest, analytics, customers, promotions, journeys and broadcasts; OpenAPI at /openapi/v1.json) until SIGTERM or Ctrl+C")
        {
            urls,
            maxRequestMb,
            publicUrl, smtp, smtpFrom, smtpTls, smsUrl, smsSecret, wecomUrl, webhookUrl, webhookSecret,
        };
        command.SetAction(async (parse, ct) =>
        {
            var megabytes = parse.GetValue(maxRequestMb);
            if (megabytes is < 1 or > 1024)
            {
                await console.Error.WriteLineAsync($"error: --max-request-mb must be between 1 and 1024 (got {megabytes})");
                return ExitCodes.BadInput;
            }
            var (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exitCode;
            using var _ = store;
            Flywheel.Campaigns.Channels.ChannelOptions? channels = null;
            if (parse.GetValue(smtp) is { } smtpText)
            {
                var colon = smtpText.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(smtpText[(colon + 1)..], out var port) || port is < 1 or > 65535)
                    return await ReportCommand.BadAsync(console, "--smtp", $"'{smtpText}' is not host:port");
                if (parse.GetValue(smtpFrom) is not { Length: > 0 } from) return await ReportCommand.BadAsync(console, "--smtp-from", "required with --smtp");
                channels = new() { Smtp = new Flywheel.Campaigns.Channels.SmtpOptions(smtpText[..colon], port, from, null, parse.GetValue(smtpTls)) };
            }
            Uri? Url(string? text) => text is null ? null : Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : null;
            if (parse.GetValue(smsUrl) is { } sms)
            {
                if (Url(sms) is not { } u) return await ReportCommand.BadAsync(console, "--sms-url", "an absolute URL");
                channels = (channels ?? new()) with { Sms = new Flywheel.Campaigns.Channels.SmsOptions(u, parse.GetValue(smsSecret) ?? "") };
            }
            if (parse.GetValue(wecomUrl) is { } wecom)
            {
                if (Url(wecom) is not { } u) return await ReportCommand.BadAsync(console, "--wecom-url", "an absolute URL");
                channels = (channels ?? new()) with { WeCom = new Flywheel.Campaigns.Channels.WeComOptions(u) };
            }
            if (parse.GetValue(webhookUrl) is { } hook)
            {
                if (Url(hook) is not { } u) return await ReportCommand.BadAsync(console, "--webhook-url", "an absolute URL");
                channels = (channels ?? new()) with { Webhook = new Flywheel.Campaigns.Channels.WebhookOptions(u, parse.GetValue(webhookSecret) ?? "") };
            }
            var options = new ServerOptions
            {
                MaxRequestBytes = megabytes * 1024L * 1024,
                TimeZone = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct),
                PublicBaseUrl = parse.GetValue(publicUrl) ?? parse.GetValue(urls)!.Split(';')[0],
                Channels = channels,
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
}
