using Flywheel.Primitives;

namespace Flywheel.Campaigns.Channels;

/// <summary>Login for an SMTP relay. Absent means the relay accepts mail without authentication (a local MTA).</summary>
public sealed record SmtpCredentials(string UserName, string Password);

/// <summary>How <see cref="EmailChannel"/> reaches its SMTP relay.</summary>
/// <param name="Timeout">The longest one SMTP conversation may take. Default 30 s.</param>
public sealed record SmtpOptions(
    string Host,
    int Port,
    string FromAddress,
    string? FromDisplayName = null,
    bool EnableSsl = true,
    SmtpCredentials? Credentials = null,
    TimeSpan? Timeout = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public TimeSpan EffectiveTimeout => Timeout ?? DefaultTimeout;

    public IReadOnlyList<Error> Validate(string prefix = "smtp")
    {
        var errors = new List<Error>();
        if (string.IsNullOrWhiteSpace(Host))
            errors.Add(Error.Invalid($"{prefix}.host", "the SMTP host is required"));
        if (Port is < 1 or > 65535)
            errors.Add(Error.Invalid($"{prefix}.port", $"{Port} is not a TCP port (1-65535)"));
        if (!System.Net.Mail.MailAddress.TryCreate(FromAddress, out _))
            errors.Add(Error.Invalid($"{prefix}.from_address", $"'{FromAddress}' is not an email address"));
        if (Credentials is not null && string.IsNullOrEmpty(Credentials.UserName))
            errors.Add(Error.Invalid($"{prefix}.credentials.user_name", "a user name is required when credentials are given"));
        if (Timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromMinutes(10)))
            errors.Add(Error.Invalid($"{prefix}.timeout", $"{t} is out of range (above 0, at most 10 minutes)"));
        return errors;
    }
}

/// <summary>An HTTP SMS gateway that takes <c>{"to","text","message_id"}</c> signed with <see cref="Signatures"/>.</summary>
/// <param name="ProviderIdProperty">The property of the gateway's JSON answer that holds its message id.</param>
/// <param name="Timeout">Per request; default 10 s.</param>
public sealed record SmsOptions(Uri Url, string Secret, string ProviderIdProperty = "message_id", TimeSpan? Timeout = null)
{
    public IReadOnlyList<Error> Validate(string prefix = "sms")
    {
        var errors = new List<Error>();
        HttpOptionChecks.Url(errors, $"{prefix}.url", Url);
        HttpOptionChecks.Secret(errors, $"{prefix}.secret", Secret);
        if (string.IsNullOrWhiteSpace(ProviderIdProperty))
            errors.Add(Error.Invalid($"{prefix}.provider_id_property", "the JSON property of the provider's message id is required"));
        HttpOptionChecks.Timeout(errors, $"{prefix}.timeout", Timeout);
        return errors;
    }
}

/// <summary>The message type a WeCom (企业微信) group robot gets.</summary>
public enum WeComFormat
{
    Markdown,
    Text,
}

/// <summary>A WeCom group robot: <c>https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...</c>.</summary>
public sealed record WeComOptions(Uri RobotUrl, WeComFormat Format = WeComFormat.Markdown, TimeSpan? Timeout = null)
{
    public IReadOnlyList<Error> Validate(string prefix = "wecom")
    {
        var errors = new List<Error>();
        HttpOptionChecks.Url(errors, $"{prefix}.robot_url", RobotUrl);
        HttpOptionChecks.Timeout(errors, $"{prefix}.timeout", Timeout);
        return errors;
    }
}

/// <summary>A generic receiver that gets every message field as JSON, signed with <see cref="Signatures"/>.</summary>
public sealed record WebhookOptions(Uri Url, string Secret, TimeSpan? Timeout = null)
{
    public IReadOnlyList<Error> Validate(string prefix = "webhook")
    {
        var errors = new List<Error>();
        HttpOptionChecks.Url(errors, $"{prefix}.url", Url);
        HttpOptionChecks.Secret(errors, $"{prefix}.secret", Secret);
        HttpOptionChecks.Timeout(errors, $"{prefix}.timeout", Timeout);
        return errors;
    }
}

/// <summary>
/// The channels section of the configuration. A channel left null is not configured: the registry does not offer it.
/// <see cref="Validate"/> names each bad field by its path (e.g. <c>channels.sms.secret</c>) so start-up can stop
/// with a message a person can act on.
/// </summary>
public sealed record ChannelOptions
{
    public SmtpOptions? Smtp { get; init; }

    public SmsOptions? Sms { get; init; }

    public WeComOptions? WeCom { get; init; }

    public WebhookOptions? Webhook { get; init; }

    public ResilienceOptions Resilience { get; init; } = new();

    public IReadOnlyList<Error> Validate()
    {
        var errors = new List<Error>();
        if (Smtp is not null)
            errors.AddRange(Smtp.Validate("channels.smtp"));
        if (Sms is not null)
            errors.AddRange(Sms.Validate("channels.sms"));
        if (WeCom is not null)
            errors.AddRange(WeCom.Validate("channels.wecom"));
        if (Webhook is not null)
            errors.AddRange(Webhook.Validate("channels.webhook"));
        errors.AddRange(Resilience.Validate("channels.resilience"));
        return errors;
    }
}

internal static class HttpOptionChecks
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // A secret shorter than this is guessable; HMAC-SHA256 gains nothing above 64 bytes.
    private const int MinSecretLength = 16;

    public static void Url(List<Error> errors, string path, Uri? url)
    {
        if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            errors.Add(Error.Invalid(path, $"'{url}' is not an absolute http(s) URL"));
    }

    public static void Secret(List<Error> errors, string path, string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinSecretLength)
            errors.Add(Error.Invalid(path, $"the signing secret must be at least {MinSecretLength} characters"));
    }

    public static void Timeout(List<Error> errors, string path, TimeSpan? timeout)
    {
        if (timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromMinutes(5)))
            errors.Add(Error.Invalid(path, $"{t} is out of range (above 0, at most 5 minutes)"));
    }
}
