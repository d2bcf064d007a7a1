using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Templates;
using Flywheel.Campaigns.Storage;

namespace Flywheel.Campaigns.Features.Engage;

/// <summary>
/// <c>flywheel send-test --to ADDRESS --template FILE.json | --journey ID --step STEP [--customer ID] [--smtp host:port] [--from addr]</c>:
/// renders a template for one customer (the given customer's profile, or a sample 测试用户 with a sample cart and coupon) and
/// sends it once as a transactional email through the SMTP server given, printing the provider's message id. Nothing is queued
/// or recorded in the store. Only email for now.
/// </summary>
internal static class SendTestCommand
{
    public const string DefaultSmtp = "127.0.0.1:25";
    public const string DefaultFrom = "flywheel-test@localhost.localdomain";

    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var to = new Option<string>("--to") { Description = "The address to send the test to", Required = true };
        var channel = new Option<string?>("--channel") { Description = "email (default: the step's channel, else email); other channels are not supported by send-test yet" };
        var template = new Option<string?>("--template") { Description = "A template JSON file: {\"subject\": ..., \"text\": ..., \"html\": ...} (Handlebars)" };
        var journey = new Option<string?>("--journey") { Description = "Send the template of a journey's send step instead (with --step)" };
        var step = new Option<string?>("--step") { Description = "The send step of --journey" };
        var customer = new Option<string?>("--customer") { Description = "Render for this customer's profile (default: a sample customer 测试用户)" };
        var smtp = new Option<string?>("--smtp") { Description = $"SMTP server host:port (default: $FLYWHEEL_SMTP, else {DefaultSmtp})" };
        var from = new Option<string?>("--from") { Description = $"Sender address (default: $FLYWHEEL_SMTP_FROM, else {DefaultFrom})" };
        var ssl = new Option<bool>("--smtp-tls") { Description = "Use TLS with the SMTP server (off by default, as in serve: test servers on loopback rarely offer it)" };
        var command = new Command("send-test", "Render a message template for one customer and send it once, as a test, to an address you give")
        {
            to, channel, template, journey, step, customer, smtp, from, ssl,
        };
        command.SetAction(async (parse, ct) =>
        {
            var templatePath = parse.GetValue(template);
            var journeyId = parse.GetValue(journey);
            var stepId = parse.GetValue(step);
            if ((templatePath is null) == (journeyId is null))
                return await CliContext.BadAsync(console, "send-test", "give either --template FILE.json or --journey ID --step STEP");
            if (journeyId is not null && stepId is null) return await CliContext.BadAsync(console, "--step", "--journey needs --step: the id of one of its send steps");
            if (journeyId is null && stepId is not null) return await CliContext.BadAsync(console, "--step", "goes with --journey");

            var smtpText = parse.GetValue(smtp) ?? (Environment.GetEnvironmentVariable("FLYWHEEL_SMTP") is { Length: > 0 } env ? env : DefaultSmtp);
            if (!TryHostPort(smtpText, out var host, out var port)) return await CliContext.BadAsync(console, "--smtp", $"'{smtpText}' is not host:port");
            var fromAddress = parse.GetValue(from) ?? (Environment.GetEnvironmentVariable("FLYWHEEL_SMTP_FROM") is { Length: > 0 } f ? f : DefaultFrom);
            var options = new SmtpOptions(host, port, fromAddress, "Flywheel 测试", parse.GetValue(ssl));
            if (options.Validate() is { Count: > 0 } bad) return await CliContext.BadAsync(console, bad[0].Path == "smtp.from_address" ? "--from" : "--smtp", bad[0].Message);
            var recipient = parse.GetValue(to)!;
            if (!System.Net.Mail.MailAddress.TryCreate(recipient, out _)) return await CliContext.BadAsync(console, "--to", $"'{recipient}' is not an email address");

            TemplateSource? source = null;
            ChannelKind kind = ChannelKind.Email;
            string? journeyName = null;
            CustomerContact? contact = null;
            var customerId = parse.GetValue(customer);
            if (templatePath is not null)
            {
                if (!File.Exists(templatePath)) return await CliContext.BadAsync(console, "--template", $"no file '{templatePath}'");
                var read = ReadTemplate(Path.GetFileNameWithoutExtension(templatePath), await File.ReadAllTextAsync(templatePath, ct));
                if (read.Source is null) return await CliContext.BadAsync(console, templatePath, read.Error!);
                source = read.Source;
            }

            if (journeyId is not null || customerId is not null)
            {
                var (store, exit) = await cli.OpenStoreAsync(parse, ct);
                if (store is null) return exit;
                using (store)
                {
                    if (journeyId is not null)
                    {
                        var stored = await new CampaignStore(store, time).GetJourneyAsync(journeyId, ct);
                        if (stored is null) return await CliContext.BadAsync(console, "--journey", $"there is no journey '{journeyId}'");
                        if (!JourneyJson.Parse(stored.DefinitionJson).TryGetValue(out var j, out var jError))
                            return await CliContext.BadAsync(console, journeyId, "the stored definition is invalid: " + jError);
                        if (j.FindStep(stepId!) is not SendStep send)
                            return await CliContext.BadAsync(console, "--step", $"journey '{journeyId}' has no send step '{stepId}': " +
                                                                                    string.Join(", ", j.Steps.OfType<SendStep>().Select(s => s.Id)));
                        kind = send.Channel;
                        journeyName = j.Name;
                        source = new TemplateSource(journeyId + "/" + send.Id, send.Template?.Subject, send.Template?.Text ?? "", send.Template?.Html);
                    }
                    if (customerId is not null)
                    {
                        contact = await new CustomerDirectory(store).GetAsync(customerId, ct);
                        if (contact is null) return await CliContext.BadAsync(console, "--customer", $"there is no customer '{customerId}'");
                    }
                }
            }

            if (parse.GetValue(channel) is { } channelName)
            {
                if (!Enum.TryParse<ChannelKind>(channelName, ignoreCase: true, out var asked) || !Enum.IsDefined(asked))
                    return await CliContext.BadAsync(console, "--channel", "email, sms, wecom or webhook");
                kind = asked;
            }
            if (kind != ChannelKind.Email)
                return await CliContext.BadAsync(console, "--channel", $"{JourneyJson.ChannelName(kind)} is not supported by send-test yet; only email");

            var compiled = MessageTemplate.Create(source!);
            if (!compiled.TryGetValue(out var messageTemplate, out var compileError))
                return await CliContext.BadAsync(console, templatePath ?? $"{journeyId}/{stepId}", compileError.Message);
            var now = time.GetUtcNow();
            var model = SampleModel(contact, journeyName, now);
            var rendered = messageTemplate.Render(model);
            if (!rendered.TryGetValue(out var body, out var renderError))
                return await CliContext.BadAsync(console, templatePath ?? $"{journeyId}/{stepId}", renderError.Message);

            var key = "test:" + Guid.NewGuid().ToString("N");
            var message = new OutboundMessage(0, key, ChannelKind.Email, MessagePurpose.Transactional, model.Customer.Id, recipient,
                "[测试 TEST] " + (body.Subject ?? ""), body.Text, body.Html, null);
            var result = await new EmailChannel(options, time).SendAsync(message, ct);
            if (result.Outcome != DeliveryOutcome.Delivered)
            {
                await console.Error.WriteLineAsync($"error: smtp {host}:{port}: not sent ({result.Outcome.ToString().ToLowerInvariant()}): {result.Error}");
                return ExitCodes.Unexpected;
            }
            await console.Out.WriteLineAsync($"sent to {recipient} via {host}:{port} as {model.Customer.Name ?? model.Customer.Id} ({model.Customer.Id}); message id {result.ProviderMessageId}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The model a test renders with: the customer's profile (or 测试用户), plus a sample cart, coupon, order and points so every section shows.</summary>
    internal static TemplateModel SampleModel(CustomerContact? contact, string? journeyName, DateTimeOffset now) => new()
    {
        Customer = contact is null
            ? new TemplateCustomer("test_customer", "测试用户", "上海", "gold")
            : new TemplateCustomer(contact.CustomerId, contact.Name, contact.City, contact.MemberTier),
        Cart = new TemplateCart(
            [new TemplateCartLine("SAMPLE-1", "示例商品 A (sample item)", 1, 19900, "https://shop.example/p/SAMPLE-1"),
             new TemplateCartLine("SAMPLE-2", "示例商品 B (sample item)", 2, 4950, "https://shop.example/p/SAMPLE-2")],
            29800),
        Coupon = TemplateCoupon.AmountOff("TEST-COUPON", 1000, now.ToOffset(TimeSpan.FromHours(8)).AddDays(7)),
        OrderId = "TEST-ORDER-0001",
        Points = 100,
        JourneyName = journeyName ?? "send-test",
        UnsubscribeUrl = "https://shop.example/u/test",
    };

    /// <summary>A template file: a JSON object with text (required), subject and html; "name" optional.</summary>
    internal static (TemplateSource? Source, string? Error) ReadTemplate(string defaultName, string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return (null, "$: not valid JSON: " + e.Message.Split(" Path:")[0]);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, "$: a template is a JSON object with subject, text and html");
            string? name = defaultName, subject = null, text = null, html = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)) return (null, $"$.{p.Name}: a string");
                var value = p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString();
                switch (p.Name)
                {
                    case "name": name = value ?? defaultName; break;
                    case "subject": subject = value; break;
                    case "text": text = value; break;
                    case "html": html = value; break;
                    default: return (null, $"$.{p.Name}: unknown property; a template has name, subject, text and html");
                }
            }
            if (string.IsNullOrEmpty(text)) return (null, "$.text: the text part is required");
            return (new TemplateSource(name, subject, text, html), null);
        }
    }

    internal static bool TryHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0) return false;
        host = text[..colon].Trim('[', ']');
        return int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
    }
}
