using Flywheel.Primitives;

namespace Flywheel.Grow.Domain.Matrix;

/// <summary>
/// Which lifecycle stage a channel's touches serve. The defaults follow how Chinese brands use the channels: 种草 reach on
/// 微博 and 抖音 (awareness); notes, reviews, answers and search on 小红书, B站, 知乎 and 百度 (interest); the marketplaces'
/// checkouts (decision); the private domain and direct messages (repurchase); 社群 and the brand's own site (loyalty). Any
/// other channel serves interest until the brand says otherwise (<c>grow_channel_stages</c>).
/// </summary>
internal static class ChannelStages
{
    /// <summary>The stage of a channel nobody assigned and no default names.</summary>
    public const string Fallback = LifecycleStage.Interest;

    /// <summary>Longest channel name a stage can be set for (event channels are short codes).</summary>
    public const int MaxChannelLength = 64;

    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["weibo"] = LifecycleStage.Awareness,
        ["douyin"] = LifecycleStage.Awareness,
        ["xiaohongshu"] = LifecycleStage.Interest,
        ["bilibili"] = LifecycleStage.Interest,
        ["zhihu"] = LifecycleStage.Interest,
        ["baidu"] = LifecycleStage.Interest,
        ["tmall"] = LifecycleStage.Decision,
        ["jd"] = LifecycleStage.Decision,
        ["pinduoduo"] = LifecycleStage.Decision,
        ["douyin_shop"] = LifecycleStage.Decision,
        ["wechat"] = LifecycleStage.Repurchase,
        ["wecom"] = LifecycleStage.Repurchase,
        ["email"] = LifecycleStage.Repurchase,
        ["sms"] = LifecycleStage.Repurchase,
        ["community"] = LifecycleStage.Loyalty,
        ["own_site"] = LifecycleStage.Loyalty,
    };

    /// <summary>The default stage of a channel: its entry in <see cref="Defaults"/>, else <see cref="Fallback"/>.</summary>
    public static string DefaultOf(string channel) => Defaults.GetValueOrDefault(channel, Fallback);

    /// <summary>A channel name as a stage can be set for: 1–64 characters, no spaces or control characters.</summary>
    public static Result<string> CheckChannel(string? channel, string path)
    {
        if (string.IsNullOrEmpty(channel)) return Error.Invalid(path, "a channel is required, e.g. xiaohongshu");
        if (channel.Length > MaxChannelLength) return Error.Invalid(path, $"a channel is at most {MaxChannelLength} characters");
        foreach (var c in channel)
            if (char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c))
                return Error.Invalid(path, $"'{Printable(channel)}' is not a channel code: no spaces, control characters or emoji");
        return channel;
    }

    /// <summary>A stage code: one of <see cref="LifecycleStage.All"/>.</summary>
    public static Result<string> CheckStage(string? stage, string path) =>
        LifecycleStage.IsValid(stage) ? stage! : Error.Invalid(path, $"'{Printable(stage ?? "")}' is not a lifecycle stage: use one of {LifecycleStage.Expected}");

    private static string Printable(string text)
    {
        var cut = text.Length > MaxChannelLength ? text[..MaxChannelLength] + "…" : text;
        return new string([.. cut.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
    }
}

/// <summary>The stage of each channel: the brand's assignments over <see cref="ChannelStages.Defaults"/>.</summary>
internal sealed class StageMap(IReadOnlyDictionary<string, string> assigned)
{
    public static readonly StageMap Default = new(new Dictionary<string, string>(StringComparer.Ordinal));

    public IReadOnlyDictionary<string, string> Assigned { get; } = assigned;

    /// <summary>The stage a channel serves; a missing channel ("(none)") serves <see cref="ChannelStages.Fallback"/>.</summary>
    public string Of(string? channel) =>
        channel is null ? ChannelStages.Fallback : Assigned.TryGetValue(channel, out var stage) ? stage : ChannelStages.DefaultOf(channel);
}
