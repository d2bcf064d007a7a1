using Flywheel.Primitives;

namespace Flywheel.Campaigns.Channels;

/// <summary>The configured channels by kind. Immutable after construction, so safe to share.</summary>
internal sealed class ChannelRegistry
{
    private readonly Dictionary<ChannelKind, IChannel> _channels;

    /// <exception cref="ArgumentException">Two channels of one kind.</exception>
    public ChannelRegistry(IEnumerable<IChannel> channels)
    {
        _channels = [];
        foreach (var channel in channels)
        {
            if (!_channels.TryAdd(channel.Kind, channel))
                throw new ArgumentException($"two channels for {channel.Kind}", nameof(channels));
        }
    }

    public IReadOnlyCollection<ChannelKind> Kinds => _channels.Keys;

    public bool TryGet(ChannelKind kind, out IChannel channel) => _channels.TryGetValue(kind, out channel!);

    /// <summary>The channel for <paramref name="kind"/>, or a not_found error naming the configuration to set.</summary>
    public bool TryGet(ChannelKind kind, out IChannel channel, out Error? error)
    {
        error = _channels.TryGetValue(kind, out channel!)
            ? null
            : Error.NotFound("channel", $"no {kind} channel is configured (set channels.{ConfigName(kind)})");
        return error is null;
    }

    /// <summary>
    /// Builds every channel <paramref name="options"/> configures, each wrapped in its own <see cref="ChannelResilience"/>
    /// (one circuit per provider). Fails with every configuration error, each naming its field.
    /// </summary>
    public static Result<ChannelRegistry> Create(ChannelOptions options, HttpClient http, TimeProvider time)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            return Error.Invalid(errors[0].Path ?? "channels", string.Join("; ", errors));

        var channels = new List<IChannel>();
        if (options.Smtp is not null)
            channels.Add(new EmailChannel(options.Smtp, time));
        if (options.Sms is not null)
            channels.Add(new SmsChannel(http, options.Sms, time));
        if (options.WeCom is not null)
            channels.Add(new WeComChannel(http, options.WeCom, time));
        if (options.Webhook is not null)
            channels.Add(new WebhookChannel(http, options.Webhook, time));
        return new ChannelRegistry(channels.Select(c => (IChannel)new ChannelResilience(c, options.Resilience, time)));
    }

    private static string ConfigName(ChannelKind kind) => kind switch
    {
        ChannelKind.Email => "smtp",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
