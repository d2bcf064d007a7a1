using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Templates;
using Flywheel.Primitives;
using NodaTime;
using NodaTime.Text;

namespace Flywheel.Campaigns.Broadcasts;

/// <summary>
/// A scheduled one-off send to a segment (snake_case JSON):
/// <code>
/// { "name": "双11 预热", "segment": "champions", "channel": "email", "purpose": "marketing",
///   "template": { "subject": "{{customer.name}}，双11 来了", "text": "…{{track \"https://shop.example/d11\"}}… {{unsubscribe_url}}", "html": "…" },
///   "local_time": "10:00", "send_date": "2026-11-11",        // or "send_at": "2026-11-11T02:00:00Z"
///   "rate_per_minute": 6000, "holdout_percent": 10, "campaign": "d11_warmup" }
/// </code>
/// Exactly one of <c>send_at</c> (one instant for everyone) and <c>local_time</c> (each customer at that time in their own
/// zone, on <c>send_date</c> when given, else at the next occurrence after planning). <c>rate_per_minute</c> throttles: the
/// i-th message due at one instant is due at that instant + i/rate. <c>holdout_percent</c> (0 to 50) of the eligible customers
/// form the control group. <c>campaign</c> (default: the name) tags tracked links for UTM.
/// <c>experiment</c> (instead of holdout_percent) names an experiment of the Experiments module: each eligible customer is
/// assigned a variant; its holdout variant is held out, every other variant is sent, with its own template from
/// <c>variants</c> (<c>{"b": {"template": {...}}}</c>, the same shape as <c>template</c>) or, for the control and any variant
/// without an entry, the main template.
/// </summary>
internal sealed record BroadcastDefinition(
    string Name,
    string Segment,
    ChannelKind Channel,
    MessagePurpose Purpose,
    TemplateSource Template,
    DateTimeOffset? SendAt,
    LocalTime? LocalTime,
    LocalDate? SendDate,
    int? RatePerMinute,
    double HoldoutPercent,
    string Campaign,
    string? Experiment = null,
    IReadOnlyDictionary<string, TemplateSource>? Variants = null)
{
    public const double MaxHoldoutPercent = 50;
    public const int MaxRatePerMinute = 1_000_000;

    private static readonly string[] Known =
        ["name", "segment", "channel", "purpose", "template", "send_at", "local_time", "send_date", "rate_per_minute", "holdout_percent", "campaign",
            "experiment", "variants"];

    /// <summary>The longest variant key <c>variants</c> may name.</summary>
    public const int MaxVariantKeyLength = 64;

    /// <summary>The channel's name in the store and in JSON: email, sms, wecom, webhook.</summary>
    public string ChannelName => ChannelText(Channel);

    public string PurposeName => Purpose == MessagePurpose.Marketing ? "marketing" : "transactional";

    /// <summary>The template, compiled (it was validated by <see cref="Parse"/>).</summary>
    public MessageTemplate Compiled => _compiled ??= MessageTemplate.Create(Template).Value;

    private MessageTemplate? _compiled;

    /// <summary>The variants' templates, compiled (validated by <see cref="Parse"/>); empty without variants.</summary>
    public IReadOnlyDictionary<string, MessageTemplate> CompiledVariants => _compiledVariants ??=
        (Variants ?? new Dictionary<string, TemplateSource>()).ToDictionary(kv => kv.Key, kv => MessageTemplate.Create(kv.Value).Value, StringComparer.Ordinal);

    private IReadOnlyDictionary<string, MessageTemplate>? _compiledVariants;

    /// <summary>
    /// Parses and validates; the error names the JSON path (<c>$.template.text</c>, <c>$.holdout_percent</c>). Whether the
    /// segment exists is checked against a store by <see cref="BroadcastPlanner.CreateAsync"/>.
    /// </summary>
    public static Result<BroadcastDefinition> Parse(string? json) => Parse(json, LinkPolicy.AnyHost);

    /// <summary><see cref="Parse(string?)"/>, with the literal tracked links of the template checked against <paramref name="links"/>.</summary>
    public static Result<BroadcastDefinition> Parse(string? json, LinkPolicy links)
    {
        if (string.IsNullOrWhiteSpace(json)) return Error.Invalid("$", "the broadcast definition is empty; give a JSON object");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            return Error.Invalid("$", "not valid JSON: " + e.Message.Split(" Path:")[0]);
        }
        catch (ArgumentException e)
        {
            return Error.Invalid("$", e.Message); // a property named twice
        }
        if (root is not JsonObject o) return Error.Invalid("$", "the broadcast definition is a JSON object");
        foreach (var (key, _) in o)
            if (!Known.Contains(key))
                return Error.Invalid("$." + key, $"unknown property '{key}' (known: {string.Join(", ", Known)})");

        var (name, e1) = RequiredText(o, "name", 200);
        if (e1 is not null) return e1;
        var (segment, e2) = RequiredText(o, "segment", 128);
        if (e2 is not null) return e2;
        var (channelText, e3) = RequiredText(o, "channel", 32);
        if (e3 is not null) return e3;
        ChannelKind channel;
        switch (channelText)
        {
            case "email": channel = ChannelKind.Email; break;
            case "sms": channel = ChannelKind.Sms; break;
            case "wecom": channel = ChannelKind.WeCom; break;
            case "webhook": channel = ChannelKind.Webhook; break;
            default: return Error.Invalid("$.channel", $"channel '{channelText}' is not one of email, sms, wecom, webhook");
        }
        var (purposeText, e4) = OptionalText(o, "purpose", 32);
        if (e4 is not null) return e4;
        MessagePurpose purpose;
        switch (purposeText ?? "marketing")
        {
            case "marketing": purpose = MessagePurpose.Marketing; break;
            case "transactional": purpose = MessagePurpose.Transactional; break;
            default: return Error.Invalid("$.purpose", $"purpose '{purposeText}' is not one of marketing, transactional");
        }

        o.TryGetPropertyValue("template", out var templateNode);
        var (source, compiled, templateError) = ParseTemplate(templateNode, "$.template", name!, channel, links);
        if (templateError is not null) return templateError;

        var (sendAtText, e8) = OptionalText(o, "send_at", 64);
        if (e8 is not null) return e8;
        var (localTimeText, e9) = OptionalText(o, "local_time", 16);
        if (e9 is not null) return e9;
        var (sendDateText, e10) = OptionalText(o, "send_date", 16);
        if (e10 is not null) return e10;
        if (sendAtText is not null && localTimeText is not null)
            return Error.Invalid("$.local_time", "give send_at (one instant for everyone) or local_time (each customer's own zone), not both");
        if (sendAtText is null && localTimeText is null)
            return Error.Invalid("$.send_at", "give send_at (e.g. \"2026-11-11T10:00:00+08:00\") or local_time (e.g. \"10:00\")");
        DateTimeOffset? sendAt = null;
        if (sendAtText is not null)
        {
            if (!DateTimeOffset.TryParseExact(sendAtText, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"],
                    CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) || !HasOffset(sendAtText))
                return Error.Invalid("$.send_at", $"send_at '{sendAtText}' is not an ISO 8601 time with an offset, e.g. 2026-11-11T10:00:00+08:00 or 2026-11-11T02:00:00Z");
            if (at.ToUnixTimeMilliseconds() < 0) return Error.Invalid("$.send_at", $"send_at '{sendAtText}' is before 1970");
            sendAt = at;
        }
        LocalTime? localTime = null;
        if (localTimeText is not null)
        {
            var parsed = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(localTimeText);
            if (!parsed.Success) parsed = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss").Parse(localTimeText);
            if (!parsed.Success) return Error.Invalid("$.local_time", $"local_time '{localTimeText}' is not a time of day such as 10:00");
            localTime = parsed.Value;
        }
        LocalDate? sendDate = null;
        if (sendDateText is not null)
        {
            if (localTimeText is null) return Error.Invalid("$.send_date", "send_date goes with local_time; send_at already names the day");
            var parsed = LocalDatePattern.Iso.Parse(sendDateText);
            if (!parsed.Success) return Error.Invalid("$.send_date", $"send_date '{sendDateText}' is not a date such as 2026-11-11");
            sendDate = parsed.Value;
        }

        int? rate = null;
        if (o.TryGetPropertyValue("rate_per_minute", out var rateNode) && rateNode is not null)
        {
            if (rateNode is not JsonValue rv || !rv.TryGetValue<double>(out var r) || r != Math.Floor(r))
                return Error.Invalid("$.rate_per_minute", $"rate_per_minute is {rateNode.ToJsonString()}; give a whole number of messages a minute");
            if (r < 1 || r > MaxRatePerMinute)
                return Error.Invalid("$.rate_per_minute", $"rate_per_minute is {r.ToString(CultureInfo.InvariantCulture)}; give 1 to {MaxRatePerMinute:N0}, or leave it out for no throttle");
            rate = (int)r;
        }
        var holdout = 0.0;
        if (o.TryGetPropertyValue("holdout_percent", out var holdoutNode) && holdoutNode is not null)
        {
            if (holdoutNode is not JsonValue hv || !hv.TryGetValue<double>(out holdout))
                return Error.Invalid("$.holdout_percent", $"holdout_percent is {holdoutNode.ToJsonString()}; give a number from 0 to {MaxHoldoutPercent}");
            if (holdout < 0 || holdout > MaxHoldoutPercent || double.IsNaN(holdout))
                return Error.Invalid("$.holdout_percent", $"holdout_percent is {holdout.ToString(CultureInfo.InvariantCulture)}; give 0 to {MaxHoldoutPercent} (a control group larger than half defeats the send)");
        }
        var (campaign, e11) = OptionalText(o, "campaign", 128);
        if (e11 is not null) return e11;

        var (experiment, e12) = OptionalText(o, "experiment", Runtime.CampaignExperiments.MaxKeyLength);
        if (e12 is not null) return e12;
        if (experiment is not null && string.IsNullOrWhiteSpace(experiment)) return Error.Invalid("$.experiment", "experiment is an experiment's key; it is empty");
        if (experiment is not null && holdoutNode is not null)
            return Error.Invalid("$.holdout_percent", "give experiment (its holdout variant is the control group) or holdout_percent, not both / 实验与 holdout_percent 只能二选一");
        Dictionary<string, TemplateSource>? variants = null;
        Dictionary<string, MessageTemplate>? compiledVariants = null;
        if (o.TryGetPropertyValue("variants", out var variantsNode) && variantsNode is not null)
        {
            if (experiment is null) return Error.Invalid("$.variants", "variants go with experiment: name the experiment whose variants they are");
            if (variantsNode is not JsonObject vo) return Error.Invalid("$.variants", "variants is an object: {\"b\": {\"template\": {...}}}");
            variants = new Dictionary<string, TemplateSource>(StringComparer.Ordinal);
            compiledVariants = new Dictionary<string, MessageTemplate>(StringComparer.Ordinal);
            foreach (var (key, node) in vo)
            {
                var path = "$.variants." + key;
                if (string.IsNullOrWhiteSpace(key) || key.Length > MaxVariantKeyLength || key.Any(char.IsControl))
                    return Error.Invalid(path, $"a variant key is 1-{MaxVariantKeyLength} characters");
                if (node is not JsonObject v) return Error.Invalid(path, "a variant is an object {\"template\": {...}}");
                foreach (var (vk, _) in v)
                    if (vk != "template") return Error.Invalid(path + "." + vk, $"unknown property '{vk}' of a variant (known: template)");
                v.TryGetPropertyValue("template", out var variantTemplate);
                var (variantSource, variantCompiled, variantError) = ParseTemplate(variantTemplate, path + ".template", name! + "/" + key, channel, links);
                if (variantError is not null) return variantError;
                variants[key] = variantSource!;
                compiledVariants[key] = variantCompiled!;
            }
        }

        var definition = new BroadcastDefinition(name!, segment!, channel, purpose, source!, sendAt, localTime, sendDate, rate, holdout, campaign ?? name!,
            experiment, variants)
        {
            _compiled = compiled,
            _compiledVariants = compiledVariants,
        };
        return definition;
    }

    /// <summary>A template object ({"subject", "text", "html"}) at <paramref name="path"/>: parsed, validated, its links checked, compiled.</summary>
    private static (TemplateSource? Source, MessageTemplate? Compiled, Error? Error) ParseTemplate(JsonNode? templateNode, string path, string name,
        ChannelKind channel, LinkPolicy links)
    {
        if (templateNode is null)
            return (null, null, Error.Invalid(path, "template is missing; give {\"subject\": ..., \"text\": ..., \"html\": ...}"));
        if (templateNode is not JsonObject t) return (null, null, Error.Invalid(path, "template is an object {\"subject\", \"text\", \"html\"}"));
        foreach (var (key, _) in t)
            if (key is not ("subject" or "text" or "html"))
                return (null, null, Error.Invalid(path + "." + key, $"unknown template part '{key}' (known: subject, text, html)"));
        var prefix = path + ".";
        var (subject, e5) = OptionalText(t, "subject", 2_000, prefix);
        if (e5 is not null) return (null, null, e5);
        var (text, e6) = RequiredText(t, "text", 1_000_000, prefix);
        if (e6 is not null) return (null, null, e6);
        var (html, e7) = OptionalText(t, "html", 1_000_000, prefix);
        if (e7 is not null) return (null, null, e7);
        if (channel == ChannelKind.Email && subject is null)
            return (null, null, Error.Invalid(prefix + "subject", "an email needs a subject"));
        var source = new TemplateSource(name, subject, text!, html);
        var errors = TemplateValidator.Validate(source);
        if (errors.Count > 0)
        {
            var first = errors[0];
            return (null, null, Error.Invalid(prefix + TemplateError.PartName(first.Part),
                $"template {first.Location}: {first.Message}" + (errors.Count > 1 ? $" (and {errors.Count - 1} more)" : "")));
        }
        foreach (var (part, partText) in source.Parts())
            if (links.FirstRefused(partText) is { } refused)
                return (null, null, Error.Invalid(prefix + TemplateError.PartName(part), refused.Reason));
        var compiled = MessageTemplate.Create(source);
        if (!compiled.IsSuccess) return (null, null, Error.Invalid(path, compiled.Error!.Message));
        return (source, compiled.Value, null);
    }

    /// <summary>The definition as snake_case JSON, as <see cref="Parse"/> reads it.</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["name"] = Name,
            ["segment"] = Segment,
            ["channel"] = ChannelName,
            ["purpose"] = PurposeName,
            ["template"] = TemplateJson(Template),
        };
        if (SendAt is { } at) o["send_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
        if (LocalTime is { } lt) o["local_time"] = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss").Format(lt);
        if (SendDate is { } d) o["send_date"] = LocalDatePattern.Iso.Format(d);
        if (RatePerMinute is { } r) o["rate_per_minute"] = r;
        if (HoldoutPercent > 0) o["holdout_percent"] = HoldoutPercent;
        o["campaign"] = Campaign;
        if (Experiment is not null) o["experiment"] = Experiment;
        if (Variants is { Count: > 0 })
        {
            var variants = new JsonObject();
            foreach (var (key, source) in Variants.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                variants[key] = new JsonObject { ["template"] = TemplateJson(source) };
            o["variants"] = variants;
        }
        return o.ToJsonString();
    }

    private static JsonObject TemplateJson(TemplateSource source)
    {
        var template = new JsonObject();
        if (source.Subject is not null) template["subject"] = source.Subject;
        template["text"] = source.Text;
        if (source.Html is not null) template["html"] = source.Html;
        return template;
    }

    internal static string ChannelText(ChannelKind channel) => channel switch
    {
        ChannelKind.Email => "email",
        ChannelKind.Sms => "sms",
        ChannelKind.WeCom => "wecom",
        _ => "webhook",
    };

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static (string? Value, Error? Error) RequiredText(JsonObject o, string key, int max, string prefix = "$.")
    {
        var (value, error) = OptionalText(o, key, max, prefix);
        if (error is not null) return (null, error);
        if (string.IsNullOrWhiteSpace(value)) return (null, Error.Invalid(prefix + key, $"{key} is missing or empty"));
        return (value, null);
    }

    private static (string? Value, Error? Error) OptionalText(JsonObject o, string key, int max, string prefix = "$.")
    {
        if (!o.TryGetPropertyValue(key, out var node) || node is null) return (null, null);
        if (node is not JsonValue v || !v.TryGetValue<string>(out var text))
            return (null, Error.Invalid(prefix + key, $"{key} is {node.ToJsonString()}; give a string"));
        if (text.Length > max) return (null, Error.Invalid(prefix + key, $"{key} is {text.Length} characters; at most {max}"));
        foreach (var c in text)
            if (char.IsControl(c) && key is not ("text" or "html" or "subject"))
                return (null, Error.Invalid(prefix + key, $"{key} has a control character"));
        return (text, null);
    }
}
